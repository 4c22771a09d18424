// Typed encoders, one per instruction form of RFC 9669. Each returns plain Insn data; a 64-bit immediate
// load returns its two halves. Ranges are checked here so that a bad operand fails where it is made,
// not as a verifier error far away.
import { InsnError, type Insn } from './insn.js';
import {
  AluOp,
  AtomicOp,
  Class,
  Endian,
  JmpOp,
  LD_IMM64,
  MAY_GOTO,
  Mode,
  PseudoCall,
  PseudoLd,
  SIGNED_OFF,
  Size,
  Source,
  type CondJmpOp,
  type EndianWidth,
  type MovsxWidth,
  type Reg,
} from './opcodes.js';

/** The two instructions of a 64-bit immediate load. */
export type LdImm64 = readonly [Insn, Insn];

/** ALU operations that take a destination and one operand (NEG and END have their own encoders). */
export type BinaryAluOp = Exclude<AluOp, typeof AluOp.NEG | typeof AluOp.END>;

/** Sizes the atomic instructions accept. */
export type AtomicSize = typeof Size.W | typeof Size.DW;

/** Sizes a sign-extending load accepts. */
export type SxSize = typeof Size.B | typeof Size.H | typeof Size.W;

/**
 * Builds one instruction from its fields, checking their ranges. The immediate may be given signed or
 * unsigned (0xffffffff and -1 are the same bits) and is stored signed, as decodeInsns returns it.
 */
export function insn(code: number, dst: number, src: number, off: number, imm: number): Insn {
  if (!(dst >= 0 && dst <= 10 && Number.isInteger(dst))) throw new InsnError(`Invalid register r${dst}: must be 0..10`);
  if (!(src >= 0 && src <= 15 && Number.isInteger(src))) throw new InsnError(`Invalid source field ${src}: must be 0..15`);
  if (!(off >= -0x8000 && off <= 0x7fff && Number.isInteger(off))) {
    throw new InsnError(`Invalid offset ${off}: does not fit in 16 bits`);
  }
  if (!(imm >= -0x80000000 && imm <= 0xffffffff && Number.isInteger(imm))) {
    throw new InsnError(`Invalid immediate ${imm}: does not fit in 32 bits`);
  }
  return { code, dst, src, off, imm: imm | 0 };
}

// ---- arithmetic ----

export function alu64Imm(op: BinaryAluOp, dst: Reg, imm: number): Insn {
  return insn(Class.ALU64 | Source.K | op, dst, 0, 0, imm);
}

export function alu64Reg(op: BinaryAluOp, dst: Reg, src: Reg): Insn {
  return insn(Class.ALU64 | Source.X | op, dst, src, 0, 0);
}

export function alu32Imm(op: BinaryAluOp, dst: Reg, imm: number): Insn {
  return insn(Class.ALU | Source.K | op, dst, 0, 0, imm);
}

export function alu32Reg(op: BinaryAluOp, dst: Reg, src: Reg): Insn {
  return insn(Class.ALU | Source.X | op, dst, src, 0, 0);
}

export function mov64Imm(dst: Reg, imm: number): Insn {
  return alu64Imm(AluOp.MOV, dst, imm);
}

export function mov64Reg(dst: Reg, src: Reg): Insn {
  return alu64Reg(AluOp.MOV, dst, src);
}

export function mov32Imm(dst: Reg, imm: number): Insn {
  return alu32Imm(AluOp.MOV, dst, imm);
}

export function mov32Reg(dst: Reg, src: Reg): Insn {
  return alu32Reg(AluOp.MOV, dst, src);
}

/** dst = -dst (64-bit). */
export function neg64(dst: Reg): Insn {
  return insn(Class.ALU64 | Source.K | AluOp.NEG, dst, 0, 0, 0);
}

/** dst = -dst (32-bit, upper half zeroed). */
export function neg32(dst: Reg): Insn {
  return insn(Class.ALU | Source.K | AluOp.NEG, dst, 0, 0, 0);
}

/** dst = (s8/s16/s32) src, sign-extended to 64 bits (cpu v4). */
export function movsx64(dst: Reg, src: Reg, width: MovsxWidth): Insn {
  return insn(Class.ALU64 | Source.X | AluOp.MOV, dst, src, width, 0);
}

/** dst = (s8/s16) src, sign-extended to 32 bits, upper half zeroed (cpu v4). */
export function movsx32(dst: Reg, src: Reg, width: 8 | 16): Insn {
  return insn(Class.ALU | Source.X | AluOp.MOV, dst, src, width, 0);
}

