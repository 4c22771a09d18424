// A minimal loader for compiled artifacts, for the compiler's kernel tests until the runtime exists: creates the
// maps, loads and attaches the programs, fires begin/end with BPF_PROG_TEST_RUN, and reads records and maps back.
import { applyRelocations } from '../../src/isa/index.js';
import { createMap, loadProgram, type BpfMap, type Program } from '../../src/kernel/index.js';
import { attachPerfEvent, attachRawTracepoint, attachTracepoint, attachUprobe, type Link } from '../../src/kernel/link/index.js';
import { RingBufReader } from '../../src/kernel/ringbuf.js';
import { compile, type CompiledArtifact, type CompileOptions } from '../../src/lang/index.js';
import { formatDiagnostics } from '../../src/lang/diagnostics.js';
import { RINGBUF_MAP } from '../../src/lang/codegen/artifact.js';
import koffi from 'koffi';
import { closeSync } from 'node:fs';
import { BpfCmd, sys } from '../../src/sys/index.js';
import { encodeAttr, ProgLoadAttr, cString } from '../../src/sys/bpf-attr.js';
import { programFromFd } from '../../src/kernel/index.js';
import { encodeInsns, type Insn } from '../../src/isa/index.js';
import { FUNC_INFO_REC_SIZE, type ProbeProgram } from '../../src/lang/index.js';

/** BPF_BTF_LOAD of a raw BTF blob; returns the fd. */
function loadBtf(blob: Uint8Array): number {
  const log = new Uint8Array(64 * 1024);
  const attr = new Uint8Array(48);
  const dv = new DataView(attr.buffer);
  dv.setBigUint64(0, sys().address(blob), true);
  dv.setBigUint64(8, sys().address(log), true);
  dv.setUint32(16, blob.length, true);
  dv.setUint32(20, log.length, true);
  dv.setUint32(24, 1, true);
  try {
    return sys().bpf(BpfCmd.BTF_LOAD, attr);
  } catch (err) {
    throw new Error(`BTF load failed: ${(err as Error).message}: ${Buffer.from(log).toString().replace(/\0.*$/s, '')}`);
  }
}

/** BPF_PROG_LOAD with BTF func_info (programs with callbacks), keeping the verifier log for failures. */
function loadWithFuncInfo(artifact: CompiledArtifact, p: ProbeProgram, insns: Insn[], btfFd: () => number) {
  void artifact;
  const code = encodeInsns(insns);
  const license = cString('GPL');
  const info = new Uint8Array(p.funcInfo.length * FUNC_INFO_REC_SIZE);
  const dv = new DataView(info.buffer);
  p.funcInfo.forEach((f, i) => {
    dv.setUint32(i * 8, f.insnOff, true);
    dv.setUint32(i * 8 + 4, f.typeId, true);
  });
  const log = new Uint8Array(1 << 20);
  const attr = encodeAttr(ProgLoadAttr, {
    progType: p.progType,
    insnCnt: insns.length,
    insns: sys().address(code),
    license: sys().address(license),
    progName: new TextEncoder().encode(p.name),
    expectedAttachType: p.expectedAttachType ?? 0,
    progBtfFd: btfFd(),
    funcInfoRecSize: FUNC_INFO_REC_SIZE,
    funcInfo: sys().address(info),
    funcInfoCnt: p.funcInfo.length,
  });
  try {
    return programFromFd(sys().bpf(BpfCmd.PROG_LOAD, attr));
  } catch {
    // Again with the verifier log, to say why.
  }
  const withLog = encodeAttr(ProgLoadAttr, {
    progType: p.progType,
    insnCnt: insns.length,
    insns: sys().address(code),
    license: sys().address(license),
    progName: new TextEncoder().encode(p.name),
    expectedAttachType: p.expectedAttachType ?? 0,
    progBtfFd: btfFd(),
    funcInfoRecSize: FUNC_INFO_REC_SIZE,
    funcInfo: sys().address(info),
    funcInfoCnt: p.funcInfo.length,
    logLevel: 1,
    logSize: log.length,
    logBuf: sys().address(log),
  });
  try {
    return programFromFd(sys().bpf(BpfCmd.PROG_LOAD, withLog));
  } catch (err) {
    const text = Buffer.from(log).toString().replace(/\0.*$/s, '');
    throw new Error(`load of ${p.name} failed: ${(err as Error).message}\n${text.split('\n').slice(-12).join('\n')}`);
  }
}

