import { describe, expect, it } from 'vitest';
import { applyRelocations, Assembler, AssemblerError } from './assembler.js';
import { disassemble } from './disasm.js';
import * as E from './encode.js';
import { Helper } from './helpers.js';
import { JmpOp, R0, R1, R2, R6 } from './opcodes.js';

describe('Assembler', () => {
  it('resolves forward and backward jumps to labels', () => {
    const asm = new Assembler();
    asm
      .emit(E.mov64Imm(R0, 0))
      .label('top')
      .jmpImm(JmpOp.JGT, R0, 9, 'done')
      .emit(E.alu64Imm(0x00, R0, 1))
      .ja('top')
      .label('done')
      .emit(E.exit());
    const { insns, labels } = asm.assemble();
    expect(disassemble(insns)).toEqual([
      '0: (b7) r0 = 0',
      '1: (25) if r0 > 0x9 goto pc+2',
      '2: (07) r0 += 1',
      '3: (05) goto pc-3',
      '4: (95) exit',
    ]);
    expect([...labels]).toEqual([['top', 1], ['done', 4]]);
  });

  it('puts 32-bit distances of gotol, calls and subprogram addresses in the immediate', () => {
    const asm = new Assembler();
    asm.gotol('main').label('main').emit(E.mov64Imm(R1, 1)).ldFunc(R2, 'cb').callLocal('cb').emit(E.exit());
    asm.label('cb').emit(E.mov64Imm(R0, 0), E.exit());
    const { insns } = asm.assemble();
    expect(disassemble(insns)).toEqual([
      '0: (06) gotol pc+0',
      '1: (b7) r1 = 1',
      '2: (18) r2 = subprog[+3]',
      '4: (85) call pc+1',
      '5: (95) exit',
      '6: (b7) r0 = 0',
      '7: (95) exit',
    ]);
  });

  it('resolves 32-bit and may_goto jumps', () => {
    const asm = new Assembler();
    asm.mayGoto('end').jmp32Imm(JmpOp.JEQ, R1, 3, 'end').jmp32Reg(JmpOp.JNE, R1, R2, 'end').jmpReg(JmpOp.JSGT, R1, R2, 'end').label('end').emit(E.exit());
    expect(disassemble(asm.assemble().insns)).toEqual([
      '0: (e5) may_goto pc+3',
      '1: (16) if w1 == 0x3 goto pc+2',
      '2: (5e) if w1 != w2 goto pc+1',
      '3: (6d) if r1 s> r2 goto pc+0',
      '4: (95) exit',
    ]);
  });

  it('records map loads as relocations and patches them with fds', () => {
    const asm = new Assembler();
    asm.emit(E.mov64Reg(R6, R1)).ldMap(R1, 'counts').emit(E.call(Helper.map_lookup_elem)).ldMapValue(R2, 'rodata', 8).emit(E.exit());
    const { insns, relocations } = asm.assemble();
    expect(relocations).toEqual([
      { index: 1, kind: 'map-fd', map: 'counts' },
      { index: 4, kind: 'map-value', map: 'rodata', offset: 8 },
    ]);
    const fds = new Map([['counts', 11], ['rodata', 12]]);
    const patched = applyRelocations(insns, relocations, (name) => fds.get(name));
    expect(disassemble(patched)).toEqual([
      '0: (bf) r6 = r1',
      '1: (18) r1 = map[fd:11]',
      '3: (85) call bpf_map_lookup_elem#1',
      '4: (18) r2 = map[fd:12][0]+8',
      '6: (95) exit',
    ]);
    // The assembled program is left as it was: it can be loaded again with other fds.
    expect(disassemble(insns)[1]).toBe('1: (18) r1 = map[fd:0]');
    expect(() => applyRelocations(insns, relocations, () => undefined)).toThrow(
      new AssemblerError('Cannot relocate instruction 1: no fd for map counts'),
    );
  });

  it('fails on an unknown label, a duplicate label, and a distance beyond 16 bits', () => {
    const unknown = new Assembler().ja('nowhere');
    expect(() => unknown.assemble()).toThrow(new AssemblerError('Cannot resolve jump at instruction 0: unknown label nowhere'));

    const dup = new Assembler().label('a');
    expect(() => dup.label('a')).toThrow(new AssemblerError('Cannot define label a: already defined at instruction 0'));

    const far = new Assembler().ja('far');
    for (let i = 0; i < 32768; i++) far.emit(E.mov64Imm(R0, 0));
    far.label('far').emit(E.exit());
    expect(() => far.assemble()).toThrow(new AssemblerError('Cannot resolve jump at instruction 0 to label far: offset 32768 does not fit in 16 bits'));

    // One less fits; gotol reaches further.
    const near = new Assembler().ja('near');
    for (let i = 0; i < 32767; i++) near.emit(E.mov64Imm(R0, 0));
    near.label('near').emit(E.exit());
    expect(near.assemble().insns[0]!.off).toBe(32767);
    const long = new Assembler().gotol('far');
    for (let i = 0; i < 40000; i++) long.emit(E.mov64Imm(R0, 0));
    long.label('far');
    expect(long.assemble().insns[0]!.imm).toBe(40000);
  });

  it('hands out fresh label names and reports its length', () => {
    const asm = new Assembler();
    const a = asm.newLabel('else');
    const b = asm.newLabel('else');
    expect(a).not.toBe(b);
    asm.emit(...E.ldImm64(R1, 1n));
    expect(asm.length).toBe(2);
    expect(asm.hasLabel(a)).toBe(false);
    asm.label(a);
    expect(asm.hasLabel(a)).toBe(true);
  });
});
