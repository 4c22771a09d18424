// The C preamble as the front end reads it: struct layouts with floats and char arrays, #include checks
// (with and without the conditionals around them), structs that cannot be completed, and macros whose
// parameters stand where types go.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKernelBtf } from '../../src/btf/index.js';
import { compile, formatDiagnostics, parse, printAst } from '../../src/lang/index.js';
import { cIntegerType, missingIncludes, ScriptTypes } from '../../src/lang/c-types.js';
import { NONE, int, string } from '../../src/lang/types.js';

function scriptTypes(source: string, btf = false): ScriptTypes {
  const { program, diagnostics } = parse(`${source}\nbegin { }`);
  expect(formatDiagnostics(diagnostics)).toBe('');
  return new ScriptTypes(program.c, () => (btf ? loadKernelBtf() : undefined));
}

describe('script struct layouts', () => {
  it('gives float and double fields their own size and alignment and no integer type', () => {
    const types = scriptTypes('union N { int i; float f; }; struct Foo { int m; union N n; double d; float v[3]; char c; };');
    const n = types.struct('union N')!;
    expect([n.size, n.align]).toEqual([4, 4]);
    expect(types.field(n, 'f')).toEqual({ type: NONE, offset: 0, bitOffset: 0, bitSize: 0 });
    const foo = types.struct('struct Foo')!;
    expect(types.fields(foo)!.map((f) => [f.name, f.field.offset])).toEqual([['m', 0], ['n', 4], ['d', 8], ['v', 16], ['c', 28]]);
    expect([foo.size, foo.align]).toEqual([32, 8]);
    expect(types.field(foo, 'v')!.type).toEqual({ kind: 'array', element: NONE, length: 3 });
  });

  it('reads a one-dimensional char array as a string one longer than its storage', () => {
    const types = scriptTypes('struct F { char s[5]; char t[3]; unsigned char grid[2][4]; int x; };');
    const f = types.struct('F')!;
    expect(types.field(f, 's')).toEqual({ type: string(6), offset: 0, bitOffset: 0, bitSize: 0, storageSize: 5 });
    expect(types.field(f, 't')).toEqual({ type: string(4), offset: 5, bitOffset: 0, bitSize: 0, storageSize: 3 });
    expect(types.field(f, 'grid')!.type).toEqual({ kind: 'array', element: string(4), length: 2 });
    expect(types.field(f, 'x')).toEqual({ type: int(32, true), offset: 16, bitOffset: 0, bitSize: 0 });
    expect(f.size).toBe(20);
  });

  it('leaves out definitions the preprocessor drops because bpfkit has BTF', () => {
    const types = scriptTypes('#ifndef BPFTRACE_HAVE_BTF\nstruct cfs_rq { struct load_weight load; };\n#else\nstruct Mine { int x; };\n#endif');
    expect(types.struct('cfs_rq')).toBeUndefined();
    expect(types.struct('Mine')!.size).toBe(4);
    expect(types.errors).toEqual([]);
  });

  it('names C integer types for casts', () => {
    expect([cIntegerType('int'), cIntegerType('unsigned  long'), cIntegerType('u8'), cIntegerType('task_struct')]).toEqual([int(32, true), int(64, false), int(8, false), undefined]);
  });

  it('reports a struct held by value that nothing defines', () => {
    const types = scriptTypes('struct Foo { struct nothing x; struct nothing *p; };');
    expect(types.errors.map((e) => e.message)).toEqual(["Type error: field 'x' has incomplete type 'struct nothing'"]);
  });

  it.skipIf(!existsSync('/sys/kernel/btf/vmlinux'))('completes structs from BTF unless the script redefines a kernel type', () => {
    const fromKernel = scriptTypes('struct Foo { struct list_head x; };', true);
    expect(fromKernel.errors).toEqual([]);
    expect(fromKernel.struct('Foo')!.size).toBe(16);
    const redefined = scriptTypes('struct task_struct { struct thread_info x; };', true);
    expect(redefined.errors.map((e) => e.message)).toEqual([
      "Type error: field 'x' has incomplete type 'struct thread_info' (the script redefines a kernel type, so kernel types are not used)",
    ]);
  });
});

