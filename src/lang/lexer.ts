// Turns bpftrace source into tokens on demand. The grammar is context sensitive (attach points, C preamble
// lines and predicates are not tokens), so the parser asks for one token at an offset and switches to raw
// scanning where the grammar needs it; tokens never depend on state other than the offset.

export type TokenKind =
  | 'ident'
  | 'int'
  | 'string'
  | 'char'
  | 'var' // $name
  | 'param' // $1
  | 'paramcount' // $#
  | 'map' // @name, or @ alone
  | 'punct'
  | 'eof'
  | 'invalid';

export interface LexError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
  // Source text for most kinds; the decoded value for strings; the name with sigil for var/map.
  readonly text: string;
  readonly errors: readonly LexError[] | undefined;
}

// Longest first, so that `<<=` wins over `<<` and `<`.
const PUNCTUATORS = [
  '<<=', '>>=',
  '..', '->', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '==', '!=', '<=', '>=', '<<', '>>', '&&', '||',
  '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '<', '>', '=', '?', ':', ';', ',', '.', '(', ')', '[', ']', '{', '}', '#', '_',
];

// Punctuators grouped by first character, longest first, so a lookup tries two or three candidates.
const PUNCT_BY_FIRST = new Map<string, string[]>();
for (const p of PUNCTUATORS) {
  const list = PUNCT_BY_FIRST.get(p[0]!) ?? [];
  list.push(p);
  PUNCT_BY_FIRST.set(p[0]!, list);
}

function punctuatorAt(text: string, start: number): string | undefined {
  const list = PUNCT_BY_FIRST.get(text[start]!);
  if (list === undefined) return undefined;
  for (const p of list) {
    if (p.length === 1 || text.startsWith(p, start)) return p;
  }
  return undefined;
}

export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

export function isIdentBody(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

// Skips spaces, newlines and comments. An unterminated block comment runs to the end, as in bpftrace.
export function skipLayout(text: string, pos: number): number {
  const n = text.length;
  while (pos < n) {
    const c = text.charCodeAt(pos);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
      pos++;
    } else if (c === 47 && text.charCodeAt(pos + 1) === 47) {
      const nl = text.indexOf('\n', pos + 2);
      pos = nl < 0 ? n : nl;
    } else if (c === 47 && text.charCodeAt(pos + 1) === 42) {
      const close = text.indexOf('*/', pos + 2);
      pos = close < 0 ? n : close + 2;
    } else {
      break;
    }
  }
  return pos;
}

export function scanIdentEnd(text: string, pos: number): number {
  while (pos < text.length && isIdentBody(text.charCodeAt(pos))) pos++;
  return pos;
}

function tok(kind: TokenKind, start: number, end: number, text: string, errors?: LexError[]): Token {
  return { kind, start, end, text, errors: errors && errors.length > 0 ? errors : undefined };
}

// The token starting at or after pos (after layout).
export function scanToken(text: string, pos: number): Token {
  const start = skipLayout(text, pos);
  if (start >= text.length) return tok('eof', start, start, '');
  const c = text.charCodeAt(start);
  if (isIdentStart(c)) {
    const end = scanIdentEnd(text, start);
    // A lone `_` is its own punctuator (`_ = expr;`).
    if (end === start + 1 && c === 95) return tok('punct', start, end, '_');
    return tok('ident', start, end, text.slice(start, end));
  }
  if (isDigit(c)) return scanInteger(text, start);
  if (c === 34) return scanString(text, start);
  if (c === 39) return scanChar(text, start);
  if (c === 36) {
    // $
    const d = text.charCodeAt(start + 1);
    if (d === 35) return tok('paramcount', start, start + 2, '$#');
    if (isDigit(d)) {
      let end = start + 1;
      while (end < text.length && isDigit(text.charCodeAt(end))) end++;
      return tok('param', start, end, text.slice(start, end));
    }
    if (isIdentStart(d)) {
      const end = scanIdentEnd(text, start + 1);
      return tok('var', start, end, text.slice(start, end));
    }
    return tok('invalid', start, start + 1, '$', [{ message: "expected identifier after '$'", start, end: start + 1 }]);
  }
  if (c === 64) {
    // @: maps may be anonymous
    const end = isIdentStart(text.charCodeAt(start + 1)) ? scanIdentEnd(text, start + 1) : start + 1;
    return tok('map', start, end, text.slice(start, end));
  }
  const p = punctuatorAt(text, start);
  if (p !== undefined) return tok('punct', start, start + p.length, p);
  // One whole code point, so that an emoji is reported as one character.
  const cp = text.codePointAt(start)!;
  const width = cp > 0xffff ? 2 : 1;
  return tok('invalid', start, start + width, text.slice(start, start + width));
}

