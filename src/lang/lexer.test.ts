import { describe, expect, it } from 'vitest';
import { integerValue, scanToken, skipLayout } from './lexer.js';

function tokens(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    const t = scanToken(text, pos);
    if (t.kind === 'eof') return out;
    out.push(`${t.kind}:${t.text}`);
    pos = t.end;
  }
}

describe('scanToken', () => {
  it('splits operators longest first', () => {
    expect(tokens('a<<=b>>c->d..e')).toEqual([
      'ident:a', 'punct:<<=', 'ident:b', 'punct:>>', 'ident:c', 'punct:->', 'ident:d', 'punct:..', 'ident:e',
    ]);
  });

  it('reads sigils: variables, maps, positional parameters', () => {
    expect(tokens('$x @y @ $1 $#')).toEqual(['var:$x', 'map:@y', 'map:@', 'param:$1', 'paramcount:$#']);
  });

  it('skips both comment styles', () => {
    expect(tokens('a // one\n/* two\n */ b')).toEqual(['ident:a', 'ident:b']);
    expect(skipLayout('/* never closed', 0)).toBe(15);
  });

  it('decodes string escapes', () => {
    const t = scanToken('"a\\n\\t\\x41\\101\\"\\\\"', 0);
    expect(t.text).toBe('a\n\tAA"\\');
    expect(t.errors).toBeUndefined();
  });

  it('reports bad escapes and unterminated strings with positions', () => {
    expect(scanToken('"\\777"', 0).errors).toEqual([{ message: "octal escape sequence out of range '\\777'", start: 1, end: 5 }]);
    expect(scanToken('"abc', 0).errors).toEqual([{ message: 'unterminated string', start: 4, end: 4 }]);
  });

  it('keeps integer suffixes and units in the token', () => {
    expect(tokens('10ms 0x1F 1_000 2e3 5ULL')).toEqual(['int:10ms', 'int:0x1F', 'int:1_000', 'int:2e3', 'int:5ULL']);
    expect(scanToken('10zz', 0).errors?.[0]?.message).toBe("invalid integer suffix 'zz'");
  });
});

describe('integerValue', () => {
  it('computes values for every documented form', () => {
    const v = (s: string): bigint | string => {
      const r = integerValue(s);
      return 'value' in r ? r.value : r.error;
    };
    expect(v('0x10')).toBe(16n);
    expect(v('0777')).toBe(511n);
    expect(v('1_000_123_000')).toBe(1000123000n);
    expect(v('2e3')).toBe(2000n);
    expect(v('1m')).toBe(60_000_000_000n);
    expect(v('5us')).toBe(5000n);
    expect(v('123UL')).toBe(123n);
    expect(v('18446744073709551615')).toBe(18446744073709551615n);
    expect(v('18446744073709551616')).toBe('overflow error, maximum value is 18446744073709551615: 18446744073709551616');
    expect(v('12e3')).toBe('coefficient part of scientific literal must be 1-9: 12e3');
    expect(v('4294967296u')).toBe('overflow error, maximum value is 4294967295: 4294967296u');
  });
});
