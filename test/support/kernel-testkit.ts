// Test support for the kernel layer (kept out of the library): small programs and workload helpers shared by the
// attachment, ring buffer and perf buffer tests and the ring buffer bench, built with the isa encoders and Assembler.
import { execFileSync, spawn } from 'node:child_process';
import koffi from 'koffi';
import type { Insn } from '../../src/isa/insn.js';
import { BpfCmd, SysError, type Sys } from '../../src/sys/index.js';
import {
  alu64Imm,
  atomic,
  call,
  exit,
  jmpImm,
  jmpReg,
  ldImm64,
  ja,
  ldMapFd,
  ldxMem,
  mov32Imm,
  mov64Imm,
  mov64Reg,
  stMem,
  stxMem,
  type LdImm64,
} from '../../src/isa/encode.js';
import { Helper } from '../../src/isa/helpers.js';
import { Assembler } from '../../src/isa/assembler.js';
import { AluOp, AtomicOp, JmpOp, Size, type CondJmpOp, type Reg } from '../../src/isa/opcodes.js';

/** A jump whose offset the assembler fills in once the label's position is known. */
interface Jump {
  readonly to: string;
  readonly insn: Insn;
}
type Item = Insn | LdImm64 | Jump | string;

/** Lays out instructions, labels (strings) and jumps to labels, with the isa layer's Assembler. */
export function asm(items: readonly Item[]): Insn[] {
  const a = new Assembler();
  for (const it of items) {
    if (typeof it === 'string') a.label(it);
    else if (Array.isArray(it)) a.emit(...(it as LdImm64));
    else if ('to' in it) a.jump(it.insn, it.to, 'off');
    else a.emit(it as Insn);
  }
  return a.assemble().insns;
}

export const jumpIf = (op: CondJmpOp, dst: Reg, imm: number, to: string): Jump => ({ to, insn: jmpImm(op, dst, imm, 0) });
export const goto = (to: string): Jump => ({ to, insn: ja(0) });

/**
 * if (the current thread is not the main thread of process `pid`) goto `to`; clobbers r0-r5. The main thread
 * only, because Node's helper threads make an occasional system call of their own.
 */
export function unlessPid(pid: number, to: string): Item[] {
  return [
    call(Helper.get_current_pid_tgid),
    ldImm64(1, (BigInt(pid) << 32n) | BigInt(pid)),
    jumpReg(JmpOp.JNE, 0, 1, to),
  ];
}

const jumpReg = (op: CondJmpOp, dst: Reg, src: Reg, to: string): Jump => ({ to, insn: jmpReg(op, dst, src, 0) });

/** r0 = &array[0] of map `fd` or goto `to` when the lookup fails; clobbers r1-r5 and the stack at -4. */
export function lookupSlot0(fd: number, to: string): Item[] {
  return [
    stMem(Size.W, 10, -4, 0),
    mov64Reg(2, 10),
    alu64Imm(AluOp.ADD, 2, -4),
    ldMapFd(1, fd),
    call(Helper.map_lookup_elem),
    jumpIf(JmpOp.JEQ, 0, 0, to),
  ];
}

const ret0: Item[] = ['out', mov64Imm(0, 0), exit()];

/** Counts the events the filter passes into u64 slot 0 of array map `counterFd`. */
export function countProgram(f: Filter, counterFd: number): Insn[] {
  return asm([
    ...filtered(f),
    ...lookupSlot0(counterFd, 'out'),
    mov64Imm(1, 1),
    atomic(Size.DW, AtomicOp.ADD, 0, 1, 0),
    ...ret0,
  ]);
}

/** Which events a test program counts: the main thread of `pid`, and optionally a u64 in the context equal to a value. */
export interface Filter {
  readonly pid: number;
  readonly arg?: { readonly offset: number; readonly value: number };
}

/** r6 = ctx; goto out unless the filter matches. */
function filtered(f: Filter): Item[] {
  return [
    mov64Reg(6, 1),
    ...(f.arg ? [ldxMem(Size.DW, 1, 6, f.arg.offset), jumpIf(JmpOp.JNE, 1, f.arg.value, 'out')] : []),
    ...unlessPid(f.pid, 'out'),
  ];
}

/**
 * A value no real process passes to getpgid(2) (above pid_max): the test workloads call getpgid(MARK) and the
 * programs count only those calls, since other code in the process makes system calls at unpredictable times
 * (OpenSSL's random generator calls getpid on the main thread, for one).
 */
export const MARK = 0x3fff1234;
/** The offset of the first argument in a syscalls:sys_enter_* tracepoint record. */
export const SYSCALL_ARG0 = 16;
/** The filter for getpgid(MARK) calls of this process, on syscalls:sys_enter_getpgid. */
export const markedCalls = (): Filter => ({ pid: process.pid, arg: { offset: SYSCALL_ARG0, value: MARK } });

