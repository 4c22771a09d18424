// Kernel-free checks of code-generation pieces: dead-code removal keeps jumps and callbacks pointing at the
// same instructions, the func_info BTF blob is well formed, and script structs get C layout.
import { describe, expect, it } from 'vitest';
import { Assembler } from '../../isa/assembler.js';
import { exit, ldImm64, mov64Imm } from '../../isa/encode.js';
import { JmpOp, R0, R1, R2 } from '../../isa/opcodes.js';
import { parse } from '../parser.js';
import { ScriptTypes } from '../c-types.js';
import { CALLBACK_FUNC_TYPE_ID, FUNC_INFO_BTF, MAIN_FUNC_TYPE_ID } from './func-info.js';
import { pruneUnreachable } from './prune.js';

describe('pruneUnreachable', () => {
  it('drops code after an unconditional jump and re-aims jumps, map loads and callback addresses', () => {
    const a = new Assembler();
    a.ldMap(R1, 'm');
    a.jmpImm(JmpOp.JEQ, R1, 0, 'out');
    a.ja('out');
    a.emit(mov64Imm(R2, 7), mov64Imm(R2, 8)); // unreachable
    a.label('out');
    a.ldFunc(R2, 'cb');
    a.emit(mov64Imm(R0, 0), exit());
    a.emit(...ldImm64(R2, 1n)); // unreachable
    a.label('cb');
    a.emit(mov64Imm(R0, 1), exit());
    const p = a.assemble();
    const out = pruneUnreachable(p.insns, p.relocations);
    expect(out.insns).toHaveLength(p.insns.length - 4);
    // The conditional jump and the ja now land on the ld_func at index 4.
    expect(out.insns[2]!.off).toBe(4 - 2 - 1);
    expect(out.insns[3]!.off).toBe(0);
    expect(out.relocations).toEqual([{ index: 0, kind: 'map-fd', map: 'm' }]);
    // ld_func's immediate points at the callback's first instruction.
    expect(4 + 1 + out.insns[4]!.imm).toBe(out.newIndex(p.labels.get('cb')!));
    expect(out.insns[out.newIndex(p.labels.get('cb')!)]!.imm).toBe(1);
  });
});

describe('func_info BTF', () => {
  it('has the header, a long type and the two FUNCs the records name', () => {
    const dv = new DataView(FUNC_INFO_BTF.buffer, FUNC_INFO_BTF.byteOffset);
    expect(dv.getUint16(0, true)).toBe(0xeb9f);
    const typeLen = dv.getUint32(12, true);
    const strLen = dv.getUint32(20, true);
    expect(FUNC_INFO_BTF.length).toBe(24 + typeLen + strLen);
    expect([MAIN_FUNC_TYPE_ID, CALLBACK_FUNC_TYPE_ID]).toEqual([4, 5]);
    const strings = Buffer.from(FUNC_INFO_BTF.subarray(24 + typeLen)).toString('latin1').split('\0');
    expect(strings).toContain('main');
    expect(strings).toContain('callback');
  });
});

describe('script structs', () => {
  it('lays out fields, arrays, nested and anonymous members as C does on x86-64', () => {
    const src = 'struct in { char c; long l; }; struct s { char a; int b; short arr[3]; struct in n; union { int u; char v[8]; }; char *p; }; BEGIN {}';
    const types = new ScriptTypes(parse(src, 'x').program.c, () => undefined);
    const s = types.struct('struct s')!;
    const off = (f: string) => types.field(s, f)!.offset;
    expect([off('a'), off('b'), off('arr'), off('n'), off('u'), off('v'), off('p')]).toEqual([0, 4, 8, 16, 32, 32, 40]);
    expect(s.size).toBe(48);
    expect(types.struct('struct in')!.size).toBe(16);
  });
});
