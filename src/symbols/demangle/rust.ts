// Rust symbol demanglers for the legacy scheme (`_ZN...17h<hash>E`) and v0 (`_R...`). Names print the way
// rustc-demangle's alternate form (`{:#}`) does, without the legacy hash and the crate disambiguators: that is what
// perf and blazesym-based tools show in stacks, and the hash only tells apart builds of the same function.

/** Input longer than this is not demangled. */
const MAX_INPUT = 16384;
/** Recursion depth limit (backreferences can nest). */
const MAX_DEPTH = 200;
/** Output longer than this fails the demangling, so backreference loops cannot blow up memory. */
const MAX_OUTPUT = 1 << 16;

class Fail extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Legacy

const LEGACY_ESCAPES: Record<string, string> = {
  SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',',
};

function isLegacyHash(s: string): boolean {
  return /^h[0-9a-f]{16}$/.test(s);
}

/** Splits `_ZN<len><ident>...E[.suffix]` into its path elements and what follows the `E`. */
function legacyElements(mangled: string): { elements: string[]; suffix: string } | null {
  let i: number;
  if (mangled.startsWith('_ZN')) i = 3;
  else if (mangled.startsWith('__ZN')) i = 4;
  else if (mangled.startsWith('ZN')) i = 2;
  else return null;
  const elements: string[] = [];
  while (i < mangled.length && mangled[i] !== 'E') {
    let len = 0;
    const start = i;
    while (i < mangled.length && mangled[i]! >= '0' && mangled[i]! <= '9') {
      len = len * 10 + (mangled.charCodeAt(i) - 48);
      i++;
      if (len > mangled.length) return null;
    }
    if (i === start || len === 0 || i + len > mangled.length) return null;
    elements.push(mangled.slice(i, i + len));
    i += len;
  }
  if (mangled[i] !== 'E' || elements.length === 0) return null;
  return { elements, suffix: mangled.slice(i + 1) };
}

function unescapeLegacy(element: string): string {
  let rest = element.startsWith('_$') ? element.slice(1) : element;
  let out = '';
  while (rest.length > 0) {
    if (rest[0] === '.') {
      if (rest[1] === '.') {
        out += '::';
        rest = rest.slice(2);
      } else {
        out += '.';
        rest = rest.slice(1);
      }
    } else if (rest[0] === '$') {
      const end = rest.indexOf('$', 1);
      if (end < 0) break;
      const escape = rest.slice(1, end);
      const known = LEGACY_ESCAPES[escape];
      if (known !== undefined) {
        out += known;
      } else if (/^u[0-9a-f]+$/.test(escape)) {
        const code = parseInt(escape.slice(1), 16);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code < 0x20 || (code >= 0x7f && code < 0xa0)) break;
        out += String.fromCodePoint(code);
      } else {
        break;
      }
      rest = rest.slice(end + 1);
    } else {
      const next = rest.search(/[$.]/);
      if (next < 0) break;
      out += rest.slice(0, next);
      rest = rest.slice(next);
    }
  }
  return out + rest;
}

/** Whether the name is a legacy Rust symbol: an Itanium-style nested name whose last element is the hash. */
export function isRustLegacy(mangled: string): boolean {
  const parsed = legacyElements(mangled);
  return parsed !== null && parsed.elements.length >= 2 && isLegacyHash(parsed.elements[parsed.elements.length - 1]!);
}

function demangleLegacy(mangled: string): string | null {
  const parsed = legacyElements(mangled);
  if (!parsed || parsed.elements.length < 2) return null;
  const elements = parsed.elements.slice();
  if (!isLegacyHash(elements[elements.length - 1]!)) return null;
  elements.pop();
  if (elements.some((e) => !/^[\x21-\x7e]+$/.test(e))) return null;
  return elements.map(unescapeLegacy).join('::') + legacySuffix(parsed.suffix);
}

/** LLVM's `.llvm.<hash>` suffixes are noise; other suffixes (`.cold`, `.0`) stay as they are. */
function legacySuffix(suffix: string): string {
  return suffix.replace(/\.llvm\.[0-9A-F@]+$/, '');
}

// ---------------------------------------------------------------------------------------------------------------
// v0

const BASIC_TYPES: Record<string, string> = {
  a: 'i8', b: 'bool', c: 'char', d: 'f64', e: 'str', f: 'f32', h: 'u8', i: 'isize', j: 'usize', l: 'i32', m: 'u32',
  n: 'i128', o: 'u128', s: 'i16', t: 'u16', u: '()', v: '...', x: 'i64', y: 'u64', z: '!', p: '_',
};
const UNSIGNED = new Set(['h', 't', 'm', 'y', 'o', 'j']);
const SIGNED = new Set(['a', 's', 'l', 'x', 'n', 'i']);

