import { describe, expect, it } from 'vitest';
import * as E from './encode.js';
import { decodeInsns, encodeInsns, InsnError, type Insn } from './insn.js';
import { AluOp, AtomicOp, Class, Endian, JmpOp, Mode, PseudoLd, R0, R1, R2, R3, R10, Size, Source, type CondJmpOp } from './opcodes.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// RFC 9669 field values, written out here from the RFC's tables rather than taken from opcodes.ts.
const RFC_CLASS = { LD: 0, LDX: 1, ST: 2, STX: 3, ALU: 4, JMP: 5, JMP32: 6, ALU64: 7 };
const RFC_ALU: [keyof typeof AluOp, number][] = [
  ['ADD', 0x0], ['SUB', 0x1], ['MUL', 0x2], ['DIV', 0x3], ['OR', 0x4], ['AND', 0x5], ['LSH', 0x6],
  ['RSH', 0x7], ['MOD', 0x9], ['XOR', 0xa], ['MOV', 0xb], ['ARSH', 0xc],
];
const RFC_JMP: [keyof typeof JmpOp, number][] = [
  ['JEQ', 0x1], ['JGT', 0x2], ['JGE', 0x3], ['JSET', 0x4], ['JNE', 0x5], ['JSGT', 0x6], ['JSGE', 0x7],
  ['JLT', 0xa], ['JLE', 0xb], ['JSLT', 0xc], ['JSLE', 0xd],
];
const RFC_SIZE = { W: 0, H: 1, B: 2, DW: 3 };
const RFC_MODE = { IMM: 0, ABS: 1, IND: 2, MEM: 3, MEMSX: 4, ATOMIC: 6 };
/** opcode of arithmetic and jump instructions: operation (4 bits) | source (1 bit) | class (3 bits). */
const aluCode = (op: number, x: 0 | 1, cls: number): number => (op << 4) | (x << 3) | cls;
/** opcode of loads and stores: mode (3 bits) | size (2 bits) | class (3 bits). */
const memCode = (mode: number, size: number, cls: number): number => (mode << 5) | (size << 3) | cls;

