import { describe, expect, it } from 'vitest';
import { disassemble, formatInsn } from './disasm.js';
import * as E from './encode.js';
import { Helper } from './helpers.js';
import { decodeInsns, type Insn } from './insn.js';
import { AluOp, AtomicOp, JmpOp, R0, R1, R2, R3, R6, R10, Size } from './opcodes.js';

// Expected lines are in the syntax of the kernel's verifier log (kernel/bpf/disasm.c); verifier.test.ts checks
// the same forms against the running kernel's own log.
const f = (insn: Insn): string => formatInsn(insn);

describe('formatInsn', () => {
  it('prints 64-bit arithmetic on r registers', () => {
    expect(f(E.mov64Imm(R1, 0))).toBe('(b7) r1 = 0');
    expect(f(E.mov64Reg(R6, R1))).toBe('(bf) r6 = r1');
    expect(f(E.alu64Imm(AluOp.ADD, R1, -8))).toBe('(07) r1 += -8');
    expect(f(E.alu64Reg(AluOp.SUB, R1, R2))).toBe('(1f) r1 -= r2');
    expect(f(E.alu64Imm(AluOp.MUL, R1, 3))).toBe('(27) r1 *= 3');
    expect(f(E.alu64Reg(AluOp.DIV, R1, R2))).toBe('(3f) r1 /= r2');
    expect(f(E.alu64Imm(AluOp.OR, R1, 1))).toBe('(47) r1 |= 1');
    expect(f(E.alu64Imm(AluOp.AND, R1, 255))).toBe('(57) r1 &= 255');
    expect(f(E.alu64Imm(AluOp.LSH, R1, 32))).toBe('(67) r1 <<= 32');
    expect(f(E.alu64Imm(AluOp.RSH, R0, 32))).toBe('(77) r0 >>= 32');
    expect(f(E.alu64Reg(AluOp.MOD, R1, R2))).toBe('(9f) r1 %= r2');
    expect(f(E.alu64Reg(AluOp.XOR, R1, R1))).toBe('(af) r1 ^= r1');
    expect(f(E.alu64Imm(AluOp.ARSH, R1, 3))).toBe('(c7) r1 s>>= 3');
    expect(f(E.neg64(R1))).toBe('(87) r1 = -r1');
  });

  it('prints 32-bit arithmetic on w registers', () => {
    expect(f(E.mov32Imm(R1, -1))).toBe('(b4) w1 = -1');
    expect(f(E.mov32Reg(R1, R2))).toBe('(bc) w1 = w2');
    expect(f(E.alu32Imm(AluOp.ARSH, R1, 1))).toBe('(c4) w1 s>>= 1');
    expect(f(E.alu32Reg(AluOp.ADD, R3, R2))).toBe('(0c) w3 += w2');
    expect(f(E.neg32(R1))).toBe('(84) w1 = -w1');
  });

  it('prints signed division, modulo and sign-extending moves', () => {
    expect(f(E.sdiv64Imm(R1, 3))).toBe('(37) r1 s/= 3');
    expect(f(E.sdiv64Reg(R1, R2))).toBe('(3f) r1 s/= r2');
    expect(f(E.smod64Imm(R1, 3))).toBe('(97) r1 s%= 3');
    expect(f(E.smod32Reg(R1, R2))).toBe('(9c) w1 s%= w2');
    expect(f(E.sdiv32Imm(R1, -2))).toBe('(34) w1 s/= -2');
    expect(f(E.movsx64(R3, R1, 8))).toBe('(bf) r3 = (s8)r1');
    expect(f(E.movsx64(R3, R1, 16))).toBe('(bf) r3 = (s16)r1');
    expect(f(E.movsx64(R3, R1, 32))).toBe('(bf) r3 = (s32)r1');
    expect(f(E.movsx32(R3, R1, 16))).toBe('(bc) w3 = (s16)w1');
  });

  it('prints byte order conversions and swaps', () => {
    expect(f(E.toLe(R1, 16))).toBe('(d4) r1 = le16 r1');
    expect(f(E.toBe(R1, 64))).toBe('(dc) r1 = be64 r1');
    expect(f(E.bswap(R1, 32))).toBe('(d7) r1 = bswap32 r1');
  });

  it('prints the arena cast and per-CPU address moves', () => {
    expect(f({ code: 0xbf, dst: 1, src: 2, off: 1, imm: 1 })).toBe('(bf) r1 = addr_space_cast(r2, 0, 1)');
    expect(f({ code: 0xbf, dst: 1, src: 2, off: 1, imm: 0x10000 })).toBe('(bf) r1 = addr_space_cast(r2, 1, 0)');
    expect(f({ code: 0xbf, dst: 1, src: 1, off: -1, imm: 0 })).toBe('(bf) r1 = &(void __percpu *)(r1)');
  });

  it('prints loads and stores of every size', () => {
    expect(f(E.stMem(Size.W, R10, -4, 0))).toBe('(62) *(u32 *)(r10 -4) = 0');
    expect(f(E.stMem(Size.DW, R10, -16, -1))).toBe('(7a) *(u64 *)(r10 -16) = -1');
    expect(f(E.stxMem(Size.W, R10, R1, -4))).toBe('(63) *(u32 *)(r10 -4) = r1');
    expect(f(E.stxMem(Size.B, R1, R2, 3))).toBe('(73) *(u8 *)(r1 +3) = r2');
    expect(f(E.stxMem(Size.H, R1, R2, 0))).toBe('(6b) *(u16 *)(r1 +0) = r2');
    expect(f(E.ldxMem(Size.W, R0, R1, 0))).toBe('(61) r0 = *(u32 *)(r1 +0)');
    expect(f(E.ldxMem(Size.DW, R0, R10, -8))).toBe('(79) r0 = *(u64 *)(r10 -8)');
    expect(f(E.ldxMemSx(Size.B, R3, R10, -16))).toBe('(91) r3 = *(s8 *)(r10 -16)');
    expect(f(E.ldxMemSx(Size.H, R3, R10, -16))).toBe('(89) r3 = *(s16 *)(r10 -16)');
    expect(f(E.ldxMemSx(Size.W, R3, R10, -16))).toBe('(81) r3 = *(s32 *)(r10 -16)');
  });

  it('prints atomics as the kernel does', () => {
    expect(f(E.atomic(Size.DW, AtomicOp.ADD, R1, R2, 0))).toBe('(db) lock *(u64 *)(r1 +0) += r2');
    expect(f(E.atomic(Size.W, AtomicOp.OR, R1, R2, 4))).toBe('(c3) lock *(u32 *)(r1 +4) |= r2');
    expect(f(E.atomic(Size.W, AtomicOp.AND, R1, R2, 4))).toBe('(c3) lock *(u32 *)(r1 +4) &= r2');
    expect(f(E.atomic(Size.W, AtomicOp.XOR, R1, R2, 4))).toBe('(c3) lock *(u32 *)(r1 +4) ^= r2');
    expect(f(E.atomic(Size.DW, AtomicOp.FETCH_ADD, R10, R2, -16))).toBe('(db) r2 = atomic64_fetch_add((u64 *)(r10 -16), r2)');
    expect(f(E.atomic(Size.W, AtomicOp.FETCH_AND, R10, R2, -16))).toBe('(c3) r2 = atomic_fetch_and((u32 *)(r10 -16), r2)');
    expect(f(E.atomic(Size.W, AtomicOp.FETCH_OR, R10, R2, -16))).toBe('(c3) r2 = atomic_fetch_or((u32 *)(r10 -16), r2)');
    expect(f(E.atomic(Size.DW, AtomicOp.FETCH_XOR, R10, R2, -16))).toBe('(db) r2 = atomic64_fetch_xor((u64 *)(r10 -16), r2)');
    expect(f(E.atomic(Size.W, AtomicOp.XCHG, R10, R2, -16))).toBe('(c3) r2 = atomic_xchg((u32 *)(r10 -16), r2)');
    expect(f(E.atomic(Size.DW, AtomicOp.CMPXCHG, R10, R2, -16))).toBe('(db) r0 = atomic64_cmpxchg((u64 *)(r10 -16), r0, r2)');
    expect(f(E.loadAcquire(Size.W, R3, R1, 0))).toBe('(c3) r3 = load_acquire((u32 *)(r1 +0))');
    expect(f(E.storeRelease(Size.DW, R1, R3, 8))).toBe('(db) store_release((u64 *)(r1 +8), r3)');
  });

  it('prints 64-bit immediates, with map references by fd or by id', () => {
    const [lo, hi] = E.ldImm64(R3, 0x123456789abcdefn);
    expect(formatInsn(lo, hi)).toBe('(18) r3 = 0x123456789abcdef');
    const [nlo, nhi] = E.ldImm64(R3, -1n);
    expect(formatInsn(nlo, nhi)).toBe('(18) r3 = 0xffffffffffffffff');
    expect(formatInsn(E.ldImm64(R3, 5n)[0])).toBe('(18) r3 = 0x5');
    expect(f(E.ldMapFd(R1, 5)[0])).toBe('(18) r1 = map[fd:5]');
    expect(formatInsn(E.ldMapFd(R1, 5)[0], undefined, { mapRef: 'id' })).toBe('(18) r1 = map[id:5]');
    const [vlo, vhi] = E.ldMapValue(R1, 5, 16);
    expect(formatInsn(vlo, vhi)).toBe('(18) r1 = map[fd:5][0]+16');
    expect(formatInsn(vlo, vhi, { mapRef: 'id' })).toBe('(18) r1 = map[id:5][0]+16');
    const [ilo, ihi] = E.ldMapIdxValue(R1, 2, 8);
    expect(formatInsn(ilo, ihi)).toBe('(18) r1 = map[idx:2]+8');
    expect(f(E.ldMapIdx(R1, 2)[0])).toBe('(18) r1 = map[idx:2]');
    expect(f(E.ldFunc(R2, 6)[0])).toBe('(18) r2 = subprog[+6]');
    expect(f(E.ldBtfId(R2, 0x1234)[0])).toBe('(18) r2 = 0x1234');
  });

  it('prints legacy packet loads', () => {
    expect(f(E.ldAbs(Size.B, 0))).toBe('(30) r0 = *(u8 *)skb[0]');
    expect(f(E.ldAbs(Size.H, 12))).toBe('(28) r0 = *(u16 *)skb[12]');
    expect(f(E.ldAbs(Size.W, 4))).toBe('(20) r0 = *(u32 *)skb[4]');
    expect(f(E.ldInd(Size.W, R3, 8))).toBe('(40) r0 = *(u32 *)skb[r3 + 8]');
    expect(f(E.ldInd(Size.B, R3, -1))).toBe('(50) r0 = *(u8 *)skb[r3 + -1]');
  });

  it('prints jumps with immediates in hex and offsets signed', () => {
    expect(f(E.jmpImm(JmpOp.JEQ, R0, 0, 3))).toBe('(15) if r0 == 0x0 goto pc+3');
    expect(f(E.jmpImm(JmpOp.JNE, R1, -1, -4))).toBe('(55) if r1 != 0xffffffff goto pc-4');
    expect(f(E.jmpReg(JmpOp.JGT, R1, R2, 0))).toBe('(2d) if r1 > r2 goto pc+0');
    expect(f(E.jmpImm(JmpOp.JGE, R1, 16, 1))).toBe('(35) if r1 >= 0x10 goto pc+1');
    expect(f(E.jmpReg(JmpOp.JSET, R1, R2, 1))).toBe('(4d) if r1 & r2 goto pc+1');
    expect(f(E.jmpImm(JmpOp.JSGT, R1, 1, 1))).toBe('(65) if r1 s> 0x1 goto pc+1');
    expect(f(E.jmpImm(JmpOp.JSGE, R1, 1, 1))).toBe('(75) if r1 s>= 0x1 goto pc+1');
    expect(f(E.jmpImm(JmpOp.JLT, R1, 1, 1))).toBe('(a5) if r1 < 0x1 goto pc+1');
    expect(f(E.jmpImm(JmpOp.JLE, R1, 1, 1))).toBe('(b5) if r1 <= 0x1 goto pc+1');
    expect(f(E.jmpImm(JmpOp.JSLT, R1, 1, 1))).toBe('(c5) if r1 s< 0x1 goto pc+1');
    expect(f(E.jmpReg(JmpOp.JSLE, R1, R2, 1))).toBe('(dd) if r1 s<= r2 goto pc+1');
    expect(f(E.jmp32Imm(JmpOp.JEQ, R1, 7, 2))).toBe('(16) if w1 == 0x7 goto pc+2');
    expect(f(E.jmp32Reg(JmpOp.JSLE, R1, R2, 0))).toBe('(de) if w1 s<= w2 goto pc+0');
    expect(f(E.ja(-1))).toBe('(05) goto pc-1');
    expect(f(E.gotol(70000))).toBe('(06) gotol pc+70000');
    expect(f(E.mayGoto(2))).toBe('(e5) may_goto pc+2');
  });

  it('prints calls of helpers, subprograms and kernel functions', () => {
    expect(f(E.call(Helper.map_lookup_elem))).toBe('(85) call bpf_map_lookup_elem#1');
    expect(f(E.call(Helper.get_prandom_u32))).toBe('(85) call bpf_get_prandom_u32#7');
    expect(f(E.call(9999))).toBe('(85) call unknown#9999');
    expect(f(E.callLocal(1))).toBe('(85) call pc+1');
    expect(f(E.callLocal(-7))).toBe('(85) call pc-7');
    expect(f(E.callKfunc(4242))).toBe('(85) call kernel-function#4242');
    expect(formatInsn(E.callKfunc(4242), undefined, { kfuncName: (id) => (id === 4242 ? 'bpf_rcu_read_lock' : undefined) })).toBe(
      '(85) call bpf_rcu_read_lock#4242',
    );
    expect(f(E.exit())).toBe('(95) exit');
  });

  it('prints what the kernel prints for malformed instructions', () => {
    expect(f({ code: 0x02 | 0x20, dst: 0, src: 0, off: 0, imm: 0 })).toBe('BUG_st_22');
    expect(f({ code: 0x01 | 0x20, dst: 0, src: 0, off: 0, imm: 0 })).toBe('BUG_ldx_21');
    expect(f({ code: 0x00 | 0x60, dst: 0, src: 0, off: 0, imm: 0 })).toBe('BUG_ld_60');
    expect(f({ code: 0xdb, dst: 1, src: 2, off: 0, imm: 0x33 })).toBe('BUG_db');
    expect(f({ code: 0xe7, dst: 1, src: 0, off: 0, imm: 1 })).toBe('(e7) r1 (null) 1');
    expect(f({ code: 0xf5, dst: 1, src: 0, off: 0, imm: 1 })).toBe('(f5) if r1 (null) 0x1 goto pc+0');
  });

  it('prints any bytes without throwing (instructions read back from anywhere)', () => {
    // A fixed-seed generator keeps the test repeatable.
    let seed = 0x9e3779b9;
    const random = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const bytes = new Uint8Array(8 * 20000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = random() & 0xff;
    const insns = decodeInsns(bytes);
    const lines = disassemble(insns);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\d+: (\([0-9a-f]{2}\) \S|BUG_)/);
    expect(lines.some((line) => line.includes('undefined'))).toBe(false);
  });
});

describe('disassemble', () => {
  it('numbers lines by instruction index and gives a 64-bit load one line', () => {
    const insns = [E.mov64Reg(R6, R1), ...E.ldMapFd(R1, 4), E.call(Helper.map_lookup_elem), E.jmpImm(JmpOp.JEQ, R0, 0, 1), E.mov64Imm(R0, 1), E.exit()];
    expect(disassemble(insns)).toEqual([
      '0: (bf) r6 = r1',
      '1: (18) r1 = map[fd:4]',
      '3: (85) call bpf_map_lookup_elem#1',
      '4: (15) if r0 == 0x0 goto pc+1',
      '5: (b7) r0 = 1',
      '6: (95) exit',
    ]);
  });

  it('prints a truncated 64-bit load from its first half', () => {
    expect(disassemble([E.ldImm64(R1, 0x10n)[0]])).toEqual(['0: (18) r1 = 0x10']);
  });
});
