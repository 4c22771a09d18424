import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KernelSymbols, SymbolsError, kernelSymbols } from './index.js';

/** The address /proc/kallsyms gives a name, found with a regex over the raw text (independent of the parser). */
function rawAddress(text: string, name: string): bigint | undefined {
  const m = new RegExp(`^([0-9a-f]+) [tTwW] ${name}$`, 'm').exec(text);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

describe('kernel symbols from /proc/kallsyms', () => {
  // BPF programs and trampolines come and go in kallsyms, so the exact checks use one snapshot of the text.
  const raw = readFileSync('/proc/kallsyms', 'latin1');
  const syms = KernelSymbols.parse(raw);

  it('has one symbol per line', () => {
    expect(syms.count).toBe(raw.trimEnd().split('\n').length);
  });

  it('loads the live file once per process', () => {
    const live = kernelSymbols();
    expect(kernelSymbols()).toBe(live);
    expect(live.address('schedule')).toBe(rawAddress(raw, 'schedule'));
    expect(live.count).toBeGreaterThan(1000);
  });

  it.each(['do_sys_openat2', 'schedule', 'vfs_read'])('resolves %s to its address and back', (name) => {
    const address = rawAddress(raw, name);
    expect(address).toBeDefined();
    expect(syms.address(name)).toBe(address);
    const at = syms.lookup(address ?? 0n);
    expect(at).toEqual({ name, address, offset: 0n, module: undefined });
    expect(syms.format((address ?? 0n) + 0x10n)).toBe(`${name}+0x10`);
    expect(syms.lookup((address ?? 0n) + 0x10n)).toMatchObject({ name, offset: 0x10n });
  });

  it('finds nothing for names it does not have, and matches globs', () => {
    expect(syms.address('no_such_kernel_symbol_xyz')).toBeUndefined();
    const names = raw.split('\n').map((l) => (l.split(' ')[2] ?? '').split('\t')[0] ?? '');
    expect(syms.match('do_sys_open*').length).toBeGreaterThan(0);
    expect(syms.match('do_sys_open*').length).toBe(names.filter((n) => n.startsWith('do_sys_open')).length);
  });

  it('names modules from the [mod] suffix', () => {
    const m = /^([0-9a-f]+) [tT] (\S+)\t\[(\S+)\]$/m.exec(raw);
    if (!m) {
      console.log('no module symbols in /proc/kallsyms: module check skipped');
      return;
    }
    const address = BigInt(`0x${m[1]}`);
    expect(syms.modules()).toContain(m[3]);
    expect(syms.lookup(address)).toMatchObject({ address, module: m[3] });
  });
});

describe('kallsyms format', () => {
  const text = [
    'ffffffffc0002000 t helper\t[mymod]',
    'ffffffff81000000 T _text',
    'ffffffff81000000 T startup',
    'ffffffff81001000 D some_data',
    'ffffffffc0001000 t mod_fn\t[mymod]',
    'ffffffff81000100 t early_fn',
    '',
  ].join('\n');

  it('sorts by address and resolves with offsets and modules', () => {
    const s = KernelSymbols.parse(text);
    expect(s.count).toBe(6);
    expect(s.lookup(0xffffffff81000050n)).toEqual({ name: '_text', address: 0xffffffff81000000n, offset: 0x50n, module: undefined });
    expect(s.lookup(0xffffffff81000104n)).toMatchObject({ name: 'early_fn', offset: 4n });
    expect(s.lookup(0xffffffffc0001008n)).toEqual({ name: 'mod_fn', address: 0xffffffffc0001000n, offset: 8n, module: 'mymod' });
    expect(s.lookup(0xffffffffc0002000n)).toMatchObject({ name: 'helper', module: 'mymod' });
    expect(s.lookup(0xffffffff80000000n)).toBeUndefined();
    expect(s.address('startup')).toBe(0xffffffff81000000n);
    expect(s.symbolsNamed('some_data')).toEqual([{ name: 'some_data', address: 0xffffffff81001000n, type: 'D', module: undefined }]);
    expect(s.modules()).toEqual(['mymod']);
  });

  it('prefers a function when several symbols share an address', () => {
    const s = KernelSymbols.parse('ffffffff81000000 A abs_sym\nffffffff81000000 T real_fn\n');
    expect(s.lookup(0xffffffff81000001n)?.name).toBe('real_fn');
  });

  it('rejects bad lines and hidden addresses with SymbolsError', () => {
    expect(() => KernelSymbols.parse('not a kallsyms line\n')).toThrow(SymbolsError);
    expect(() => KernelSymbols.parse('ffffffff81000000T x\n')).toThrow(/bad line/);
    expect(() => KernelSymbols.parse('0000000000000000 T a\n0000000000000000 T b\n')).toThrow(/kptr_restrict/);
    expect(() => KernelSymbols.load('/nonexistent/kallsyms')).toThrow(/^Cannot read kernel symbols from \/nonexistent\/kallsyms: /);
  });
});
