// The disassembler against the kernel: programs built with the encoders are loaded as socket filters with
// log_level 2, and every instruction line the verifier prints must equal the disassembler's line for it.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpfCmd, MapType, ProgType, sys, SysError } from '../sys/index.js';
import { applyRelocations, Assembler } from './assembler.js';
import { disassemble, formatInsn, type DisasmOptions } from './disasm.js';
import * as E from './encode.js';
import { Helper } from './helpers.js';
import { encodeInsns, type Insn } from './insn.js';
import { AluOp, AtomicOp, JmpOp, LD_IMM64, PseudoLd, R0, R1, R2, R3, R4, R6, R7, R10, Size, type CondJmpOp } from './opcodes.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('verifier.test: not root, cannot load programs; skipping the comparison with the verifier log');

interface LoadResult {
  readonly fd: number;
  readonly log: string;
  readonly error?: SysError;
}

/** BPF_PROG_LOAD of a socket filter with log_level 2 (offsets of union bpf_attr from linux/bpf.h). */
function loadSocketFilter(insns: readonly Insn[]): LoadResult {
  const code = encodeInsns(insns);
  const license = Buffer.from('GPL\0');
  const log = Buffer.alloc(1 << 24);
  const attr = Buffer.alloc(128);
  attr.writeUInt32LE(ProgType.SOCKET_FILTER, 0);
  attr.writeUInt32LE(insns.length, 4);
  attr.writeBigUInt64LE(sys().address(code), 8);
  attr.writeBigUInt64LE(sys().address(license), 16);
  attr.writeUInt32LE(2, 24); // log_level
  attr.writeUInt32LE(log.length, 28);
  attr.writeBigUInt64LE(sys().address(log), 32);
  try {
    const fd = sys().bpf(BpfCmd.PROG_LOAD, attr);
    return { fd, log: logText(log) };
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    return { fd: -1, log: logText(log), error: e };
  }
}

function logText(log: Buffer): string {
  const end = log.indexOf(0);
  return log.subarray(0, end < 0 ? log.length : end).toString();
}

/**
 * The instruction lines of a verifier log by index. The log prints each instruction as `N: (xx) text`,
 * followed on the same line by `; register state` at level 2, and (kernel 6.15+) lists every instruction
 * once more under "Live regs before insn:" as `   N: 0123...... (xx) text`. Both kinds are collected.
 */
function verifierLines(log: string): Map<number, Set<string>> {
  const byIndex = new Map<number, Set<string>>();
  const add = (index: string, text: string): void => {
    const i = Number(index);
    if (!byIndex.has(i)) byIndex.set(i, new Set());
    byIndex.get(i)!.add(text);
  };
  for (const line of log.split('\n')) {
    const trace = /^(\d+): (\([0-9a-f]{2}\) .*?)(?:\s+;.*)?$/.exec(line);
    if (trace) add(trace[1]!, trace[2]!);
    const live = /^\s+(\d+): [0-9.]{10} (\([0-9a-f]{2}\) .*)$/.exec(line);
    if (live) add(live[1]!, live[2]!);
  }
  return byIndex;
}

/**
 * Our line for each instruction, as the verifier will print it. One normalisation: the verifier has already
 * replaced the immediates of pseudo loads before it prints them (map fds by kernel addresses, which vary), and
 * it prints the raw relative immediate of a subprogram address, where we print bpftool's `subprog[+N]`.
 */