describe('opcodes follow RFC 9669', () => {
  it('encodes every binary ALU operation for both widths and sources', () => {
    for (const [name, op] of RFC_ALU) {
      const aluOp = AluOp[name] as E.BinaryAluOp;
      expect(E.alu64Imm(aluOp, R1, 5).code, name).toBe(aluCode(op, 0, RFC_CLASS.ALU64));
      expect(E.alu64Reg(aluOp, R1, R2).code, name).toBe(aluCode(op, 1, RFC_CLASS.ALU64));
      expect(E.alu32Imm(aluOp, R1, 5).code, name).toBe(aluCode(op, 0, RFC_CLASS.ALU));
      expect(E.alu32Reg(aluOp, R1, R2).code, name).toBe(aluCode(op, 1, RFC_CLASS.ALU));
    }
  });

  it('encodes every conditional jump for both widths and sources', () => {
    for (const [name, op] of RFC_JMP) {
      const jmpOp = JmpOp[name] as CondJmpOp;
      expect(E.jmpImm(jmpOp, R1, 5, 3).code, name).toBe(aluCode(op, 0, RFC_CLASS.JMP));
      expect(E.jmpReg(jmpOp, R1, R2, 3).code, name).toBe(aluCode(op, 1, RFC_CLASS.JMP));
      expect(E.jmp32Imm(jmpOp, R1, 5, 3).code, name).toBe(aluCode(op, 0, RFC_CLASS.JMP32));
      expect(E.jmp32Reg(jmpOp, R1, R2, 3).code, name).toBe(aluCode(op, 1, RFC_CLASS.JMP32));
    }
  });

  it('encodes loads and stores of every size', () => {
    for (const [name, size] of Object.entries(RFC_SIZE) as [keyof typeof Size, number][]) {
      expect(E.ldxMem(Size[name], R1, R2, 0).code, name).toBe(memCode(RFC_MODE.MEM, size, RFC_CLASS.LDX));
      expect(E.stMem(Size[name], R1, 0, 1).code, name).toBe(memCode(RFC_MODE.MEM, size, RFC_CLASS.ST));
      expect(E.stxMem(Size[name], R1, R2, 0).code, name).toBe(memCode(RFC_MODE.MEM, size, RFC_CLASS.STX));
      expect(E.ldAbs(Size[name], 0).code, name).toBe(memCode(RFC_MODE.ABS, size, RFC_CLASS.LD));
      expect(E.ldInd(Size[name], R1, 0).code, name).toBe(memCode(RFC_MODE.IND, size, RFC_CLASS.LD));
    }
    expect(E.ldxMemSx(Size.B, R1, R2, 0).code).toBe(memCode(RFC_MODE.MEMSX, RFC_SIZE.B, RFC_CLASS.LDX));
    expect(E.ldxMemSx(Size.H, R1, R2, 0).code).toBe(memCode(RFC_MODE.MEMSX, RFC_SIZE.H, RFC_CLASS.LDX));
    expect(E.ldxMemSx(Size.W, R1, R2, 0).code).toBe(memCode(RFC_MODE.MEMSX, RFC_SIZE.W, RFC_CLASS.LDX));
    expect(E.ldImm64(R1, 1n)[0].code).toBe(memCode(RFC_MODE.IMM, RFC_SIZE.DW, RFC_CLASS.LD));
  });

  it('puts atomic operations in the immediate of STX|ATOMIC', () => {
    const cases: [AtomicOp, number][] = [
      [AtomicOp.ADD, 0x00], [AtomicOp.OR, 0x40], [AtomicOp.AND, 0x50], [AtomicOp.XOR, 0xa0],
      [AtomicOp.FETCH_ADD, 0x01], [AtomicOp.FETCH_OR, 0x41], [AtomicOp.FETCH_AND, 0x51], [AtomicOp.FETCH_XOR, 0xa1],
      [AtomicOp.XCHG, 0xe1], [AtomicOp.CMPXCHG, 0xf1],
    ];
    for (const [op, imm] of cases) {
      expect(E.atomic(Size.W, op, R1, R2, -8)).toEqual({ code: memCode(RFC_MODE.ATOMIC, RFC_SIZE.W, RFC_CLASS.STX), dst: 1, src: 2, off: -8, imm });
      expect(E.atomic(Size.DW, op, R1, R2, -8).code).toBe(memCode(RFC_MODE.ATOMIC, RFC_SIZE.DW, RFC_CLASS.STX));
    }
    expect(E.loadAcquire(Size.W, R1, R2, 0).imm).toBe(0x100);
    expect(E.storeRelease(Size.DW, R1, R2, 0).imm).toBe(0x110);
  });

  it('tells signed and sign-extending operations apart by the offset field', () => {
    expect(E.sdiv64Imm(R1, 3)).toEqual({ code: aluCode(0x3, 0, RFC_CLASS.ALU64), dst: 1, src: 0, off: 1, imm: 3 });
    expect(E.smod64Reg(R1, R2)).toEqual({ code: aluCode(0x9, 1, RFC_CLASS.ALU64), dst: 1, src: 2, off: 1, imm: 0 });
    expect(E.sdiv32Reg(R1, R2)).toEqual({ code: aluCode(0x3, 1, RFC_CLASS.ALU), dst: 1, src: 2, off: 1, imm: 0 });
    expect(E.smod32Imm(R1, 7)).toEqual({ code: aluCode(0x9, 0, RFC_CLASS.ALU), dst: 1, src: 0, off: 1, imm: 7 });
    expect(E.sdiv32Imm(R1, 3).off).toBe(1);
    expect(E.sdiv64Reg(R1, R2).off).toBe(1);
    expect(E.smod64Imm(R1, 3).off).toBe(1);
    expect(E.smod32Reg(R1, R2).off).toBe(1);
    for (const width of [8, 16, 32] as const) {
      expect(E.movsx64(R1, R2, width)).toEqual({ code: aluCode(0xb, 1, RFC_CLASS.ALU64), dst: 1, src: 2, off: width, imm: 0 });
    }
    expect(E.movsx32(R1, R2, 16)).toEqual({ code: aluCode(0xb, 1, RFC_CLASS.ALU), dst: 1, src: 2, off: 16, imm: 0 });
  });

  it('encodes negation, byte order and byte swaps', () => {
    expect(E.neg64(R3).code).toBe(aluCode(0x8, 0, RFC_CLASS.ALU64));
    expect(E.neg32(R3).code).toBe(aluCode(0x8, 0, RFC_CLASS.ALU));
    expect(E.toLe(R1, 16)).toEqual({ code: aluCode(0xd, 0, RFC_CLASS.ALU), dst: 1, src: 0, off: 0, imm: 16 });
    expect(E.toBe(R1, 64)).toEqual({ code: aluCode(0xd, 1, RFC_CLASS.ALU), dst: 1, src: 0, off: 0, imm: 64 });
    expect(E.endian(Endian.TO_BE, R1, 32)).toEqual(E.toBe(R1, 32));
    expect(E.bswap(R1, 32)).toEqual({ code: aluCode(0xd, 0, RFC_CLASS.ALU64), dst: 1, src: 0, off: 0, imm: 32 });
  });

  it('encodes unconditional jumps, calls and exit', () => {
    expect(E.ja(-3)).toEqual({ code: aluCode(0x0, 0, RFC_CLASS.JMP), dst: 0, src: 0, off: -3, imm: 0 });
    expect(E.gotol(100000)).toEqual({ code: aluCode(0x0, 0, RFC_CLASS.JMP32), dst: 0, src: 0, off: 0, imm: 100000 });
    expect(E.mayGoto(4)).toEqual({ code: aluCode(0xe, 0, RFC_CLASS.JMP), dst: 0, src: 0, off: 4, imm: 0 });
    expect(E.call(14)).toEqual({ code: aluCode(0x8, 0, RFC_CLASS.JMP), dst: 0, src: 0, off: 0, imm: 14 });
    expect(E.callLocal(-20)).toEqual({ code: 0x85, dst: 0, src: 1, off: 0, imm: -20 });
    expect(E.callKfunc(12345)).toEqual({ code: 0x85, dst: 0, src: 2, off: 0, imm: 12345 });
    expect(E.callKfunc(12345, 2).off).toBe(2);
    expect(E.exit()).toEqual({ code: aluCode(0x9, 0, RFC_CLASS.JMP), dst: 0, src: 0, off: 0, imm: 0 });
  });

  it('agrees with the named opcode fields', () => {
    expect(Class.ALU64 | Source.X | AluOp.MOV).toBe(0xbf);
    expect(Class.LDX | Size.W | Mode.MEM).toBe(0x61);
    expect(Class.JMP | JmpOp.EXIT).toBe(0x95);
  });
});

