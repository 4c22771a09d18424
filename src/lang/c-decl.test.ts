import { describe, expect, it } from 'vitest';
import { CDeclError, parseCDefinition } from './c-decl.js';

describe('parseCDefinition', () => {
  it('reads fields with pointers, arrays, bitfields and nested records', () => {
    const d = parseCDefinition(
      'struct S { const char *name, **argv; int a[4][2]; unsigned int f : 3; struct { int x; } in; union { long l; }; void (*cb)(int); } __attribute__((packed))',
    );
    expect(d.kind).toBe('record');
    if (d.kind !== 'record') return;
    expect(d.name).toBe('S');
    expect(d.fields.map((f) => [f.name, f.pointers, f.arrays, f.bitWidth, f.functionPointer])).toEqual([
      ['name', 1, [], undefined, false],
      ['argv', 2, [], undefined, false],
      ['a', 0, ['4', '2'], undefined, false],
      ['f', 0, [], '3', false],
      ['in', 0, [], undefined, false],
      [undefined, 0, [], undefined, false],
      ['cb', 1, [], undefined, true],
    ]);
    expect(d.fields[0]!.type).toEqual({ kind: 'name', name: 'char' });
    expect(d.fields[3]!.type).toEqual({ kind: 'name', name: 'unsigned int' });
    const inner = d.fields[4]!.type;
    expect(inner.kind === 'inline' && inner.decl.kind === 'record' ? inner.decl.fields[0]!.name : '').toBe('x');
  });

  it('reads enums with and without values', () => {
    expect(parseCDefinition('enum E { A, B = 5, C, }')).toEqual({
      kind: 'enum',
      name: 'E',
      enumerators: [
        { name: 'A', value: undefined },
        { name: 'B', value: '5' },
        { name: 'C', value: undefined },
      ],
    });
  });

  it('accepts a last field without its semicolon, as clang does', () => {
    const d = parseCDefinition('struct S { int x }');
    expect(d.kind === 'record' ? d.fields.map((f) => f.name) : []).toEqual(['x']);
  });

  it('rejects two declarators without a comma, naming what it found', () => {
    expect(() => parseCDefinition('struct S { int x y; }')).toThrow(new CDeclError("expected ';', found 'y'", 17));
  });
});
