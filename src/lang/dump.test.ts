// The compiler's -d dumps: the typed AST and the bytecode listing.
import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { dumpBytecode, dumpTypedAst } from './dump.js';

const noKernel = { tracepoints: { categories: () => [], events: () => [], format: () => { throw new Error('none'); } }, btf: () => undefined, cpus: 1 };

describe('dumps', () => {
  it('prints each expression with its type', () => {
    const r = compile('BEGIN { @x[comm] = pid + 1; }', 'stdin', noKernel);
    const text = dumpTypedAst(r.context!);
    expect(text).toContain('MapAccess :: [uint64]');
    expect(text).toContain('Identifier: comm :: [string[16]]');
    expect(text).toContain('Builtin: pid :: [uint32]');
    expect(text).toContain('Binary: + :: [uint64]');
  });

  it('lists every program with its instruction count', () => {
    const r = compile('BEGIN { exit(); } END { @a = 1; }', 'stdin', noKernel);
    const text = dumpBytecode(r.artifact!);
    expect(text).toMatch(/^; begin \([0-9]+ instructions\)\n0: /);
    expect(text).toContain('\n; end (');
    expect(text).toContain('call bpf_ringbuf_output#130');
  });
});