describe('byte layout', () => {
  it('lays out registers as src<<4|dst and offset and immediate little-endian', () => {
    expect(hex(encodeInsns([E.mov64Imm(R1, -1)]))).toBe('b7010000ffffffff');
    expect(hex(encodeInsns([E.stxMem(Size.DW, R10, R1, -8)]))).toBe('7b1af8ff00000000');
    expect(hex(encodeInsns([E.jmpImm(JmpOp.JEQ, R0, 0x01020304, 0x0102)]))).toBe('1500020104030201');
    expect(hex(encodeInsns([E.atomic(Size.W, AtomicOp.CMPXCHG, R3, R2, 16)]))).toBe('c3231000f1000000');
  });

  it('splits a 64-bit immediate into low half first, high half in the second slot', () => {
    expect(hex(encodeInsns(E.ldImm64(R1, 0x1122334455667788n)))).toBe('1801000088776655' + '0000000044332211');
    expect(hex(encodeInsns(E.ldImm64(R2, -2n)))).toBe('18020000feffffff' + '00000000ffffffff');
    expect(hex(encodeInsns(E.ldImm64(R2, 0xffffffffffffffffn)))).toBe('18020000ffffffff' + '00000000ffffffff');
    expect(hex(encodeInsns(E.ldImm64(R2, 5)))).toBe('1802000005000000' + '0000000000000000');
  });

  it('marks map references with the pseudo source', () => {
    expect(hex(encodeInsns(E.ldMapFd(R1, 7)))).toBe('1811000007000000' + '0000000000000000');
    expect(hex(encodeInsns(E.ldMapValue(R1, 7, 24)))).toBe('1821000007000000' + '0000000018000000');
    expect(E.ldBtfId(R1, 9)[0].src).toBe(PseudoLd.BTF_ID);
    expect(E.ldFunc(R1, 9)[0].src).toBe(4);
    expect(E.ldMapIdx(R1, 0)[0].src).toBe(5);
    expect(E.ldMapIdxValue(R1, 0, 8)[0].src).toBe(6);
  });

  it('stores immediates signed, whichever way they were given', () => {
    expect(E.mov64Imm(R1, 0xffffffff).imm).toBe(-1);
    expect(E.mov32Imm(R1, 0x80000000).imm).toBe(-0x80000000);
  });
});