function expectedLines(insns: readonly Insn[], options: DisasmOptions = {}): Map<number, RegExp | string> {
  const out = new Map<number, RegExp | string>();
  for (const line of disassemble(insns, options)) {
    const [, index, text] = /^(\d+): (.*)$/.exec(line)!;
    const insn = insns[Number(index)]!;
    if (insn.code === LD_IMM64 && (insn.src === PseudoLd.MAP_FD || insn.src === PseudoLd.MAP_VALUE)) {
      out.set(Number(index), new RegExp(`^${escape(text!.slice(0, text!.indexOf(' = ') + 3))}0x[0-9a-f]+$`));
    } else if (insn.code === LD_IMM64 && insn.src === PseudoLd.FUNC) {
      out.set(Number(index), text!.replace(/subprog\[\+(\d+)\]$/, (_, n: string) => `0x${Number(n).toString(16)}`));
    } else {
      out.set(Number(index), text!);
    }
  }
  return out;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Loads the program and compares every instruction line of the log with ours; returns how many lines were
 * compared. Each test program reaches all its instructions, so all must appear in the log.
 */
function expectVerifierAgrees(insns: readonly Insn[], options: DisasmOptions = {}): number {
  const result = loadSocketFilter(insns);
  if (result.error) throw new Error(`Program was rejected: ${result.error.message}\n${result.log.slice(-3000)}`);
  try {
    return expectLinesAgree(result.log, insns, options, true);
  } finally {
    sys().close(result.fd);
  }
}

function expectLinesAgree(log: string, insns: readonly Insn[], options: DisasmOptions, complete: boolean): number {
  const got = verifierLines(log);
  const want = expectedLines(insns, options);
  if (complete) expect([...got.keys()].sort((a, b) => a - b)).toEqual([...want.keys()]);
  let compared = 0;
  for (const [index, lines] of got) {
    const expected = want.get(index);
    expect(expected, `instruction ${index} in the log is not an instruction of ours`).toBeDefined();
    for (const line of lines) {
      if (typeof expected === 'string') expect(line, `instruction ${index}`).toBe(expected);
      else expect(line, `instruction ${index}`).toMatch(expected!);
      compared++;
    }
  }
  return compared;
}

const BINARY_OPS = [
  AluOp.ADD, AluOp.SUB, AluOp.MUL, AluOp.DIV, AluOp.OR, AluOp.AND, AluOp.LSH, AluOp.RSH, AluOp.MOD, AluOp.XOR, AluOp.MOV, AluOp.ARSH,
] as const;
const COND_OPS: CondJmpOp[] = [
  JmpOp.JEQ, JmpOp.JGT, JmpOp.JGE, JmpOp.JSET, JmpOp.JNE, JmpOp.JSGT, JmpOp.JSGE, JmpOp.JLT, JmpOp.JLE, JmpOp.JSLT, JmpOp.JSLE,
];
const SIZES = [Size.B, Size.H, Size.W, Size.DW] as const;
const ATOMIC_OPS = [
  AtomicOp.ADD, AtomicOp.OR, AtomicOp.AND, AtomicOp.XOR, AtomicOp.FETCH_ADD, AtomicOp.FETCH_OR, AtomicOp.FETCH_AND, AtomicOp.FETCH_XOR,
  AtomicOp.XCHG, AtomicOp.CMPXCHG,
] as const;

/** Every instruction form a socket filter may use together (legacy packet loads cannot be mixed with calls). */
function everyForm(): { insns: Insn[]; relocations: ReturnType<Assembler['assemble']>['relocations'] } {
  const asm = new Assembler();
  asm.emit(E.mov64Reg(R6, R1), E.mov64Imm(R0, 0), E.mov32Imm(R1, -1), E.mov64Imm(R2, 7));
  for (const op of BINARY_OPS) asm.emit(E.alu64Imm(op, R1, op === AluOp.MOV ? -1 : 3), E.alu64Reg(op, R1, R2));
  for (const op of BINARY_OPS) asm.emit(E.alu32Imm(op, R1, 3), E.alu32Reg(op, R1, R2));
  asm.emit(E.neg64(R1), E.neg32(R1));
  asm.emit(E.sdiv64Imm(R1, -3), E.sdiv64Reg(R1, R2), E.smod64Imm(R1, 3), E.smod64Reg(R1, R2));
  asm.emit(E.sdiv32Imm(R1, 3), E.sdiv32Reg(R1, R2), E.smod32Imm(R1, -3), E.smod32Reg(R1, R2));
  asm.emit(E.movsx64(R3, R1, 8), E.movsx64(R3, R1, 16), E.movsx64(R3, R1, 32), E.movsx32(R3, R1, 8), E.movsx32(R3, R1, 16));
  for (const width of [16, 32, 64] as const) asm.emit(E.toLe(R1, width), E.toBe(R1, width), E.bswap(R1, width));
  asm.emit(...E.ldImm64(R3, 0x123456789abcdefn), ...E.ldImm64(R3, -1n), ...E.ldImm64(R3, 0x80000000n));
  // Stack slots must be aligned to their size.
  asm.emit(E.stMem(Size.DW, R10, -8, -2), E.stMem(Size.W, R10, -12, 5), E.stMem(Size.H, R10, -14, 6), E.stMem(Size.B, R10, -15, 7));
  asm.emit(E.stxMem(Size.DW, R10, R1, -24), E.stxMem(Size.W, R10, R1, -28), E.stxMem(Size.H, R10, R1, -30), E.stxMem(Size.B, R10, R1, -31));
  for (const size of SIZES) asm.emit(E.ldxMem(size, R3, R10, -24));
  for (const size of [Size.B, Size.H, Size.W] as const) asm.emit(E.ldxMemSx(size, R3, R10, -24));
  asm.emit(E.stxMem(Size.DW, R10, R2, -40), E.stxMem(Size.W, R10, R2, -44));
  for (const op of ATOMIC_OPS) asm.emit(E.atomic(Size.DW, op, R10, R2, -40), E.atomic(Size.W, op, R10, R2, -44));
  for (const op of COND_OPS) {
    asm.emit(E.jmpImm(op, R1, 5, 0), E.jmpReg(op, R1, R2, 0), E.jmp32Imm(op, R1, -5, 0), E.jmp32Reg(op, R1, R2, 0));
  }
  asm.emit(E.ja(0), E.gotol(0), E.mayGoto(0));
  // Calls clobber r1-r5, so they come last.
  asm.emit(E.call(Helper.get_prandom_u32));
  asm.emit(E.stMem(Size.W, R10, -4, 0)).ldMap(R1, 'array').emit(E.mov64Reg(R2, R10), E.alu64Imm(AluOp.ADD, R2, -4), E.call(Helper.map_lookup_elem));
  asm.jmpImm(JmpOp.JEQ, R0, 0, 'missing').emit(E.ldxMem(Size.W, R3, R0, 0)).label('missing');
  asm.ldMapValue(R1, 'array', 8).emit(E.ldxMem(Size.DW, R3, R1, 0));
  asm.callLocal('subprog').emit(E.mov64Imm(R0, 0), E.exit());
  asm.label('subprog').emit(E.mov64Imm(R0, 1), E.exit());
  return asm.assemble();
}

describe.skipIf(!isRoot)('disassembler against the verifier log', () => {
  let mapFd = -1;
  beforeAll(() => {
    const attr = Buffer.alloc(72);
    attr.writeUInt32LE(MapType.ARRAY, 0);
    attr.writeUInt32LE(4, 4); // key size
    attr.writeUInt32LE(16, 8); // value size
    attr.writeUInt32LE(1, 12); // max entries
    mapFd = sys().bpf(BpfCmd.MAP_CREATE, attr);
  });
  afterAll(() => {
    if (mapFd >= 0) sys().close(mapFd);
  });

  it('prints every arithmetic, memory, atomic, jump, call and 64-bit load form as the verifier does', () => {
    const { insns, relocations } = everyForm();
    const patched = applyRelocations(insns, relocations, () => mapFd);
    expect(expectVerifierAgrees(patched)).toBe(disassemble(patched).length);
  });

  it('prints a subprogram address load as the verifier does, before rejecting it for want of BTF', () => {
    // Callbacks need BTF func_info, which this layer does not make; the verifier still prints the
    // instructions it reached before refusing, the address load among them.
    const asm = new Assembler();
    asm.emit(E.mov64Imm(R1, 2)).ldFunc(R2, 'callback').emit(E.mov64Imm(R3, 0), E.mov64Imm(R4, 0), E.call(Helper.loop), E.exit());
    asm.label('callback').emit(E.mov64Imm(R0, 0), E.exit());
    const { insns } = asm.assemble();
    const result = loadSocketFilter(insns);
    expect(result.error?.code).toBe('EINVAL');
    expect(result.log).toContain('missing btf func_info');
    expect(verifierLines(result.log).has(1)).toBe(true);
    expect(expectLinesAgree(result.log, insns, {}, false)).toBeGreaterThanOrEqual(2);
  });

  it('prints legacy packet loads as the verifier does', () => {
    const insns = [E.mov64Reg(R6, R1), E.mov64Imm(R7, 1)];
    for (const size of [Size.B, Size.H, Size.W] as const) insns.push(E.ldAbs(size, 4), E.ldInd(size, R7, -1));
    insns.push(E.exit());
    expect(expectVerifierAgrees(insns)).toBe(insns.length);
  });

  it('prints load-acquire and store-release as the verifier does', (ctx) => {
    const insns = [E.mov64Imm(R1, 9)];
    for (const size of SIZES) insns.push(E.storeRelease(size, R10, R1, -8), E.loadAcquire(size, R0, R10, -8));
    insns.push(E.mov64Imm(R0, 0), E.exit());
    const probe = loadSocketFilter(insns);
    if (probe.error) {
      const reason = `kernel refuses load-acquire/store-release (${probe.error.code}): ${probe.log.trim().split('\n').at(-2) ?? ''}`;
      console.log(`verifier.test: ${reason}`);
      ctx.skip(reason);
    }
    sys().close(probe.fd);
    expect(expectVerifierAgrees(insns)).toBe(insns.length);
  });

  it('prints instructions read back from the kernel as bpftool prog dump xlated does', (ctx) => {
    const insns = [
      E.stMem(Size.W, R10, -4, 0),
      ...E.ldMapFd(R1, mapFd),
      ...E.ldMapValue(R1, mapFd, 8),
      E.ldxMem(Size.DW, R3, R1, 0),
      E.alu64Imm(AluOp.AND, R3, 0xff),
      E.jmpImm(JmpOp.JGT, R3, 10, 1),
      E.toBe(R3, 16),
      E.mov64Reg(R0, R3),
      E.exit(),
    ];
    const result = loadSocketFilter(insns);
    if (result.error) throw new Error(`Program was rejected: ${result.error.message}\n${result.log.slice(-3000)}`);
    try {
      let out: string;
      try {
        out = execFileSync('bpftool', ['-j', 'prog', 'dump', 'xlated', 'id', String(progId(result.fd)), 'opcodes'], { encoding: 'utf8' });
      } catch (e) {
        console.log(`verifier.test: bpftool could not dump the program, skipping the xlated comparison: ${(e as Error).message}`);
        ctx.skip('bpftool missing');
        return;
      }
      const entries = JSON.parse(out) as BpftoolXlated[];
      // The kernel gives map references back as map ids, which is what mapRef 'id' prints.
      const ours = entries.map((entry) => formatInsn(...fromBpftool(entry), { mapRef: 'id' }));
      expect(ours).toEqual(entries.map((entry) => entry.disasm));
      expect(ours.filter((line) => /map\[id:\d+\]/.test(line))).toHaveLength(2);
    } finally {
      sys().close(result.fd);
    }
  });

  it('names kernel functions as the verifier does when given their names', (ctx) => {
    const ids = kfuncIds(['bpf_rcu_read_lock', 'bpf_rcu_read_unlock']);
    if (!ids) {
      console.log('verifier.test: bpftool missing, cannot look up kfunc BTF ids; skipping the kfunc call check');
      ctx.skip('bpftool missing');
      return;
    }
    const names = new Map([...ids].map(([name, id]) => [id, name]));
    const insns = [E.callKfunc(ids.get('bpf_rcu_read_lock')!), E.callKfunc(ids.get('bpf_rcu_read_unlock')!), E.mov64Imm(R0, 0), E.exit()];
    expect(expectVerifierAgrees(insns, { kfuncName: (id) => names.get(id) })).toBe(4);
  });
});

/** The kernel's id of a loaded program: bpf_prog_info.id from BPF_OBJ_GET_INFO_BY_FD. */
function progId(fd: number): number {
  const info = Buffer.alloc(232);
  const attr = Buffer.alloc(16);
  attr.writeUInt32LE(fd, 0);
  attr.writeUInt32LE(info.length, 4);
  attr.writeBigUInt64LE(sys().address(info), 8);
  sys().bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr);
  return info.readUInt32LE(4);
}