let getpgidFn: ((...a: unknown[]) => unknown) | undefined;
/** The marked workload call: getpgid(MARK), which fails with ESRCH after entering the kernel. */
export function markedCall(): void {
  getpgidFn ??= lib().func('int getpgid(int pid)');
  getpgidFn(MARK);
}

/** r7 = the call's sequence number (a fetch-add on slot 0 of `counterFd`), for calls the filter passes. */
function sequence(f: Filter, counterFd: number): Item[] {
  return [
    ...filtered(f),
    ...lookupSlot0(counterFd, 'out'),
    mov64Imm(7, 1),
    atomic(Size.DW, AtomicOp.FETCH_ADD, 0, 7, 0),
  ];
}

/** Writes each call's sequence number (u64) to a ring buffer with bpf_ringbuf_output. */
export function ringbufSequenceProgram(f: Filter, counterFd: number, ringFd: number): Insn[] {
  return asm([
    ...sequence(f, counterFd),
    stxMem(Size.DW, 10, 7, -16),
    ldMapFd(1, ringFd),
    mov64Reg(2, 10),
    alu64Imm(AluOp.ADD, 2, -16),
    mov64Imm(3, 8),
    mov64Imm(4, 0),
    call(Helper.ringbuf_output),
    ...ret0,
  ]);
}

/** Reserves a 16-byte record {seq, seq*3} per call and submits it for even sequence numbers, discards odd ones. */
export function ringbufDiscardProgram(f: Filter, counterFd: number, ringFd: number): Insn[] {
  return asm([
    ...sequence(f, counterFd),
    ldMapFd(1, ringFd),
    mov64Imm(2, 16),
    mov64Imm(3, 0),
    call(Helper.ringbuf_reserve),
    jumpIf(JmpOp.JEQ, 0, 0, 'out'),
    stxMem(Size.DW, 0, 7, 0),
    mov64Reg(8, 7),
    alu64Imm(AluOp.MUL, 8, 3),
    stxMem(Size.DW, 0, 8, 8),
    mov64Reg(1, 0),
    mov64Imm(2, 0),
    alu64Imm(AluOp.AND, 7, 1),
    jumpIf(JmpOp.JNE, 7, 0, 'discard'),
    call(Helper.ringbuf_submit),
    goto('out'),
    'discard',
    call(Helper.ringbuf_discard),
    ...ret0,
  ]);
}

/** Writes each call's sequence number (u64) to the current CPU's perf ring with bpf_perf_event_output. */
export function perfSequenceProgram(f: Filter, counterFd: number, perfArrayFd: number): Insn[] {
  return asm([
    ...sequence(f, counterFd),
    stxMem(Size.DW, 10, 7, -16),
    mov64Reg(1, 6),
    ldMapFd(2, perfArrayFd),
    mov32Imm(3, -1), // BPF_F_CURRENT_CPU: 0xffffffff, zero-extended by the 32-bit move
    mov64Reg(4, 10),
    alu64Imm(AluOp.ADD, 4, -16),
    mov64Imm(5, 8),
    call(Helper.perf_event_output),
    ...ret0,
  ]);
}

/** Writes the u64 at a context offset (a pt_regs register for uprobes) to a ring buffer, for every hit. */
export function ctxValueProgram(ctxOffset: number, ringFd: number): Insn[] {
  return asm([
    ldxMem(Size.DW, 2, 1, ctxOffset),
    stxMem(Size.DW, 10, 2, -8),
    ldMapFd(1, ringFd),
    mov64Reg(2, 10),
    alu64Imm(AluOp.ADD, 2, -8),
    mov64Imm(3, 8),
    mov64Imm(4, 0),
    call(Helper.ringbuf_output),
    ...ret0,
  ]);
}

/** For perf-event programs: records the kernel stack of `pid`'s samples in a stack map, counting successes in slot 0. */
export function stackSampleProgram(pid: number, stackMapFd: number, counterFd: number): Insn[] {
  return asm([
    ...filtered({ pid }),
    mov64Reg(1, 6),
    ldMapFd(2, stackMapFd),
    mov64Imm(3, 0),
    call(Helper.get_stackid),
    jumpIf(JmpOp.JSLT, 0, 0, 'out'),
    ...lookupSlot0(counterFd, 'out'),
    mov64Imm(1, 1),
    atomic(Size.DW, AtomicOp.ADD, 0, 1, 0),
    ...ret0,
  ]);
}

/**
 * Writes a 64-byte record per run to a ring buffer, counting attempts in slot 0 and failures (ring full) in slot 1
 * of array map `counterFd` (value size 8, two entries). For socket-filter test runs with repeat.
 */
