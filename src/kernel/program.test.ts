import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alu64Imm, atomic, call, exit, jmpImm, ldMapFd, ldxMem, mov64Imm, mov64Reg, stMem } from '../isa/encode.js';
import { AluOp, AtomicOp, JmpOp, Size } from '../isa/opcodes.js';
import type { Insn } from '../isa/insn.js';
import { AttachType, MapType, PerfAttrFlag, PerfIoctl, PerfType, ProgType, sys, SysError } from '../sys/index.js';
import { VerifierError } from './errors.js';
import { haveFentry, haveKprobeAttach, vmlinuxBtfId } from './features.js';
import { type BpfMap, createMap } from './map.js';
import { openPerfEvent } from './perf-event.js';
import { enableStats, loadProgram, openPinnedProgram, type Program } from './program.js';
import { traceEvents } from '../tracefs/index.js';
import { skipUnless } from './testing.js';

const HELPER_MAP_LOOKUP_ELEM = 1;
const HELPER_GET_CURRENT_PID_TGID = 14;

/**
 * A tracepoint program that adds 1 to array slot 0 when the current process is `pid`:
 * the count of tracepoint hits from this test's own process.
 */
function countForPid(map: BpfMap, pid: number): Insn[] {
  return [
    call(HELPER_GET_CURRENT_PID_TGID),
    alu64Imm(AluOp.RSH, 0, 32),
    jmpImm(JmpOp.JNE, 0, pid, 9),
    stMem(Size.W, 10, -4, 0),
    mov64Reg(2, 10),
    alu64Imm(AluOp.ADD, 2, -4),
    ...ldMapFd(1, map.fd),
    call(HELPER_MAP_LOOKUP_ELEM),
    jmpImm(JmpOp.JEQ, 0, 0, 2),
    mov64Imm(1, 1),
    atomic(Size.DW, AtomicOp.ADD, 0, 1, 0),
    mov64Imm(0, 0),
    exit(),
  ];
}

function slot0(map: BpfMap): bigint {
  const v = map.lookup(new Uint8Array(4));
  return v === undefined ? -1n : new DataView(v.buffer).getBigUint64(0, true);
}

/** Attaches a tracepoint program to syscalls:sys_enter_getpid of this thread with perf_event_open + SET_BPF + ENABLE. */
function attachGetpid(prog: Program): number[] {
  const id = traceEvents().id('syscalls', 'sys_enter_getpid');
  // A tracepoint perf event for a pid follows that task; one event is enough to see all its calls.
  const fd = openPerfEvent({ type: PerfType.TRACEPOINT, config: BigInt(id), samplePeriod: 1n, flags: PerfAttrFlag.DISABLED }, process.pid, -1);
  try {
    sys().ioctl(fd, PerfIoctl.SET_BPF, prog.fd);
    sys().ioctl(fd, PerfIoctl.ENABLE, 0);
  } catch (e) {
    sys().close(fd);
    throw e;
  }
  return [fd];
}

function closeFds(fds: number[]): void {
  for (const fd of fds) sys().close(fd);
}