export interface Loaded {
  readonly artifact: CompiledArtifact;
  readonly maps: Map<string, BpfMap>;
  readonly programs: Program[];
  readonly links: Link[];
  /** Runs begin (or end) programs in order. */
  fire(kind: 'begin' | 'end'): void;
  /** Closes the probes' links (so that maps stop changing while a test reads them). */
  detach(): void;
  /** Ring-buffer records read so far: [event id, bytes]. */
  drain(): { id: number; bytes: Uint8Array }[];
  close(): void;
}

export function compileOk(source: string, options: CompileOptions = {}): CompiledArtifact {
  const r = compile(source, 'test.bt', options);
  if (!r.artifact) throw new Error(`compile failed:\n${formatDiagnostics(r.diagnostics)}`);
  return r.artifact;
}

export function load(artifact: CompiledArtifact, opts: { attach?: boolean } = {}): Loaded {
  const maps = new Map<string, BpfMap>();
  const programs: Program[] = [];
  const links: Link[] = [];
  let reader: RingBufReader | undefined;
  let btfFd: number | undefined;
  const close = () => {
    if (btfFd !== undefined) closeSync(btfFd);
    for (const l of links) l.close();
    for (const p of programs) p.close();
    reader?.close();
    for (const m of maps.values()) m.close();
  };
  try {
    for (const m of artifact.maps) {
      maps.set(m.name, createMap({ name: m.name.replace('@', 'AT_'), type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries }));
    }
    reader = new RingBufReader(maps.get(RINGBUF_MAP)!);
    for (const p of artifact.probes) {
      const insns = applyRelocations(p.insns, p.relocations, (n) => maps.get(n)?.fd);
      const prog =
        p.funcInfo.length === 0
          ? loadProgram({ name: p.name, type: p.progType, insns, expectedAttachType: p.expectedAttachType })
          : loadWithFuncInfo(artifact, p, insns, () => (btfFd ??= loadBtf(artifact.btf)));
      programs.push(prog);
      if (opts.attach === false) continue;
      const t = p.target;
      if (t.kind === 'tracepoint') links.push(attachTracepoint(prog, t.category, t.event));
      else if (t.kind === 'rawtracepoint' && !t.btf) links.push(attachRawTracepoint(prog, t.name));
      else if (t.kind === 'uprobe') links.push(attachUprobe(prog, { path: t.path, ...(t.symbol !== undefined ? { symbol: t.symbol } : {}), offset: t.offset, retprobe: t.ret }));
      else if (t.kind === 'usdt') {
        for (const loc of t.locations) links.push(attachUprobe(prog, { path: t.path, offset: loc.pcFileOffset, refCtrOffset: loc.semaphoreFileOffset }));
      } else if (t.kind === 'software' || t.kind === 'hardware') links.push(...attachPerfEvent(prog, { type: t.kind, event: t.event, period: t.count ?? 1 }));
      else if (t.kind === 'profile' || t.kind === 'interval') {
        const timing = t.hz !== undefined ? { frequency: t.hz } : { period: t.periodNs! };
        links.push(...attachPerfEvent(prog, { type: 'software', event: 'cpu-clock', ...timing, ...(t.kind === 'interval' ? { cpus: [0] } : {}) }));
      }
    }
  } catch (err) {
    close();
    throw err;
  }
  const r = reader;
  return {
    artifact,
    maps,
    programs,
    links,
    detach() {
      for (const l of links.splice(0)) l.close();
    },
    fire(kind) {
      artifact.probes.forEach((p, i) => {
        if (p.target.kind === kind) programs[i]!.testRun({ ctxIn: new Uint8Array(8) });
      });
    },
    drain() {
      const out: { id: number; bytes: Uint8Array }[] = [];
      r.poll((rec) => {
        const bytes = rec.slice();
        out.push({ id: Number(new DataView(bytes.buffer).getBigUint64(0, true)), bytes });
      });
      return out;
    },
    close,
  };
}

/** Per-CPU u64 values summed. */
export function sumPerCpu(values: readonly Uint8Array[], offset = 0): bigint {
  let s = 0n;
  for (const v of values) s += new DataView(v.buffer, v.byteOffset).getBigUint64(offset, true);
  return s;
}

export function u64Key(n: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

const libc = koffi.load('libc.so.6');
const getpgidFn = libc.func('int getpgid(int pid)');
const getpidSys = libc.func('long syscall(long nr)');

/** getpgid(arg): a syscall the test makes with a value it chooses. */
export function getpgid(arg: number): void {
  getpgidFn(arg);
}

/** A real getpid(2) (glibc no longer caches it, but go through syscall(2) to be sure). */
export function getpid(): void {
  getpidSys(39);
}
