import { describe, expect, it } from 'vitest';
import { buffer, bool, int, record, str, symbol, tuple, uint } from '../value/index.js';
import { checkFormatArguments, expectedArgumentKinds, parseFormat, sprintf, type PrintfArgType } from './printf.js';

const bytes = (s: string) => buffer(new Uint8Array(Buffer.from(s, 'latin1')));

describe('printf conversions (format facts from bpftrace master src/format_string.cpp)', () => {
  it('prints arguments between fragments', () => {
    expect(sprintf('took %dms then %s\n', [int(42), str('done')])).toBe('took 42ms then done\n');
    expect(sprintf('%d-%s|%d-%s\n', [int(7), str('x'), int(8), str('yz')])).toBe('7-x|8-yz\n');
  });

  it('casts by length modifier: none is 32-bit, hh 8, h 16, j 64', () => {
    const x = int(0x0102030405060708n);
    expect(sprintf('%hhx %hx %x %jx\n', [x, x, x, x])).toBe('8 708 5060708 102030405060708\n');
  });

  it('prints characters', () => {
    expect(sprintf('%c%c%c\n', [int(0x62), int(0x70), int(0x66)])).toBe('bpf\n');
  });

  it('pads with spaces and zeros', () => {
    expect(sprintf('%6s|%05x', [str('kit'), int(255)])).toBe('   kit|000ff');
  });

  it('prints enums by name under %s and by number under %d', () => {
    const read = symbol('READ', 3);
    expect(sprintf('%d %s\n', [read, read])).toBe('3 READ\n');
    expect(sprintf('%-6s|%4s|\n', [symbol('X', 0), symbol('Y', 1)])).toBe('X     |   Y|\n');
  });

  it('prints a wrapped unsigned value as signed under %d and unsigned under %lu', () => {
    const a = uint(2n - 9n);
    expect(sprintf('%d %lu\n', [a, a])).toBe('-7 18446744073709551609\n');
    expect(sprintf('%d %d %d\n', [int(-20, true, 8), int(-300, true, 16), int(77)])).toBe('-20 -300 77\n');
  });

  it('hex-formats buffers', () => {
    expect(sprintf('%rx', [bytes('bpf\0')])).toBe('\\x62\\x70\\x66\\x00');
    expect(sprintf('%rh', [bytes('bpf\0')])).toBe('62 70 66 00');
    expect(sprintf('B: %r', [buffer(new Uint8Array([1, 2, 255]))])).toBe('B: \\x01\\x02\\xff');
  });

  // master src/util/gfp_flags.cpp: names in table order, each taking its bits out of what is left
  // (GFP_KERNEL = 0xcc0 before __GFP_ZERO = 0x100), leftover bits as 0x hex, 0 as "0".
  it('formats GFP flags by name', () => {
    expect(sprintf('flags=%gr|%gr\n', [int(0xfc0), int(0)])).toBe('flags=GFP_KERNEL|__GFP_ZERO|0x200|0\n');
  });

  it('prints 64-bit hex with %llx', () => {
    expect(sprintf('%llx|%llx', [uint(0xfedcba9876543210n), uint(0x00c0ffee0ddf00d5n)])).toBe('fedcba9876543210|c0ffee0ddf00d5');
  });
});

// Expected texts below were produced by libstdc++ (g++ 14) performing the same stream operations as
// bpftrace master's FormatSpec::apply (src/format_string.cpp); see test/runtime/golden/README.md.
describe('printf iostream semantics (libstdc++ outputs)', () => {
  const cases: [string, Parameters<typeof sprintf>[1], string][] = [
    ['%05d', [int(-5)], '000-5'],
    ['%-5d|', [int(42)], '42   |'],
    ['%-05d', [int(42)], '42000'],
    ['%+d', [int(5)], '+5'],
    ['%+u', [int(5)], '5'],
    ['%#x', [int(255)], '0xff'],
    ['%#X', [int(255)], '0XFF'],
    ['%#x', [int(0)], '0'],
    ['%#o', [int(8)], '010'],
    ['%x', [int(-1)], 'ffffffff'],
    ['%lx', [int(-1)], 'ffffffffffffffff'],
    ['%hhd', [int(200)], '-56'],
    ['%hd', [int(70000)], '4464'],
    ['%d', [int(4294967301n)], '5'],
    ['%u', [int(-1)], '4294967295'],
    ['%lu', [int(-1)], '18446744073709551615'],
    ['%10p', [int(0x1234)], '    0x1234'],
    ['%p', [int(0)], '0'],
    ['%010p', [int(0x1234)], '00000x1234'],
    ['%5c', [int(65)], '    A'],
    ['%-4c', [int(66)], 'B   '],
    ['%.3s', [str('abcdef')], 'abcdef'],
    ['%-8s', [str('ab')], 'ab      '],
    ['%+s', [int(7)], '+7'],
    ['%6s', [tuple(int(1), str('a'))], '     (1, a)'],
    ['%06x', [int(255)], '0000ff'],
    ['%#08x', [int(255)], '00000xff'],
    ['%lld', [int(-9223372036854775808n)], '-9223372036854775808'],
    ['%hhu', [int(-1)], '255'],
    ['%d', [bool(true)], '1'],
  ];
  for (const [fmt, args, expected] of cases) {
    it(`${fmt} of ${JSON.stringify(args, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`, () => {
      expect(sprintf(fmt, args)).toBe(expected);
    });
  }
});