// Integer literal text as bpftrace reads it: hex, decimal with `_`, an exponent, and C or duration suffixes.
function scanInteger(text: string, start: number): Token {
  const errors: LexError[] = [];
  let pos = start;
  const at = (p: number): number => text.charCodeAt(p);
  const trailingUnderscore = (): void => {
    if (at(pos - 1) === 95) errors.push({ message: 'trailing underscore in integer literal', start: pos - 1, end: pos });
  };
  if (at(pos) === 48 && (at(pos + 1) === 120 || at(pos + 1) === 88)) {
    pos += 2;
    while (pos < text.length && (isHexDigit(at(pos)) || at(pos) === 95)) pos++;
    trailingUnderscore();
    return tok('int', start, pos, text.slice(start, pos), errors);
  }
  while (pos < text.length && (isDigit(at(pos)) || at(pos) === 95)) pos++;
  trailingUnderscore();
  if (at(pos) === 101 || at(pos) === 69) {
    pos++;
    while (pos < text.length && (isDigit(at(pos)) || at(pos) === 95)) pos++;
    trailingUnderscore();
  }
  const s = at(pos);
  const lower = (p: number): number => at(p) | 0x20;
  if ((s === 110 || s === 117 || s === 109) && at(pos + 1) === 115) {
    pos += 2; // ns us ms
  } else if (s === 115 || s === 109 || s === 104 || s === 100) {
    pos += 1; // s m h d
  } else if (lower(pos) === 117) {
    pos++;
    if (lower(pos) === 108) {
      pos++;
      if (lower(pos) === 108) pos++;
    }
  } else if (lower(pos) === 108) {
    pos++;
    if (lower(pos) === 108) pos++;
  }
  if (pos < text.length && isIdentStart(at(pos))) {
    const bad = scanIdentEnd(text, pos);
    errors.push({ message: `invalid integer suffix '${text.slice(pos, bad)}'`, start: pos, end: bad });
    pos = bad;
  }
  return tok('int', start, pos, text.slice(start, pos), errors);
}

const U64_MAX = (1n << 64n) - 1n;
const UINT_MAX = (1n << 32n) - 1n;
const LONG_MAX = (1n << 63n) - 1n;

const SUFFIXES: Record<string, { max: bigint; mul: bigint }> = {
  '': { max: U64_MAX, mul: 1n },
  u: { max: UINT_MAX, mul: 1n },
  ul: { max: U64_MAX, mul: 1n },
  ull: { max: U64_MAX, mul: 1n },
  l: { max: LONG_MAX, mul: 1n },
  ll: { max: LONG_MAX, mul: 1n },
  ns: { max: U64_MAX, mul: 1n },
  us: { max: U64_MAX, mul: 1000n },
  ms: { max: U64_MAX, mul: 1_000_000n },
  s: { max: U64_MAX, mul: 1_000_000_000n },
  m: { max: U64_MAX, mul: 60_000_000_000n },
  h: { max: U64_MAX, mul: 3_600_000_000_000n },
  d: { max: U64_MAX, mul: 86_400_000_000_000n },
};