interface BpftoolXlated {
  readonly disasm: string;
  readonly opcodes: { code: string; src_reg: string; dst_reg: string; off: string[]; imm: string[] };
}

/** Rebuilds the instruction (and the second half of a 64-bit load) from bpftool's JSON bytes. */
function fromBpftool(entry: BpftoolXlated): [Insn, Insn | undefined] {
  const o = entry.opcodes;
  const off = Buffer.from(o.off.map((b) => parseInt(b, 16))).readInt16LE(0);
  const imm = Buffer.from(o.imm.map((b) => parseInt(b, 16)));
  const insn = { code: parseInt(o.code, 16), dst: parseInt(o.dst_reg, 16), src: parseInt(o.src_reg, 16), off, imm: imm.readInt32LE(0) };
  // For a 64-bit load bpftool lists the 4 immediate bytes followed by the whole second instruction.
  const next = imm.length >= 12 ? { code: 0, dst: 0, src: 0, off: 0, imm: imm.readInt32LE(8) } : undefined;
  return [insn, next];
}

/** BTF ids of kernel functions, from `bpftool btf dump` of vmlinux; undefined without bpftool. */
function kfuncIds(names: string[]): Map<string, number> | undefined {
  let out: string;
  try {
    out = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch {
    return undefined;
  }
  const ids = new Map<string, number>();
  for (const m of out.matchAll(/^\[(\d+)\] FUNC '(\w+)'/gm)) if (names.includes(m[2]!)) ids.set(m[2]!, Number(m[1]));
  return ids.size === names.length ? ids : undefined;
}