/** Signed division and modulo (cpu v4): the DIV/MOD opcodes with offset 1. */
export function sdiv64Imm(dst: Reg, imm: number): Insn {
  return insn(Class.ALU64 | Source.K | AluOp.DIV, dst, 0, SIGNED_OFF, imm);
}

export function sdiv64Reg(dst: Reg, src: Reg): Insn {
  return insn(Class.ALU64 | Source.X | AluOp.DIV, dst, src, SIGNED_OFF, 0);
}

export function smod64Imm(dst: Reg, imm: number): Insn {
  return insn(Class.ALU64 | Source.K | AluOp.MOD, dst, 0, SIGNED_OFF, imm);
}

export function smod64Reg(dst: Reg, src: Reg): Insn {
  return insn(Class.ALU64 | Source.X | AluOp.MOD, dst, src, SIGNED_OFF, 0);
}

export function sdiv32Imm(dst: Reg, imm: number): Insn {
  return insn(Class.ALU | Source.K | AluOp.DIV, dst, 0, SIGNED_OFF, imm);
}

export function sdiv32Reg(dst: Reg, src: Reg): Insn {
  return insn(Class.ALU | Source.X | AluOp.DIV, dst, src, SIGNED_OFF, 0);
}

export function smod32Imm(dst: Reg, imm: number): Insn {
  return insn(Class.ALU | Source.K | AluOp.MOD, dst, 0, SIGNED_OFF, imm);
}

export function smod32Reg(dst: Reg, src: Reg): Insn {
  return insn(Class.ALU | Source.X | AluOp.MOD, dst, src, SIGNED_OFF, 0);
}

/** Converts the low `width` bits of dst to the given byte order, zero-extending the rest. */
export function endian(order: Endian, dst: Reg, width: EndianWidth): Insn {
  return insn(Class.ALU | order | AluOp.END, dst, 0, 0, width);
}

export function toLe(dst: Reg, width: EndianWidth): Insn {
  return endian(Endian.TO_LE, dst, width);
}

export function toBe(dst: Reg, width: EndianWidth): Insn {
  return endian(Endian.TO_BE, dst, width);
}

/** Unconditionally swaps the bytes of the low `width` bits of dst (ALU64|END, cpu v4). */
export function bswap(dst: Reg, width: EndianWidth): Insn {
  return insn(Class.ALU64 | Source.K | AluOp.END, dst, 0, 0, width);
}

// ---- 64-bit immediates ----

const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/** The raw form of a 64-bit immediate load: `src` is a PseudoLd, the halves are stored as given. */
export function ldImm64Raw(dst: Reg, src: PseudoLd, imm: number, nextImm: number): LdImm64 {
  return [insn(LD_IMM64, dst, src, 0, imm), insn(0, 0, 0, 0, nextImm)];
}

/** dst = value, any 64-bit value, signed or unsigned. */
export function ldImm64(dst: Reg, value: bigint | number): LdImm64 {
  const v = typeof value === 'bigint' ? value : toBigInt(value);
  if (v < INT64_MIN || v > UINT64_MAX) throw new InsnError(`Invalid immediate ${v}: does not fit in 64 bits`);
  return ldImm64Raw(dst, PseudoLd.NONE, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
}

function toBigInt(value: number): bigint {
  if (!Number.isSafeInteger(value)) throw new InsnError(`Invalid immediate ${value}: not a safe integer, pass a bigint`);
  return BigInt(value);
}

/** dst = the address of the map behind `fd` (the kernel swaps the fd for the pointer at load). */
export function ldMapFd(dst: Reg, fd: number): LdImm64 {
  return ldImm64Raw(dst, PseudoLd.MAP_FD, fd, 0);
}

/** dst = the address of the map's value (array maps: element 0) plus `offset`. */
export function ldMapValue(dst: Reg, fd: number, offset: number): LdImm64 {
  return ldImm64Raw(dst, PseudoLd.MAP_VALUE, fd, offset);
}

/** As ldMapFd, with an index into the fd_array given at load. */
export function ldMapIdx(dst: Reg, index: number): LdImm64 {
  return ldImm64Raw(dst, PseudoLd.MAP_IDX, index, 0);
}

/** As ldMapValue, with an index into the fd_array given at load. */
export function ldMapIdxValue(dst: Reg, index: number, offset: number): LdImm64 {
  return ldImm64Raw(dst, PseudoLd.MAP_IDX_VALUE, index, offset);
}

/** dst = the address of the kernel variable with this BTF id (a ksym). */
export function ldBtfId(dst: Reg, btfId: number): LdImm64 {
  return ldImm64Raw(dst, PseudoLd.BTF_ID, btfId, 0);
}

/** dst = the address of the subprogram at pc + off + 1, pc being this load's first half (as for calls). */
export function ldFunc(dst: Reg, off: number): LdImm64 {
  return ldImm64Raw(dst, PseudoLd.FUNC, off, 0);
}

// ---- legacy packet access (socket filters; the context must be in r6; result in r0) ----

/** r0 = the packet's bytes at `imm`, converted from network order. */
export function ldAbs(size: Size, imm: number): Insn {
  return insn(Class.LD | size | Mode.ABS, 0, 0, 0, imm);
}

/** r0 = the packet's bytes at src + imm, converted from network order. */
export function ldInd(size: Size, src: Reg, imm: number): Insn {
  return insn(Class.LD | size | Mode.IND, 0, src, 0, imm);
}

// ---- memory ----

/** dst = *(size *)(src + off), zero-extended. */
export function ldxMem(size: Size, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.LDX | size | Mode.MEM, dst, src, off, 0);
}