// The value of an integer literal, or the message bpftrace gives for it.
export function integerValue(raw: string): { value: bigint } | { error: string } {
  const n = raw.replace(/_/g, '');
  let digits: string;
  let radix: number;
  let rest: string;
  const take = (re: RegExp, s: string): [string, string] => {
    const m = re.exec(s);
    const d = m ? m[0] : '';
    return [d, s.slice(d.length)];
  };
  if (/^0[xX]/.test(n)) {
    radix = 16;
    [digits, rest] = take(/^[0-9a-fA-F]+/, n.slice(2));
  } else if (/^0[bB]/.test(n)) {
    radix = 2;
    [digits, rest] = take(/^[01]+/, n.slice(2));
  } else if (/^0[0-7]/.test(n)) {
    radix = 8;
    [digits, rest] = take(/^[0-7]+/, n.slice(1));
  } else {
    radix = 10;
    [digits, rest] = take(/^[0-9]+/, n);
  }
  if (digits === '') return { error: `invalid integer: ${raw}` };
  let value = 0n;
  const big = BigInt(radix);
  for (const ch of digits) {
    value = value * big + BigInt(parseInt(ch, radix));
    if (value > U64_MAX) return { error: `overflow error, maximum value is ${U64_MAX}: ${raw}` };
  }
  if (/^[eE][1-9]/.test(rest)) {
    if (value <= 0n || value >= 10n) return { error: `coefficient part of scientific literal must be 1-9: ${raw}` };
    const [exp, after] = take(/^[0-9]+/, rest.slice(1));
    let e = BigInt(exp);
    while (e > 0n) {
      value *= 10n;
      if (value > U64_MAX) return { error: `overflow error, maximum value is ${U64_MAX}: ${raw}` };
      e--;
    }
    rest = after;
  }
  // bpftrace's table is lower case only; the docs show `123UL`, so accept either case for the C suffixes.
  const suffix = /^[uUlL]+$/.test(rest) ? rest.toLowerCase() : rest;
  const spec = SUFFIXES[suffix];
  if (spec === undefined) return { error: `invalid trailing bytes: ${raw}` };
  if (value > spec.max / spec.mul) return { error: `overflow error, maximum value is ${spec.max}: ${raw}` };
  return { value: value * spec.mul };
}

// A string literal, decoded. Errors keep bpftrace's wording.
function scanString(text: string, start: number): Token {
  const errors: LexError[] = [];
  let pos = start + 1;
  let out = '';
  for (;;) {
    if (pos >= text.length) {
      errors.push({ message: 'unterminated string', start: pos, end: pos });
      return tok('string', start, pos, out, errors);
    }
    const c = text[pos]!;
    if (c === '"') {
      pos++;
      break;
    }
    if (c === '\n') {
      errors.push({ message: 'unterminated string', start: pos, end: pos });
      return tok('string', start, pos, out, errors);
    }
    if (c !== '\\') {
      out += c;
      pos++;
      continue;
    }
    const escStart = pos;
    pos++;
    if (pos >= text.length) {
      errors.push({ message: 'unterminated string', start: pos, end: pos });
      return tok('string', start, pos, out, errors);
    }
    const e = text[pos]!;
    if (e === 'n') out += '\n';
    else if (e === 't') out += '\t';
    else if (e === 'r') out += '\r';
    else if (e === '"') out += '"';
    else if (e === '\\') out += '\\';
    else if (e >= '0' && e <= '7') {
      let oct = e;
      pos++;
      while (oct.length < 3 && pos < text.length && text[pos]! >= '0' && text[pos]! <= '7') oct += text[pos++];
      const v = parseInt(oct, 8);
      if (v > 255) errors.push({ message: `octal escape sequence out of range '\\${oct}'`, start: escStart, end: pos });
      out += String.fromCharCode(v & 0xff);
      continue;
    } else if (e === 'x' || e === 'X') {
      pos++;
      let hex = '';
      while (hex.length < 2 && pos < text.length && isHexDigit(text.charCodeAt(pos))) hex += text[pos++];
      if (hex === '') errors.push({ message: 'invalid hex escape sequence', start: pos, end: pos + 1 });
      else out += String.fromCharCode(parseInt(hex, 16));
      continue;
    } else {
      errors.push({ message: `invalid escape character '\\${e}'`, start: pos, end: pos + 1 });
    }
    pos++;
  }
  return tok('string', start, pos, out, errors);
}

// bpftrace has no character literals; scan one anyway so the error names the whole literal.
function scanChar(text: string, start: number): Token {
  let pos = start + 1;
  while (pos < text.length && text[pos] !== "'" && text[pos] !== '\n') {
    pos += text[pos] === '\\' ? 2 : 1;
  }
  if (text[pos] === "'") pos++;
  return tok('char', start, Math.min(pos, text.length), text.slice(start, pos));
}
