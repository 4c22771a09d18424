// A minimal loader for compiled artifacts, for the compiler's kernel tests until the runtime exists: creates the
// maps, loads and attaches the programs, fires begin/end with BPF_PROG_TEST_RUN, and reads records and maps back.
import { applyRelocations } from '../../src/isa/index.js';
import { createMap, loadBtfObject, loadProgram, type BpfMap, type BtfObject, type Program } from '../../src/kernel/index.js';
import { attachPerfEvent, attachRawTracepoint, attachTracepoint, attachUprobe, type Link } from '../../src/kernel/link/index.js';
import { RingBufReader } from '../../src/kernel/ringbuf.js';
import { compile, type CompiledArtifact, type CompileOptions } from '../../src/lang/index.js';
import { formatDiagnostics } from '../../src/lang/diagnostics.js';
import { RINGBUF_MAP } from '../../src/lang/codegen/artifact.js';
import koffi from 'koffi';

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
  let btf: BtfObject | undefined;
  const close = () => {
    btf?.close();
    for (const l of links) l.close();
    for (const p of programs) p.close();
    reader?.close();
    for (const m of maps.values()) m.close();
  };
  try {
    for (const m of artifact.maps) {
      maps.set(m.name, createMap({ name: m.name.replace('@', 'AT_'), type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags ?? 0 }));
    }
    reader = new RingBufReader(maps.get(RINGBUF_MAP)!);
    for (const p of artifact.probes) {
      const insns = applyRelocations(p.insns, p.relocations, (n) => maps.get(n)?.fd);
      const prog = loadProgram({
        name: p.name,
        type: p.progType,
        insns,
        expectedAttachType: p.expectedAttachType,
        ...(p.funcInfo.length > 0 ? { funcInfo: { btfFd: (btf ??= loadBtfObject(artifact.btf)).fd, records: p.funcInfo } } : {}),
      });
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