describe('tracepoint program counting getpid calls', () => {
  let map: BpfMap;
  let prog: Program;
  beforeAll(() => {
    map = createMap({ name: 'getpid_count', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    prog = loadProgram({ name: 'count_getpid', type: ProgType.TRACEPOINT, insns: countForPid(map, process.pid) });
  });
  afterAll(() => {
    prog.close();
    map.close();
  });

  it('counts exactly the N getpid calls this process makes', () => {
    const fds = attachGetpid(prog);
    const n = 1000;
    try {
      for (let i = 0; i < n; i++) sys().getpid();
    } finally {
      closeFds(fds);
    }
    expect(slot0(map)).toBe(BigInt(n));
  });

  it('reports run_cnt equal to the number of events while stats are enabled', () => {
    map.update(new Uint8Array(4), new Uint8Array(8));
    const stats = enableStats();
    const before = prog.info().runCnt;
    const n = 250;
    const fds = attachGetpid(prog);
    try {
      for (let i = 0; i < n; i++) sys().getpid();
    } finally {
      closeFds(fds);
      stats.close();
    }
    const info = prog.info();
    expect(slot0(map)).toBe(BigInt(n));
    expect(info.runCnt - before).toBe(BigInt(n));
    expect(info.runTimeNs).toBeGreaterThan(0n);
    expect(info.name).toBe('count_getpid');
    expect(info.mapIds).toEqual([map.info().id]);
    // The verifier rewrites (inlines the array lookup), so only the shape of the size is known.
    expect(info.xlatedLen % 8).toBe(0);
    expect(info.xlatedLen).toBeGreaterThan(0);
    expect(info.jitedLen).toBeGreaterThan(0);
    expect(info.verifiedInsns).toBeGreaterThan(0);
  });
});

describe('verifier log', () => {
  it('throws VerifierError with the verifier reason when a program is refused', () => {
    // r0 is never written before exit.
    let err: unknown;
    try {
      loadProgram({ name: 'bad_exit', type: ProgType.RAW_TRACEPOINT, insns: [exit()] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    expect(v.code).toBe('EACCES');
    expect(v.programName).toBe('bad_exit');
    expect(v.log.some((l) => l.includes('R0 !read_ok'))).toBe(true);
    expect(v.message).toMatch(/^Cannot load program bad_exit: EACCES: R0 !read_ok/);
  });

  it('reports an out-of-bounds stack read with the verifier reason', () => {
    let err: unknown;
    try {
      loadProgram({ name: 'bad_stack', type: ProgType.RAW_TRACEPOINT, insns: [ldxMem(Size.DW, 0, 10, 8), exit()] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    expect((err as VerifierError).log.join('\n')).toMatch(/invalid .*stack|invalid read from stack/);
  });

  it('gives EINVAL with the verifier log for an instruction the kernel does not know', () => {
    let err: unknown;
    try {
      loadProgram({ name: 'bad_op', type: ProgType.RAW_TRACEPOINT, insns: [{ code: 0xff, dst: 0, src: 0, off: 0, imm: 0 }, mov64Imm(0, 0), exit()] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    expect((err as VerifierError).code).toBe('EINVAL');
    expect((err as VerifierError).log.join('\n')).toMatch(/unknown opcode ff/);
  });

  it('grows a small log buffer until the whole log fits', () => {
    const insns = [...Array.from({ length: 50 }, (_, i) => mov64Imm(0, i)), exit()];
    const p = loadProgram({ name: 'chatty', type: ProgType.RAW_TRACEPOINT, insns, logLevel: 2, logSize: 64 });
    try {
      expect(p.verifierLog).toBeDefined();
      const log = p.verifierLog ?? '';
      // The first buffer held 128 bytes (the kernel's minimum); a longer log proves it grew.
      expect(log.length).toBeGreaterThan(128);
      // Level 2 logs every instruction; the last one and the summary must be there, so nothing was cut.
      expect(log).toContain('(95) exit');
      expect(log).toMatch(/processed 51 insns/);
    } finally {
      p.close();
    }
  });

  it('gives the log on success only when asked', () => {
    const p = loadProgram({ name: 'quiet', type: ProgType.RAW_TRACEPOINT, insns: [mov64Imm(0, 0), exit()] });
    try {
      expect(p.verifierLog).toBeUndefined();
    } finally {
      p.close();
    }
  });
});

describe('test runs', () => {
  it('runs a raw_tracepoint program and returns its retval', () => {
    const p = loadProgram({ name: 'ret42', type: ProgType.RAW_TRACEPOINT, insns: [mov64Imm(0, 42), exit()] });
    try {
      expect(p.testRun().retval).toBe(42);
      const info = p.info();
      expect(info.type).toBe(ProgType.RAW_TRACEPOINT);
    } finally {
      p.close();
    }
  });

  it('passes the context in: the program returns its first argument', () => {
    const p = loadProgram({ name: 'arg0', type: ProgType.RAW_TRACEPOINT, insns: [ldxMem(Size.DW, 0, 1, 0), exit()] });
    try {
      const ctx = new Uint8Array(8);
      new DataView(ctx.buffer).setBigUint64(0, 1234n, true);
      expect(p.testRun({ ctxIn: ctx }).retval).toBe(1234);
    } finally {
      p.close();
    }
  });

  it('names the operation when the kernel cannot test-run the type', () => {
    const p = loadProgram({ name: 'tp', type: ProgType.TRACEPOINT, insns: [mov64Imm(0, 0), exit()] });
    try {
      expect(() => p.testRun()).toThrow(/^Cannot test-run program tp: ENOTSUPP/);
    } finally {
      p.close();
    }
  });
});

describe('program types', () => {
  it('loads a kprobe program (attaching is what needs kprobes)', () => {
    const kp = haveKprobeAttach();
    if (!kp.ok) console.warn(`note: kprobes cannot attach here (${kp.reason}); loading is still tested`);
    const p = loadProgram({ name: 'kp', type: ProgType.KPROBE, insns: [mov64Imm(0, 0), exit()] });
    try {
      expect(p.info().type).toBe(ProgType.KPROBE);
    } finally {
      p.close();
    }
  });

  it('loads a perf_event program', () => {
    const p = loadProgram({ name: 'pe', type: ProgType.PERF_EVENT, insns: [mov64Imm(0, 0), exit()] });
    try {
      expect(p.info().type).toBe(ProgType.PERF_EVENT);
    } finally {
      p.close();
    }
  });

  it('loads a tp_btf program on sys_enter', () => {
    const id = vmlinuxBtfId('btf_trace_sys_enter', 'typedef');
    expect(id).toBeGreaterThan(0);
    const p = loadProgram({ name: 'tpbtf', type: ProgType.TRACING, insns: [mov64Imm(0, 0), exit()], expectedAttachType: AttachType.TRACE_RAW_TP, attachBtfId: id });
    try {
      expect(p.info().type).toBe(ProgType.TRACING);
    } finally {
      p.close();
    }
  });

  it.skipIf(skipUnless(haveFentry('fentry')))('loads an fentry program on bpf_fentry_test1', () => {
    const id = vmlinuxBtfId('bpf_fentry_test1', 'func');
    loadProgram({ name: 'fent', type: ProgType.TRACING, insns: [mov64Imm(0, 0), exit()], expectedAttachType: AttachType.TRACE_FENTRY, attachBtfId: id }).close();
  });

  it('explains EPERM on a refused fentry load', () => {
    const f = haveFentry('fentry');
    if (f.ok) {
      console.warn('note: fentry loads here, so the refusal message is not exercised');
      return;
    }
    const id = vmlinuxBtfId('bpf_fentry_test1', 'func');
    let err: unknown;
    try {
      loadProgram({ name: 'fent', type: ProgType.TRACING, insns: [mov64Imm(0, 0), exit()], expectedAttachType: AttachType.TRACE_FENTRY, attachBtfId: id }).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SysError);
    expect((err as SysError).code).toBe('EPERM');
    expect((err as SysError).message).toMatch(/^Cannot load program fent: EPERM.*security module or lockdown/);
  });
});

describe('pinning programs', () => {
  it('pins a program and opens it again by path', () => {
    const dir = `/sys/fs/bpf/bpfkit-prog-test-${process.pid}`;
    const p = loadProgram({ name: 'pinned_prog', type: ProgType.RAW_TRACEPOINT, insns: [mov64Imm(0, 7), exit()] });
    try {
      p.pin(`${dir}/p`);
      const again = openPinnedProgram(`${dir}/p`);
      try {
        expect(again.name).toBe('pinned_prog');
        expect(again.type).toBe(ProgType.RAW_TRACEPOINT);
        expect(again.info().id).toBe(p.info().id);
        expect(again.testRun().retval).toBe(7);
      } finally {
        again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      p.close();
    }
  });
});