describe('round trip', () => {
  it('decodes what it encodes, for every encoder', () => {
    const all: Insn[] = [
      E.alu64Imm(AluOp.LSH, R1, 3), E.alu64Reg(AluOp.ARSH, R1, R2), E.alu32Imm(AluOp.XOR, R3, -5), E.alu32Reg(AluOp.MOD, R3, R2),
      E.mov64Imm(R0, -100), E.mov64Reg(R1, R10), E.mov32Imm(R2, 0x7fffffff), E.mov32Reg(R2, R3),
      E.neg64(R1), E.neg32(R1), E.movsx64(R1, R2, 32), E.movsx32(R1, R2, 8),
      E.sdiv64Imm(R1, -3), E.sdiv64Reg(R1, R2), E.smod64Imm(R1, 3), E.smod64Reg(R1, R2),
      E.sdiv32Imm(R1, 3), E.sdiv32Reg(R1, R2), E.smod32Imm(R1, 3), E.smod32Reg(R1, R2),
      E.toLe(R1, 32), E.toBe(R1, 16), E.bswap(R1, 64),
      ...E.ldImm64(R1, -0x8000000000000000n), ...E.ldMapFd(R2, 3), ...E.ldMapValue(R3, 3, 8), ...E.ldBtfId(R1, 77),
      ...E.ldFunc(R1, 5), ...E.ldMapIdx(R1, 1), ...E.ldMapIdxValue(R1, 1, 4),
      E.ldAbs(Size.H, 12), E.ldInd(Size.B, R2, -1),
      E.ldxMem(Size.DW, R0, R1, 32767), E.ldxMemSx(Size.H, R0, R1, -32768), E.stMem(Size.B, R10, -1, 255), E.stxMem(Size.H, R10, R3, -2),
      E.atomic(Size.DW, AtomicOp.FETCH_XOR, R1, R2, 8), E.loadAcquire(Size.B, R1, R2, 0), E.storeRelease(Size.H, R1, R2, 0),
      E.jmpImm(JmpOp.JSLT, R1, -1, -5), E.jmpReg(JmpOp.JSET, R1, R2, 5), E.jmp32Imm(JmpOp.JLE, R1, 1, 0), E.jmp32Reg(JmpOp.JNE, R1, R2, 1),
      E.ja(7), E.gotol(-70000), E.mayGoto(2), E.call(1), E.callLocal(3), E.callKfunc(1000, 1), E.exit(),
    ];
    expect(decodeInsns(encodeInsns(all))).toEqual(all);
  });

  it('decodes from a view into a larger buffer', () => {
    const bytes = encodeInsns([E.exit(), E.mov64Imm(R3, 9)]);
    const padded = new Uint8Array(bytes.length + 16);
    padded.set(bytes, 8);
    expect(decodeInsns(padded.subarray(8, 8 + bytes.length))).toEqual([E.exit(), E.mov64Imm(R3, 9)]);
  });
});

describe('range checks', () => {
  it('rejects registers, offsets and immediates that do not fit', () => {
    expect(() => E.mov64Reg(11 as 0, R1)).toThrow(new InsnError('Invalid register r11: must be 0..10'));
    expect(() => E.ja(32768)).toThrow(new InsnError('Invalid offset 32768: does not fit in 16 bits'));
    expect(() => E.ldxMem(Size.W, R1, R2, -32769)).toThrow(InsnError);
    expect(() => E.mov64Imm(R1, 0x100000000)).toThrow(new InsnError('Invalid immediate 4294967296: does not fit in 32 bits'));
    expect(() => E.mov64Imm(R1, 1.5)).toThrow(InsnError);
    expect(() => E.ldImm64(R1, 1n << 64n)).toThrow(new InsnError('Invalid immediate 18446744073709551616: does not fit in 64 bits'));
    expect(() => E.ldImm64(R1, 2 ** 60)).toThrow(new InsnError('Invalid immediate 1152921504606847000: not a safe integer, pass a bigint'));
  });
});