/** Parses and prints at once, as rustc-demangle does; backreferences re-parse from an earlier position. */
class V0Printer {
  pos = 0;
  depth = 0;
  out = '';
  /** Above zero while an impl path is parsed but not printed. */
  skipping = 0;
  boundLifetimes = 0;

  constructor(readonly s: string) {}

  peek(): string {
    return this.s[this.pos] ?? '';
  }
  eat(c: string): boolean {
    if (this.s[this.pos] === c) {
      this.pos++;
      return true;
    }
    return false;
  }
  next(): string {
    const c = this.s[this.pos];
    if (c === undefined) throw new Fail();
    this.pos++;
    return c;
  }
  print(text: string): void {
    if (this.skipping > 0) return;
    this.out += text;
    if (this.out.length > MAX_OUTPUT) throw new Fail();
  }
  enter<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Fail();
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /** base-62-number: `_` is 0, otherwise the digits' value plus one. */
  integer62(): bigint {
    if (this.eat('_')) return 0n;
    let x = 0n;
    for (;;) {
      const c = this.next();
      if (c === '_') return x + 1n;
      let d: number;
      if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
      else if (c >= 'a' && c <= 'z') d = c.charCodeAt(0) - 97 + 10;
      else if (c >= 'A' && c <= 'Z') d = c.charCodeAt(0) - 65 + 36;
      else throw new Fail();
      x = x * 62n + BigInt(d);
      if (x > 0xffffffffffffffffn) throw new Fail();
    }
  }

  small62(): number {
    const v = this.integer62();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Fail();
    return Number(v);
  }

  optInteger62(tag: string): bigint {
    return this.eat(tag) ? this.integer62() + 1n : 0n;
  }

  /** Disambiguators are 64-bit hashes for crates, small counters for closures. */
  disambiguator(): bigint {
    return this.optInteger62('s');
  }

  decimal(): number {
    const start = this.pos;
    if (this.peek() === '0') {
      this.pos++;
      return 0;
    }
    while (this.peek() >= '0' && this.peek() <= '9') this.pos++;
    if (this.pos === start || this.pos - start > 6) throw new Fail();
    return Number(this.s.slice(start, this.pos));
  }

  /** An identifier without disambiguator, decoding punycode (`u` prefix) to Unicode. */
  ident(): string {
    const puny = this.eat('u');
    const len = this.decimal();
    this.eat('_');
    if (this.pos + len > this.s.length) throw new Fail();
    const raw = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    return puny ? decodePunycode(raw) : raw;
  }

  lifetime(index: number): void {
    this.print("'");
    if (index === 0) {
      this.print('_');
      return;
    }
    const depth = this.boundLifetimes - index;
    if (depth < 0) throw new Fail();
    this.print(depth < 26 ? String.fromCharCode(97 + depth) : `_${depth}`);
  }

  inBinder(f: () => void): void {
    const bound = Number(this.optInteger62('G'));
    if (bound > 1000) throw new Fail();
    if (bound > 0) {
      this.print('for<');
      for (let i = 0; i < bound; i++) {
        if (i > 0) this.print(', ');
        this.boundLifetimes++;
        this.lifetime(1);
      }
      this.print('> ');
    }
    f();
    this.boundLifetimes -= bound;
  }

  backref(f: () => void): void {
    const start = this.pos - 1;
    const target = this.small62();
    if (target >= start) throw new Fail();
    const saved = this.pos;
    this.pos = target;
    try {
      this.enter(f);
    } finally {
      this.pos = saved;
    }
  }

  sepList(f: () => void, sep: string): number {
    let n = 0;
    while (!this.eat('E')) {
      if (this.pos >= this.s.length) throw new Fail();
      if (n > 0) this.print(sep);
      f();
      n++;
    }
    return n;
  }

  path(inValue: boolean): void {
    this.enter(() => this.pathInner(inValue));
  }

  pathInner(inValue: boolean): void {
    const tag = this.next();
    switch (tag) {
      case 'C': {
        this.disambiguator();
        this.print(this.ident());
        return;
      }
      case 'N': {
        const ns = this.next();
        if (!/[a-zA-Z]/.test(ns)) throw new Fail();
        this.path(inValue);
        const dis = this.disambiguator();
        const name = this.ident();
        if (ns >= 'A' && ns <= 'Z') {
          // Special namespaces: closures, shims and others the compiler makes up.
          const kind = ns === 'C' ? 'closure' : ns === 'S' ? 'shim' : ns;
          this.print(`::{${kind}${name ? ':' + name : ''}#${dis}}`);
        } else if (name) {
          this.print('::' + name);
        }
        return;
      }
      case 'M':
      case 'X':
      case 'Y': {
        if (tag !== 'Y') {
          this.disambiguator();
          this.skipping++;
          try {
            this.path(false);
          } finally {
            this.skipping--;
          }
        }
        this.print('<');
        this.type();
        if (tag !== 'M') {
          this.print(' as ');
          this.path(false);
        }
        this.print('>');
        return;
      }
      case 'I': {
        this.path(inValue);
        if (inValue) this.print('::');
        this.print('<');
        this.sepList(() => this.genericArg(), ', ');
        this.print('>');
        return;
      }
      case 'B':
        this.backref(() => this.pathInner(inValue));
        return;
      default:
        throw new Fail();
    }
  }