describe('format string parsing', () => {
  it('splits fragments and conversions, turning %% into text', () => {
    const f = parseFormat('a %% b %-08.3lld c %rx d %gr%s');
    expect(f.fragments).toEqual(['a % b ', ' c ', ' d ', '', '']);
    expect(f.specs.map((s) => s.specifier)).toEqual(['d', 'rx', 'gr', 's']);
    expect(f.specs[0]).toMatchObject({ leftAlign: true, leadZeros: true, width: 8, precision: 3, lengthModifier: 'll' });
  });

  it('keeps flags in the wrong order as text, as bpftrace does', () => {
    expect(parseFormat('%0-5d').specs).toEqual([]);
    expect(sprintf('%0-5d', [])).toBe('%0-5d');
  });

  it('accepts a * width that takes no argument', () => {
    expect(sprintf('%*d|', [int(3)])).toBe('3|');
  });

  it('drops conversions that have no value', () => {
    // Only the fragments before supplied values and the final one are kept (src/format_string.cpp).
    expect(sprintf('a %d b %d c', [int(1)])).toBe('a 1 c');
  });

  it('writes a conversion error in place of the value', () => {
    expect(sprintf('[%d]', [str('abc')])).toBe('[!{invalid integer conversion: abc}]');
    expect(sprintf('[%gr]', [record({})])).toBe('[!{invalid GFP flags conversion: {}}]');
  });
});

describe('printf argument checks', () => {
  const t = (kind: PrintfArgType['kind'], name: string): PrintfArgType => ({ kind, name });

  it('counts arguments', () => {
    expect(checkFormatArguments(parseFormat('%d %d'), [t('integer', 'int64')])).toBe(
      'not enough arguments for format string (1 supplied, 2 expected)',
    );
    expect(checkFormatArguments(parseFormat('%d'), [t('integer', 'int64'), t('integer', 'int64')])).toBe(
      'too many arguments for format string (2 supplied, 1 expected)',
    );
  });

  it('checks each conversion against its argument type', () => {
    expect(checkFormatArguments(parseFormat('%d %s %r %p'), [
      t('integer', 'int64'), t('other', 'string'), t('buffer', 'buffer'), t('pointer', 'int8 *'),
    ])).toBeNull();
    expect(checkFormatArguments(parseFormat('%d'), [t('other', 'string')])).toBe(
      "unsupported format specifier for type 'string': d",
    );
    expect(checkFormatArguments(parseFormat('%f'), [t('integer', 'int64')])).toBe('unsupported format specifier: f');
    expect(checkFormatArguments(parseFormat('%s'), [t('none', 'none')])).toBe('unable to print none type for specifier: s');
    expect(checkFormatArguments(parseFormat('%r'), [t('integer', 'int64')])).toBe(
      "unsupported format specifier for type 'int64': r",
    );
  });

  it('lists what each conversion accepts', () => {
    expect(expectedArgumentKinds(parseFormat('%x %s %rh %e'))).toEqual([
      ['integer', 'boolean', 'pointer'],
      null,
      ['buffer'],
      undefined,
    ]);
  });
});

describe('floating-point conversions (libstdc++ outputs; rejected by the check, formatted anyway)', () => {
  it('formats like iostreams do', () => {
    expect(sprintf('%f|%.2f|%.3e|%g|%e', [int(1234567), int(3), int(1500000), int(100), int(7)])).toBe(
      '1.23457e+06|3.00|1.500e+06|100|7',
    );
  });
});

describe('printf widths count bytes, as iostreams do', () => {
  it('pads UTF-8 text by its byte length', () => {
    expect(sprintf('[%5s]', [str('é')])).toBe('[   é]');
  });
});