/** dst = *(s8/s16/s32 *)(src + off), sign-extended (cpu v4). */
export function ldxMemSx(size: SxSize, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.LDX | size | Mode.MEMSX, dst, src, off, 0);
}

/** *(size *)(dst + off) = imm. */
export function stMem(size: Size, dst: Reg, off: number, imm: number): Insn {
  return insn(Class.ST | size | Mode.MEM, dst, 0, off, imm);
}

/** *(size *)(dst + off) = src. */
export function stxMem(size: Size, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.STX | size | Mode.MEM, dst, src, off, 0);
}

/**
 * An atomic read-modify-write of *(size *)(dst + off) with src. With FETCH (and XCHG) src receives the old
 * value; CMPXCHG compares with r0 and leaves the old value in r0.
 */
export function atomic(size: AtomicSize, op: AtomicOp, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.STX | size | Mode.ATOMIC, dst, src, off, op);
}

/** dst = load_acquire((size *)(src + off)). */
export function loadAcquire(size: Size, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.STX | size | Mode.ATOMIC, dst, src, off, AtomicOp.LOAD_ACQ);
}

/** store_release((size *)(dst + off), src). */
export function storeRelease(size: Size, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.STX | size | Mode.ATOMIC, dst, src, off, AtomicOp.STORE_REL);
}

// ---- jumps and calls (offsets count instructions after the jump: target = pc + off + 1) ----

export function jmpImm(op: CondJmpOp, dst: Reg, imm: number, off: number): Insn {
  return insn(Class.JMP | Source.K | op, dst, 0, off, imm);
}

export function jmpReg(op: CondJmpOp, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.JMP | Source.X | op, dst, src, off, 0);
}

/** Compares the low 32 bits only. */
export function jmp32Imm(op: CondJmpOp, dst: Reg, imm: number, off: number): Insn {
  return insn(Class.JMP32 | Source.K | op, dst, 0, off, imm);
}

export function jmp32Reg(op: CondJmpOp, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.JMP32 | Source.X | op, dst, src, off, 0);
}

/** goto pc+off (16-bit offset). */
export function ja(off: number): Insn {
  return insn(Class.JMP | JmpOp.JA, 0, 0, off, 0);
}

/** goto pc+imm with a 32-bit offset (JMP32|JA, cpu v4). */
export function gotol(imm: number): Insn {
  return insn(Class.JMP32 | JmpOp.JA, 0, 0, 0, imm);
}

/** Falls through while the kernel's loop budget lasts, then jumps by off. */
export function mayGoto(off: number): Insn {
  return insn(Class.JMP | JmpOp.JCOND, 0, MAY_GOTO, off, 0);
}

/** Calls a helper by id (see helpers.ts). */
export function call(helperId: number): Insn {
  return insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.HELPER, 0, helperId);
}

/** Calls the subprogram starting at pc + imm + 1. */
export function callLocal(imm: number): Insn {
  return insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.CALL, 0, imm);
}

/** Calls a kernel function by BTF id; `btfFdIndex` picks a module's BTF from fd_array (0: vmlinux). */
export function callKfunc(btfId: number, btfFdIndex = 0): Insn {
  return insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.KFUNC_CALL, btfFdIndex, btfId);
}

export function exit(): Insn {
  return insn(Class.JMP | JmpOp.EXIT, 0, 0, 0, 0);
}