  genericArg(): void {
    if (this.eat('L')) {
      this.lifetime(this.small62());
    } else if (this.eat('K')) {
      this.constant();
    } else {
      this.type();
    }
  }

  type(): void {
    this.enter(() => this.typeInner());
  }

  typeInner(): void {
    const tag = this.peek();
    const basic = BASIC_TYPES[tag];
    if (basic !== undefined) {
      this.pos++;
      this.print(basic);
      return;
    }
    switch (tag) {
      case 'R':
      case 'Q': {
        this.pos++;
        this.print('&');
        if (this.eat('L')) {
          const lt = this.small62();
          if (lt !== 0) {
            this.lifetime(lt);
            this.print(' ');
          }
        }
        if (tag === 'Q') this.print('mut ');
        this.type();
        return;
      }
      case 'P':
      case 'O':
        this.pos++;
        this.print(tag === 'P' ? '*const ' : '*mut ');
        this.type();
        return;
      case 'A':
      case 'S':
        this.pos++;
        this.print('[');
        this.type();
        if (tag === 'A') {
          this.print('; ');
          this.constant();
        }
        this.print(']');
        return;
      case 'T': {
        this.pos++;
        this.print('(');
        const n = this.sepList(() => this.type(), ', ');
        if (n === 1) this.print(',');
        this.print(')');
        return;
      }
      case 'F':
        this.pos++;
        this.inBinder(() => {
          const unsafe = this.eat('U');
          let abi: string | null = null;
          if (this.eat('K')) abi = this.eat('C') ? 'C' : this.ident().replace(/_/g, '-');
          if (unsafe) this.print('unsafe ');
          if (abi !== null) this.print(`extern "${abi}" `);
          this.print('fn(');
          this.sepList(() => this.type(), ', ');
          this.print(')');
          if (!this.eat('u')) {
            this.print(' -> ');
            this.type();
          }
        });
        return;
      case 'D': {
        this.pos++;
        this.print('dyn ');
        this.inBinder(() => this.sepList(() => this.dynTrait(), ' + '));
        if (!this.eat('L')) throw new Fail();
        const lt = this.small62();
        if (lt !== 0) {
          this.print(' + ');
          this.lifetime(lt);
        }
        return;
      }
      case 'B':
        this.pos++;
        this.backref(() => this.typeInner());
        return;
      default:
        this.path(false);
    }
  }

  /** A path whose generic arguments stay open, so associated type bindings can join them. */
  pathMaybeOpenGenerics(): boolean {
    if (this.eat('B')) {
      let open = false;
      this.backref(() => {
        open = this.pathMaybeOpenGenerics();
      });
      return open;
    }
    if (this.eat('I')) {
      this.path(false);
      this.print('<');
      this.sepList(() => this.genericArg(), ', ');
      return true;
    }
    this.path(false);
    return false;
  }

  dynTrait(): void {
    let open = this.pathMaybeOpenGenerics();
    while (this.eat('p')) {
      this.print(open ? ', ' : '<');
      open = true;
      this.print(this.ident() + ' = ');
      this.type();
    }
    if (open) this.print('>');
  }

  constant(): void {
    this.enter(() => this.constantInner());
  }

  constantInner(): void {
    const tag = this.next();
    if (tag === 'p') {
      this.print('_');
      return;
    }
    if (tag === 'B') {
      this.backref(() => this.constantInner());
      return;
    }
    if (UNSIGNED.has(tag) || SIGNED.has(tag) || tag === 'b' || tag === 'c') {
      const neg = this.eat('n');
      if (neg && !SIGNED.has(tag)) throw new Fail();
      const start = this.pos;
      while (/[0-9a-f]/.test(this.peek())) this.pos++;
      const hex = this.s.slice(start, this.pos);
      if (!this.eat('_')) throw new Fail();
      if (tag === 'b') {
        if (hex !== '0' && hex !== '1') throw new Fail();
        this.print(hex === '1' ? 'true' : 'false');
        return;
      }
      const value = hex === '' ? 0n : BigInt('0x' + hex);
      if (tag === 'c') {
        if (value > 0x10ffffn || (value >= 0xd800n && value <= 0xdfffn)) throw new Fail();
        this.print(charLiteral(Number(value)));
        return;
      }
      this.print((neg ? '-' : '') + (hex.length > 16 ? '0x' + hex : value.toString()));
      return;
    }
    // Structured constants (str, references, arrays, ADTs) are left out.
    throw new Fail();
  }

