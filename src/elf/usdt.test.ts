import { describe, expect, it } from 'vitest';
import { ElfError, parseUsdtArg, parseUsdtArgs } from './index.js';

describe('USDT argument specs (x86_64)', () => {
  it('reads registers', () => {
    expect(parseUsdtArg('-4@%edi')).toEqual({ size: 4, signed: true, kind: 'reg', reg: 'edi', text: '-4@%edi' });
    expect(parseUsdtArg('8@%rax')).toEqual({ size: 8, signed: false, kind: 'reg', reg: 'rax', text: '8@%rax' });
    expect(parseUsdtArg('1@%r10b')).toMatchObject({ size: 1, kind: 'reg', reg: 'r10b' });
  });

  it('reads memory operands with displacement, index and scale', () => {
    expect(parseUsdtArg('8@-16(%rbp)')).toEqual({ size: 8, signed: false, kind: 'mem', base: 'rbp', offset: -16n, text: '8@-16(%rbp)' });
    expect(parseUsdtArg('-2@(%rsp)')).toMatchObject({ size: 2, signed: true, kind: 'mem', base: 'rsp', offset: 0n });
    expect(parseUsdtArg('4@(%rsi,%rdx,4)')).toMatchObject({ kind: 'mem', base: 'rsi', index: 'rdx', scale: 4, offset: 0n });
    expect(parseUsdtArg('-8@24(%rdi,%rcx)')).toMatchObject({ kind: 'mem', base: 'rdi', index: 'rcx', scale: 1, offset: 24n });
    expect(parseUsdtArg('4@0x10(%rbx)')).toMatchObject({ kind: 'mem', base: 'rbx', offset: 16n });
    const symbolic = parseUsdtArg('4@counter(%rip)');
    expect(symbolic).toMatchObject({ kind: 'mem', base: 'rip', symbol: 'counter' });
    expect(symbolic.offset).toBeUndefined();
    expect(parseUsdtArg('8@table+8(%rip)')).toMatchObject({ kind: 'mem', base: 'rip', symbol: 'table+8' });
  });

  it('reads constants', () => {
    expect(parseUsdtArg('-4@$5')).toEqual({ size: 4, signed: true, kind: 'const', value: 5n, text: '-4@$5' });
    expect(parseUsdtArg('8@$-1')).toMatchObject({ kind: 'const', value: -1n });
    expect(parseUsdtArg('8@$0x20')).toMatchObject({ kind: 'const', value: 32n });
  });

  it('treats a spec without a size as a pointer-sized value', () => {
    expect(parseUsdtArg('%rdi')).toMatchObject({ size: 8, signed: false, kind: 'reg', reg: 'rdi' });
  });

  it('splits an argument string', () => {
    expect(parseUsdtArgs('-4@%edi 8@-16(%rbp)  -4@$5').map((a) => a.kind)).toEqual(['reg', 'mem', 'const']);
    expect(parseUsdtArgs('')).toEqual([]);
  });

  it('rejects what it cannot read with ElfError', () => {
    expect(() => parseUsdtArg('3@%edi')).toThrow(ElfError);
    expect(() => parseUsdtArg('4@[sp, 8]')).toThrow('Cannot parse USDT argument: unknown x86_64 operand form: 4@[sp, 8]');
  });
});