export function ringbufFloodProgram(counterFd: number, ringFd: number): Insn[] {
  return asm([
    ...lookupSlot0(counterFd, 'out'),
    mov64Reg(7, 0),
    mov64Imm(1, 1),
    atomic(Size.DW, AtomicOp.FETCH_ADD, 7, 1, 0),
    // A 64-byte record at fp-64: the sequence number, then zeros.
    stxMem(Size.DW, 10, 1, -64),
    ...[-56, -48, -40, -32, -24, -16, -8].map((off) => stMem(Size.DW, 10, off, 0)),
    ldMapFd(1, ringFd),
    mov64Reg(2, 10),
    alu64Imm(AluOp.ADD, 2, -64),
    mov64Imm(3, 64),
    mov64Imm(4, 0),
    call(Helper.ringbuf_output),
    jumpIf(JmpOp.JEQ, 0, 0, 'out'),
    // The ring was full: count the drop in slot 1.
    stMem(Size.W, 10, -4, 1),
    mov64Reg(2, 10),
    alu64Imm(AluOp.ADD, 2, -4),
    ldMapFd(1, counterFd),
    call(Helper.map_lookup_elem),
    jumpIf(JmpOp.JEQ, 0, 0, 'out'),
    mov64Imm(1, 1),
    atomic(Size.DW, AtomicOp.ADD, 0, 1, 0),
    ...ret0,
  ]);
}

// ---- workloads ----

let libc: ReturnType<typeof koffi.load> | undefined;
function lib(): ReturnType<typeof koffi.load> {
  libc ??= koffi.load('libc.so.6');
  return libc;
}

let getppidFn: ((...a: unknown[]) => unknown) | undefined;
/** getppid(2), a real system call (glibc does not cache it). */
export function getppid(): number {
  getppidFn ??= lib().func('int getppid()');
  return getppidFn() as number;
}

let affinityFn: ((...a: unknown[]) => unknown) | undefined;
/** Pins the calling thread to one CPU (so per-CPU rings in a test see every event); returns a restore function. */
export function pinToCpu(cpu: number): () => void {
  affinityFn ??= lib().func('int sched_setaffinity(int pid, size_t size, void *mask)');
  const getFn = lib().func('int sched_getaffinity(int pid, size_t size, void *mask)');
  const old = Buffer.alloc(128);
  if ((getFn(0, old.length, old) as number) < 0) throw new Error('sched_getaffinity failed');
  const mask = Buffer.alloc(128);
  mask[cpu >> 3] = 1 << (cpu & 7);
  if ((affinityFn(0, mask.length, mask) as number) < 0) throw new Error('sched_setaffinity failed');
  return () => {
    affinityFn!(0, old.length, old);
  };
}

// ---- C workloads ----

/** A child process started from a compiled fixture, stopped at its first stdin read until go(). */
export interface Workload {
  readonly pid: number;
  /** Its first line of output, printed once it is ready to be attached to. */
  readonly firstLine: string;
  /** Lets it run; resolves with the rest of its output when it exits with status 0. */
  go(): Promise<string>;
  /** Kills it if it is still running (for a test's cleanup when it failed before go()). */
  close(): void;
}

export async function startWorkload(path: string, args: readonly string[]): Promise<Workload> {
  const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.on('error', reject);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Cannot start ${path}`);
  return {
    pid,
    firstLine,
    async go(): Promise<string> {
      child.stdin.end('go\n');
      const code = await exited;
      if (code !== 0) throw new Error(`${path} exited with ${code}`);
      return out.slice(out.indexOf('\n') + 1);
    },
    close(): void {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Compiles with gcc; throws with gcc's output when it fails. */
export function gcc(args: readonly string[]): void {
  execFileSync('gcc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

// ---- a scripted kernel for unit tests ----

/** A Sys for unit tests: the calls given, and every other call throws (a test must not reach the real kernel). */
export function scriptedSys(calls: Partial<Sys>): Sys {
  const unused = (): never => {
    throw new Error('not used by this test');
  };
  return {
    bpf: unused,
    ioctl: unused,
    close: unused,
    perfEventOpen: unused,
    mmap: unused,
    munmap: unused,
    epollCreate: unused,
    epollCtl: unused,
    epollWait: unused,
    epollWaitAsync: unused,
    address: () => 0n,
    getpid: () => 1,
    ...calls,
  };
}

/** A scripted kernel: BPF_LINK_CREATE answers as told; bpf, ioctl and close succeed and are recorded. */
export function fakeKernel(linkCreate: 'ok' | number): { sys: Sys; calls: string[] } {
  const calls: string[] = [];
  const sys = scriptedSys({
    bpf(cmd) {
      calls.push(`bpf ${cmd}`);
      if (cmd === BpfCmd.LINK_CREATE && linkCreate !== 'ok') throw new SysError('BPF_LINK_CREATE', linkCreate);
      return 100;
    },
    ioctl(fd, request, arg) {
      calls.push(`ioctl ${fd} 0x${request.toString(16)} ${arg}`);
      return 0;
    },
    close(fd) {
      calls.push(`close ${fd}`);
    },
  });
  return { sys, calls };
}