describe('#include checks', () => {
  const present = new Set(['/inc/there.h', 'local.h']);
  const exists = (p: string) => present.has(p);
  const missing = (preamble: string) =>
    missingIncludes(parse(`${preamble}\nbegin { }`).program.c, ['/inc'], exists).map((m) => [m.header, m.definitionsLine, m.column + 1]);

  it('finds headers in the include directories, quoted ones also in the current directory', () => {
    expect(missing('#include <there.h>\n#include "local.h"\n#include <stddef.h>')).toEqual([]);
    expect(missing('#include <lol/no.h>')).toEqual([['lol/no.h', 2, 10]]);
    expect(missing('struct A {\n int x;\n};\n#include  "local2.h"')).toEqual([['local2.h', 5, 11]]);
  });

  it('skips includes that the preprocessor would not compile or that depend on conditions it does not evaluate', () => {
    expect(missing('#ifndef BPFTRACE_HAVE_BTF\n#include <a.h>\n#else\n#include <b.h>\n#endif')).toEqual([['b.h', 5, 10]]);
    expect(missing('#define X 1\n#ifdef X\n#include <c.h>\n#endif\n#if Y\n#include <d.h>\n#endif')).toEqual([['c.h', 4, 10]]);
  });

  it('reports a missing header at the directive and stops before the semantic pass', () => {
    const r = compile('#include <bpfkit/none.h>\nbegin { exit(); }', 'stdin', { stopAfter: 'semantic' });
    expect(formatDiagnostics(r.diagnostics)).toBe("stdin:1:10-25: ERROR: 'bpfkit/none.h' file not found\n#include <bpfkit/none.h>\n         ~~~~~~~~~~~~~~~\n");
  });
});

describe('macros with type parameters', () => {
  const expanded = (source: string) => {
    const r = compile(source, 'stdin', { stopAfter: 'macro-expansion' });
    expect(formatDiagnostics(r.diagnostics)).toBe('');
    return printAst(r.context!.program).split('\n probe\n')[1];
  };

  it('puts a typeof() argument where the parameter names a type, under pointers and arrays too', () => {
    expect(expanded('macro cst(a) { (a*)-1 } macro s(t) { sizeof(t[2]) } begin { print(cst(typeof(uint8))); print(s(typeof(struct Foo))); }')).toBe(
      '  begin\n  block\n   call: print\n    cast\n     type: uint8 *\n     -\n      int: 1\n   call: print\n    sizeof\n     type: struct Foo[2]\n',
    );
  });

  it('names offsetof\'s member with a word argument and passes typeof() on through typeof(parameter)', () => {
    expect(expanded('macro o(t, f) { offsetof(t, f) } macro m(x) { sizeof(x) } macro n(z) { m(typeof(z)) } begin { print(o(typeof(struct Foo), n)); print(n(typeof(int16))); }')).toBe(
      '  begin\n  block\n   call: print\n    offsetof: n\n     type: struct Foo\n   call: print\n    sizeof\n     type: int16\n',
    );
  });

  it('turns a type parameter given an expression into typeof(expression), and refuses it under a pointer', () => {
    expect(expanded('macro m(x) { sizeof(x) } begin { $a = (int16)1; print(m($a)); }')).toContain('    sizeof\n     typeof\n      variable: $a\n');
    const r = compile('macro m(x) { (x*)0 } begin { $a = 1; print(m($a)); }', 'stdin', { stopAfter: 'macro-expansion' });
    expect(formatDiagnostics(r.diagnostics)).toContain("ERROR: Macro 'm' expects a type for x: pass typeof(...)");
  });
});