  symbol(): string {
    // An optional encoding version; only version 0 is defined.
    if (this.peek() >= '0' && this.peek() <= '9') {
      if (this.decimal() !== 0) throw new Fail();
    }
    this.path(true);
    // The instantiating crate is not printed.
    if (this.peek() >= 'A' && this.peek() <= 'Z') {
      this.skipping++;
      try {
        this.path(false);
      } finally {
        this.skipping--;
      }
    }
    return this.out;
  }
}

function charLiteral(code: number): string {
  const escapes: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r', 39: "\\'", 92: '\\\\' };
  const e = escapes[code];
  if (e) return `'${e}'`;
  if (code < 0x20 || code === 0x7f) return `'\\u{${code.toString(16)}}'`;
  return `'${String.fromCodePoint(code)}'`;
}

/** RFC 3492 punycode, with `_` standing for the `-` delimiter as v0 mangling writes it. */
function decodePunycode(encoded: string): string {
  const base = 36;
  const tMin = 1;
  const tMax = 26;
  const skew = 38;
  const damp = 700;
  const delim = encoded.lastIndexOf('_');
  const output: number[] = [];
  if (delim > 0) for (const ch of encoded.slice(0, delim)) output.push(ch.codePointAt(0)!);
  let i = 0;
  let n = 128;
  let bias = 72;
  let pos = delim > 0 ? delim + 1 : 0;
  const adapt = (deltaIn: number, numPoints: number, first: boolean): number => {
    let delta = first ? Math.floor(deltaIn / damp) : deltaIn >> 1;
    delta += Math.floor(delta / numPoints);
    let k = 0;
    while (delta > ((base - tMin) * tMax) >> 1) {
      delta = Math.floor(delta / (base - tMin));
      k += base;
    }
    return k + Math.floor(((base - tMin + 1) * delta) / (delta + skew));
  };
  while (pos < encoded.length) {
    const oldI = i;
    let w = 1;
    for (let k = base; ; k += base) {
      const c = encoded[pos++];
      if (c === undefined) throw new Fail();
      let digit: number;
      if (c >= 'a' && c <= 'z') digit = c.charCodeAt(0) - 97;
      else if (c >= '0' && c <= '9') digit = c.charCodeAt(0) - 48 + 26;
      else throw new Fail();
      i += digit * w;
      const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
      if (digit < t) break;
      w *= base - t;
      if (i > 0x10ffff * 64 || w > 1e12) throw new Fail();
    }
    bias = adapt(i - oldI, output.length + 1, oldI === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw new Fail();
    output.splice(i, 0, n);
    i++;
    if (output.length > 4096) throw new Fail();
  }
  return String.fromCodePoint(...output);
}

function demangleV0(mangled: string): string | null {
  let inner: string;
  if (mangled.startsWith('_R')) inner = mangled.slice(2);
  else if (mangled.startsWith('__R')) inner = mangled.slice(3);
  else return null;
  // Suffixes LLVM and linkers add (`.llvm.123`, `.cold`) follow a dot; the mangled part is ASCII without dots.
  const dot = inner.indexOf('.');
  const suffix = dot >= 0 ? inner.slice(dot) : '';
  if (dot >= 0) inner = inner.slice(0, dot);
  if (!/^[0-9A-Za-z_]+$/.test(inner)) return null;
  const printer = new V0Printer(inner);
  const text = printer.symbol();
  if (printer.pos !== inner.length) return null;
  return text + legacySuffix(suffix);
}

/**
 * Demangles a Rust symbol, legacy (`_ZN...17h<hash>E`) or v0 (`_R...`), without hashes or crate disambiguators.
 * Returns null when the name is not a Rust symbol or uses something this demangler does not understand.
 */
export function demangleRustOrNull(mangled: string): string | null {
  if (mangled.length > MAX_INPUT) return null;
  try {
    if (mangled.startsWith('_R') || mangled.startsWith('__R')) return demangleV0(mangled);
    return demangleLegacy(mangled);
  } catch {
    return null;
  }
}

/** Demangles a Rust symbol (legacy or v0); returns the input unchanged when it cannot. */
export function demangleRust(mangled: string): string {
  return demangleRustOrNull(mangled) ?? mangled;
}
