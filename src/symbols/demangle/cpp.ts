// Itanium C++ ABI demangler printing names the way GNU c++filt does (binutils style, verbose std:: expansions),
// since that is the text users compare against in perf, gdb and bpftrace output. The parser builds a small tree and
// a printer renders it; template parameters and pack expansions are resolved while printing.

/** Input longer than this is not demangled: real symbols stay far below it and it bounds the work. */
const MAX_INPUT = 16384;
/** Recursion depth limit for the parser and the printer. */
const MAX_DEPTH = 256;
/**
 * Printing more than this many characters in all (output plus text printed aside to measure list items) fails the
 * demangling: substitutions and pack expansions can otherwise make the output exponential in the input.
 */
const MAX_OUTPUT = 1 << 18;

class Fail extends Error {}

type Node =
  | { k: 'name'; s: string }
  | { k: 'std'; s: string; last: string }
  | { k: 'nested'; scope: Node; name: Node }
  | { k: 'template'; name: Node; args: Node[] }
  | { k: 'abitag'; base: Node; tag: string }
  | { k: 'module'; entity: Node; module: string }
  | { k: 'ctor'; name: string; dtor: boolean }
  | { k: 'op'; s: string }
  | { k: 'conv'; type: Node }
  | { k: 'special'; prefix: string; child: Node }
  | { k: 'ctorvtable'; a: Node; b: Node }
  | { k: 'quals'; child: Node; quals: string }
  | { k: 'vendorqual'; child: Node; qual: string }
  | { k: 'ptr'; child: Node }
  | { k: 'ref'; child: Node; rvalue: boolean }
  | { k: 'func'; ret: Node | null; params: Node[]; quals: string; ref: string; noexcept: string }
  | { k: 'array'; child: Node; dim: Node | null }
  | { k: 'vector'; child: Node; dim: Node }
  | { k: 'memptr'; cls: Node; member: Node }
  | { k: 'encoding'; ret: Node | null; name: Node; params: Node[]; quals: string; ref: string }
  | { k: 'local'; enc: Node; entity: Node }
  | { k: 'lambda'; params: Node[]; n: number }
  | { k: 'unnamed'; n: number }
  | { k: 'binding'; names: string[] }
  | { k: 'tparam'; index: number }
  | { k: 'pack'; items: Node[] }
  | { k: 'expansion'; child: Node }
  | { k: 'literal'; type: Node; value: string }
  | { k: 'exprname'; node: Node }
  | { k: 'fparam'; n: number }
  | { k: 'raw'; s: string }
  | { k: 'unary'; op: string; arg: Node }
  | { k: 'postfix'; op: string; arg: Node }
  | { k: 'binary'; op: string; left: Node; right: Node }
  | { k: 'ternary'; cond: Node; a: Node; b: Node }
  | { k: 'call'; fn: Node; args: Node[] }
  | { k: 'cast'; type: Node; args: Node[]; single: boolean }
  | { k: 'namedcast'; op: string; type: Node; arg: Node }
  | { k: 'sizeoftype'; op: string; type: Node }
  | { k: 'sizeofexpr'; op: string; arg: Node }
  | { k: 'member'; obj: Node; op: string; name: Node }
  | { k: 'braced'; type: Node | null; args: Node[] }
  | { k: 'new'; placement: Node[]; type: Node; args: Node[] | null; array: boolean; global: boolean }
  | { k: 'delete'; arg: Node; array: boolean; global: boolean }
  | { k: 'decltype'; expr: Node };

const BUILTINS: Record<string, string> = {
  a: 'signed char', b: 'bool', c: 'char', d: 'double', e: 'long double', f: 'float', g: '__float128',
  h: 'unsigned char', i: 'int', j: 'unsigned int', l: 'long', m: 'unsigned long', n: '__int128',
  o: 'unsigned __int128', s: 'short', t: 'unsigned short', v: 'void', w: 'wchar_t', x: 'long long',
  y: 'unsigned long long', z: '...',
};
const D_BUILTINS: Record<string, string> = {
  d: 'decimal64', e: 'decimal128', f: 'decimal32', h: 'half', i: 'char32_t', s: 'char16_t', u: 'char8_t',
  a: 'auto', c: 'decltype(auto)', n: 'decltype(nullptr)',
};
/** Literal suffixes c++filt prints instead of a cast, by builtin type. */
const LITERAL_SUFFIX: Record<string, string> = {
  int: '', 'unsigned int': 'u', long: 'l', 'unsigned long': 'ul', 'long long': 'll', 'unsigned long long': 'ull',
};

// Operator codes: printed text and arity (1 unary, 2 binary, 3 for new and ?:, which expressions read specially).
const OPERATORS: Record<string, [string, number]> = {
  aN: ['&=', 2], aS: ['=', 2], aa: ['&&', 2], ad: ['&', 1], an: ['&', 2], at: ['alignof ', 1], aw: ['co_await', 1],
  az: ['alignof ', 1], cc: ['const_cast', 2], cl: ['()', 2], cm: [',', 2], co: ['~', 1], dV: ['/=', 2],
  da: ['delete[]', 1], dc: ['dynamic_cast', 2], de: ['*', 1], dl: ['delete', 1], ds: ['.*', 2], dt: ['.', 2],
  dv: ['/', 2], eO: ['^=', 2], eo: ['^', 2], eq: ['==', 2], ge: ['>=', 2], gt: ['>', 2], ix: ['[]', 2],
  lS: ['<<=', 2], le: ['<=', 2], ls: ['<<', 2], lt: ['<', 2], mI: ['-=', 2], mL: ['*=', 2], mi: ['-', 2],
  ml: ['*', 2], mm: ['--', 1], na: ['new[]', 3], ne: ['!=', 2], ng: ['-', 1], nt: ['!', 1], nw: ['new', 3],
  oR: ['|=', 2], oo: ['||', 2], or: ['|', 2], pL: ['+=', 2], pl: ['+', 2], pm: ['->*', 2], pp: ['++', 1],
  ps: ['+', 1], pt: ['->', 2], qu: ['?', 3], rM: ['%=', 2], rS: ['>>=', 2], rc: ['reinterpret_cast', 2],
  rm: ['%', 2], rs: ['>>', 2], sc: ['static_cast', 2], ss: ['<=>', 2], st: ['sizeof ', 1], sz: ['sizeof ', 1],
  te: ['typeid ', 1], ti: ['typeid ', 1], tw: ['throw ', 1], nx: ['noexcept', 1],
};

// Standard abbreviations with the verbose expansions c++filt prints, and the name used for their constructors.
const STD_SUBS: Record<string, [string, string]> = {
  a: ['std::allocator', 'allocator'],
  b: ['std::basic_string', 'basic_string'],
  s: ['std::basic_string<char, std::char_traits<char>, std::allocator<char> >', 'basic_string'],
  i: ['std::basic_istream<char, std::char_traits<char> >', 'basic_istream'],
  o: ['std::basic_ostream<char, std::char_traits<char> >', 'basic_ostream'],
  d: ['std::basic_iostream<char, std::char_traits<char> >', 'basic_iostream'],
};

const SPECIALS: Record<string, string> = {
  V: 'vtable for ', T: 'VTT for ', I: 'typeinfo for ', S: 'typeinfo name for ', F: 'typeinfo fn for ',
  H: 'TLS init function for ', W: 'TLS wrapper function for ',
};

interface NameInfo {
  node: Node;
  /** The name ends in template arguments, so a function encoding carries its return type. */
  template: boolean;
  /** Constructors, destructors and conversion operators never carry a return type. */
  noReturn: boolean;
  quals: string;
  ref: string;
}

class Parser {
  pos = 0;
  depth = 0;
  subs: Node[] = [];
  /**
   * Set while parsing a conversion operator's type outside expressions: there `T_ I...E` leaves the arguments to
   * the operator unless a second argument list follows (c++filt's reading).
   */
  conversion = false;
  /** Above zero while parsing an expression. */
  inExpression = 0;
  /** The last source name read outside template arguments: what constructors and destructors are named. */
  lastName = '';

  /** Whether a `sr` followed by a name took the current reading (`sr1AE1x`), which a retry can turn off. */
  usedNewSr = false;

  /** With oldSr, `sr1A1x` reads as the type `1A` then the member `1x` (older compilers' mangling). */
  constructor(
    readonly s: string,
    readonly oldSr = false,
  ) {}

  peek(o = 0): string {
    return this.s[this.pos + o] ?? '';
  }
  eat(c: string): boolean {
    if (this.s.startsWith(c, this.pos)) {
      this.pos += c.length;
      return true;
    }
    return false;
  }
  expect(c: string): void {
    if (!this.eat(c)) throw new Fail();
  }
  atEnd(): boolean {
    return this.pos >= this.s.length;
  }
  enter(): void {
    if (++this.depth > MAX_DEPTH) throw new Fail();
  }

  number(): number {
    let neg = false;
    if (this.eat('n')) neg = true;
    const start = this.pos;
    while (this.peek() >= '0' && this.peek() <= '9') this.pos++;
    if (this.pos === start || this.pos - start > 9) throw new Fail();
    const n = Number(this.s.slice(start, this.pos));
    return neg ? -n : n;
  }

  /** seq-id: base-36 with digits and upper-case letters, terminated by `_`; an empty one is -1. */
  seqId(): number {
    if (this.eat('_')) return -1;
    let n = 0;
    for (;;) {
      const c = this.peek();
      if (c >= '0' && c <= '9') n = n * 36 + (c.charCodeAt(0) - 48);
      else if (c >= 'A' && c <= 'Z') n = n * 36 + (c.charCodeAt(0) - 55);
      else break;
      this.pos++;
      if (n > 1e7) throw new Fail();
    }
    this.expect('_');
    return n;
  }

  /** `_` digit or `__` number `_`, as after local names and unnamed types. */
  discriminator(): void {
    if (this.peek() !== '_') return;
    if (this.peek(1) >= '0' && this.peek(1) <= '9') {
      this.pos += 2;
    } else if (this.peek(1) === '_') {
      this.pos += 2;
      this.number();
      this.expect('_');
    }
  }

  encoding(): Node {
    this.enter();
    try {
      const c = this.peek();
      if (c === 'T' || (c === 'G' && /[VRTA]/.test(this.peek(1)))) return this.specialName();
      const info = this.name();
      if (this.atEnd() || this.peek() === 'E' || this.peek() === '.') return info.node;
      let ret: Node | null = null;
      if (info.template && !info.noReturn) ret = this.type();
      const params = this.bareParams();
      return { k: 'encoding', ret, name: info.node, params, quals: info.quals, ref: info.ref };
    } finally {
      this.depth--;
    }
  }

  bareParams(): Node[] {
    const params: Node[] = [];
    while (!this.atEnd() && this.peek() !== 'E' && this.peek() !== '.') params.push(this.type());
    if (params.length === 0) throw new Fail();
    return params;
  }

  callOffset(): void {
    if (this.eat('h')) {
      this.number();
      this.expect('_');
    } else if (this.eat('v')) {
      this.number();
      this.expect('_');
      this.number();
      this.expect('_');
    } else {
      throw new Fail();
    }
  }

  specialName(): Node {
    if (this.eat('T')) {
      const c = this.peek();
      this.pos++;
      const prefix = SPECIALS[c];
      // TLS init and wrapper functions name a variable; the others describe a type.
      if (prefix) return { k: 'special', prefix, child: c === 'H' || c === 'W' ? this.name().node : this.type() };
      if (c === 'h') {
        this.number();
        this.expect('_');
        return { k: 'special', prefix: 'non-virtual thunk to ', child: this.encoding() };
      }
      if (c === 'v') {
        this.number();
        this.expect('_');
        this.number();
        this.expect('_');
        return { k: 'special', prefix: 'virtual thunk to ', child: this.encoding() };
      }
      if (c === 'c') {
        this.callOffset();
        this.callOffset();
        return { k: 'special', prefix: 'covariant return thunk to ', child: this.encoding() };
      }
      if (c === 'C') {
        const a = this.type();
        this.number();
        this.expect('_');
        const b = this.type();
        return { k: 'ctorvtable', a, b };
      }
      throw new Fail();
    }
    this.expect('G');
    const c = this.peek();
    this.pos++;
    if (c === 'V') return { k: 'special', prefix: 'guard variable for ', child: this.name().node };
    if (c === 'A') return { k: 'special', prefix: 'hidden alias for ', child: this.encoding() };
    if (c === 'T') {
      if (this.eat('t')) return { k: 'special', prefix: 'transaction clone for ', child: this.encoding() };
      if (this.eat('n')) return { k: 'special', prefix: 'non-transaction clone for ', child: this.encoding() };
    }
    throw new Fail();
  }

  name(): NameInfo {
    this.enter();
    try {
      const c = this.peek();
      if (c === 'N') return this.nestedName();
      if (c === 'Z') return this.localName();
      let node: Node;
      let noReturn = false;
      if (c === 'S' && this.peek(1) === 't') {
        this.pos += 2;
        const u = this.unqualifiedName(null);
        node = { k: 'nested', scope: { k: 'name', s: 'std' }, name: u.node };
        noReturn = u.noReturn;
      } else if (c === 'S') {
        node = this.substitution();
        if (this.peek() !== 'I') throw new Fail();
        const args = this.templateArgs();
        return { node: { k: 'template', name: node, args }, template: true, noReturn: false, quals: '', ref: '' };
      } else {
        const u = this.unqualifiedName(null);
        node = u.node;
        noReturn = u.noReturn;
      }
      if (this.peek() === 'I') {
        this.subs.push(node);
        const args = this.templateArgs();
        return { node: { k: 'template', name: node, args }, template: true, noReturn, quals: '', ref: '' };
      }
      return { node, template: false, noReturn, quals: '', ref: '' };
    } finally {
      this.depth--;
    }
  }

  cvQuals(): string {
    let q = '';
    if (this.eat('r')) q = ' restrict';
    if (this.eat('V')) q = ' volatile' + q;
    if (this.eat('K')) q = ' const' + q;
    return q;
  }

  nestedName(): NameInfo {
    this.expect('N');
    const quals = this.cvQuals();
    let ref = '';
    if (this.eat('R')) ref = ' &';
    else if (this.eat('O')) ref = ' &&';
    let soFar: Node | null = null;
    let template = false;
    let noReturn = false;
    let pushed = 0;
    while (!this.eat('E')) {
      if (this.atEnd()) throw new Fail();
      this.eat('L');
      const c = this.peek();
      if (c === 'M') {
        if (!soFar) throw new Fail();
        this.pos++;
        continue;
      }
      if (c === 'S' && this.peek(1) === 't') {
        if (soFar) throw new Fail();
        this.pos += 2;
        soFar = { k: 'name', s: 'std' };
        continue;
      }
      if (c === 'S') {
        if (soFar) throw new Fail();
        soFar = this.substitution();
        continue;
      }
      if (c === 'I') {
        if (!soFar) throw new Fail();
        const args = this.templateArgs();
        soFar = { k: 'template', name: soFar, args };
        template = true;
      } else if (c === 'T') {
        if (soFar) throw new Fail();
        soFar = this.templateParam();
        template = false;
      } else if (c === 'D' && (this.peek(1) === 't' || this.peek(1) === 'T')) {
        if (soFar) throw new Fail();
        soFar = this.decltype();
        template = false;
      } else {
        const u = this.unqualifiedName(soFar);
        soFar = soFar ? { k: 'nested', scope: soFar, name: u.node } : u.node;
        template = false;
        noReturn = u.noReturn;
      }
      this.subs.push(soFar);
      pushed++;
    }
    if (!soFar || pushed === 0) throw new Fail();
    this.subs.pop();
    return { node: soFar, template, noReturn, quals, ref };
  }

  localName(): NameInfo {
    this.expect('Z');
    const enc = this.encoding();
    this.expect('E');
    if (this.eat('s')) {
      this.discriminator();
      return { node: { k: 'local', enc, entity: { k: 'name', s: 'string literal' } }, template: false, noReturn: false, quals: '', ref: '' };
    }
    let scope = enc;
    if (this.eat('d')) {
      const n = this.peek() === '_' ? 1 : this.number() + 2;
      this.expect('_');
      scope = { k: 'local', enc, entity: { k: 'name', s: `{default arg#${n}}` } };
    }
    const inner = this.name();
    this.discriminator();
    return { ...inner, node: { k: 'local', enc: scope, entity: inner.node } };
  }

  sourceName(): string {
    const len = this.number();
    if (len <= 0 || this.pos + len > this.s.length) throw new Fail();
    let id = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    if (len >= 10 && id.startsWith('_GLOBAL_') && '._$'.includes(id[8]!) && id[9] === 'N') id = '(anonymous namespace)';
    this.lastName = id;
    return id;
  }

  unqualifiedName(scope: Node | null): { node: Node; noReturn: boolean } {
    // C++20 module attachment (`W` names), printed after the entity as `name@module`.
    let module = '';
    while (this.eat('W')) {
      const partition = this.eat('P');
      const sub = this.sourceName();
      module += (module ? (partition ? ':' : '.') : '') + sub;
      this.subs.push({ k: 'name', s: module });
    }
    const u = this.unqualifiedNameInner(scope);
    if (module) u.node = { k: 'module', entity: u.node, module };
    return u;
  }

  unqualifiedNameInner(scope: Node | null): { node: Node; noReturn: boolean } {
    const c = this.peek();
    let node: Node;
    let noReturn = false;
    if (c >= '0' && c <= '9') {
      node = { k: 'name', s: this.sourceName() };
    } else if (c === 'L') {
      this.pos++;
      node = { k: 'name', s: this.sourceName() };
      this.discriminator();
    } else if (c === 'U') {
      node = this.unnamedTypeName();
    } else if (c === 'C' || (c === 'D' && /[0-9]/.test(this.peek(1)))) {
      if (!scope) throw new Fail();
      const dtor = c === 'D';
      this.pos++;
      // Inheriting constructors (CI1, CI2) name the base class they inherit from, which follows.
      if (!dtor && this.eat('I')) {
        this.pos++;
        this.type();
      } else {
        this.pos++;
      }
      if (this.lastName === '') throw new Fail();
      node = { k: 'ctor', name: this.lastName, dtor };
      noReturn = true;
    } else if (c === 'D' && this.peek(1) === 'C') {
      this.pos += 2;
      const names: string[] = [];
      while (!this.eat('E')) names.push(this.sourceName());
      node = { k: 'binding', names };
    } else if (c >= 'a' && c <= 'z') {
      const op = this.operatorName();
      node = op.node;
      noReturn = op.conv;
    } else {
      throw new Fail();
    }
    const lastName = this.lastName;
    while (this.peek() === 'B') {
      this.pos++;
      node = { k: 'abitag', base: node, tag: this.sourceName() };
    }
    this.lastName = lastName;
    return { node, noReturn };
  }

  operatorName(): { node: Node; conv: boolean } {
    const code = this.s.slice(this.pos, this.pos + 2);
    if (code === 'cv') {
      this.pos += 2;
      const saved = this.conversion;
      this.conversion = this.inExpression === 0;
      try {
        return { node: { k: 'conv', type: this.type() }, conv: true };
      } finally {
        this.conversion = saved;
      }
    }
    if (code === 'li') {
      this.pos += 2;
      return { node: { k: 'op', s: 'operator"" ' + this.sourceName() }, conv: false };
    }
    if (code[0] === 'v' && code[1]! >= '0' && code[1]! <= '9') {
      this.pos += 2;
      return { node: { k: 'op', s: 'operator ' + this.sourceName() }, conv: false };
    }
    const op = OPERATORS[code];
    if (!op) throw new Fail();
    this.pos += 2;
    const text = op[0].trimEnd();
    const s = /^[a-z]/.test(text) ? 'operator ' + text : 'operator' + text;
    return { node: { k: 'op', s }, conv: false };
  }

  unnamedTypeName(): Node {
    if (this.eat('Ut')) {
      const n = this.peek() === '_' ? 1 : this.number() + 2;
      this.expect('_');
      return { k: 'unnamed', n };
    }
    if (this.eat('Ul')) {
      const params: Node[] = [];
      while (!this.eat('E')) {
        // Explicit template parameter lists of lambdas (Ty, Tn, Tt, Tp) are not supported.
        if (this.atEnd() || (this.peek() === 'T' && /[ytnp]/.test(this.peek(1)))) throw new Fail();
        params.push(this.type());
      }
      if (params.length === 0) throw new Fail();
      const n = this.peek() === '_' ? 1 : this.number() + 2;
      this.expect('_');
      return { k: 'lambda', params, n };
    }
    throw new Fail();
  }

  substitution(): Node {
    this.expect('S');
    const c = this.peek();
    if (c in STD_SUBS && c >= 'a') {
      this.pos++;
      const [s, last] = STD_SUBS[c]!;
      this.lastName = last;
      return { k: 'std', s, last };
    }
    const id = this.seqId();
    const node = this.subs[id + 1];
    if (!node) throw new Fail();
    return node;
  }

  templateParam(): Node {
    this.expect('T');
    const id = this.seqId() + 1;
    return { k: 'tparam', index: id };
  }

  templateArgs(): Node[] {
    this.enter();
    try {
      this.expect('I');
      const lastName = this.lastName;
      const args: Node[] = [];
      while (!this.eat('E')) {
        if (this.atEnd()) throw new Fail();
        args.push(this.templateArg());
      }
      this.lastName = lastName;
      return args;
    } finally {
      this.depth--;
    }
  }

  templateArg(): Node {
    const c = this.peek();
    if (c === 'X') {
      this.pos++;
      const e = this.expression();
      this.expect('E');
      return e;
    }
    if (c === 'L') return this.exprPrimary();
    if (c === 'J' || c === 'I') {
      this.pos++;
      const items: Node[] = [];
      while (!this.eat('E')) {
        if (this.atEnd()) throw new Fail();
        items.push(this.templateArg());
      }
      return { k: 'pack', items };
    }
    return this.type();
  }

  exprPrimary(): Node {
    this.expect('L');
    if (this.peek() === '_' && this.peek(1) === 'Z') {
      this.pos += 2;
      const enc = this.encoding();
      this.expect('E');
      return { k: 'exprname', node: enc };
    }
    if (this.eat('Z')) {
      // Some compilers omit the underscore.
      const enc = this.encoding();
      this.expect('E');
      return { k: 'exprname', node: enc };
    }
    const type = this.type();
    if (this.eat('E')) {
      if (type.k === 'name' && type.s === 'decltype(nullptr)') return { k: 'raw', s: 'decltype(nullptr)' };
      throw new Fail();
    }
    const start = this.pos;
    while (!this.atEnd() && this.peek() !== 'E') this.pos++;
    const value = this.s.slice(start, this.pos);
    this.expect('E');
    if (value.length === 0) throw new Fail();
    return { k: 'literal', type, value };
  }

  decltype(): Node {
    this.expect('D');
    const c = this.peek();
    this.pos++;
    if (c !== 't' && c !== 'T') throw new Fail();
    const expr = this.expression();
    this.expect('E');
    return { k: 'decltype', expr };
  }

  type(): Node {
    this.enter();
    try {
      return this.typeInner();
    } finally {
      this.depth--;
    }
  }

  typeInner(): Node {
    const c = this.peek();
    if (c in BUILTINS) {
      this.pos++;
      return { k: 'name', s: BUILTINS[c]! };
    }
    let node: Node;
    switch (c) {
      case 'u': {
        this.pos++;
        node = { k: 'name', s: this.sourceName() };
        break;
      }
      case 'r':
      case 'V':
      case 'K': {
        const quals = this.cvQuals();
        const child = this.type();
        // A qualified function type is one substitution candidate, not two (as c++filt counts them).
        if (child.k === 'func' && this.subs[this.subs.length - 1] === child) this.subs.pop();
        node = qualify(child, quals);
        break;
      }
      case 'U': {
        this.pos++;
        const qual = this.sourceName();
        if (this.peek() === 'I') this.templateArgs();
        node = { k: 'vendorqual', child: this.type(), qual };
        break;
      }
      case 'P':
        this.pos++;
        node = { k: 'ptr', child: this.type() };
        break;
      case 'C':
      case 'G':
        this.pos++;
        node = { k: 'vendorqual', child: this.type(), qual: c === 'C' ? '_Complex' : '_Imaginary' };
        break;
      case 'R':
      case 'O':
        this.pos++;
        node = { k: 'ref', child: this.type(), rvalue: c === 'O' };
        break;
      case 'F':
        node = this.functionType();
        break;
      case 'A':
        node = this.arrayType();
        break;
      case 'M': {
        this.pos++;
        const cls = this.type();
        const member = this.type();
        node = { k: 'memptr', cls, member };
        break;
      }
      case 'T': {
        node = this.templateParam();
        if (this.peek() === 'I') {
          if (!this.conversion) {
            this.subs.push(node);
            node = { k: 'template', name: node, args: this.templateArgs() };
          } else {
            const pos = this.pos;
            const subs = this.subs.length;
            const args = this.templateArgs();
            if (this.peek() === 'I') {
              this.subs.push(node);
              node = { k: 'template', name: node, args };
            } else {
              this.pos = pos;
              this.subs.length = subs;
            }
          }
        }
        break;
      }
      case 'S': {
        if (this.peek(1) === 't') {
          node = this.name().node;
          break;
        }
        const sub = this.substitution();
        if (this.peek() !== 'I') return sub;
        node = { k: 'template', name: sub, args: this.templateArgs() };
        break;
      }
      case 'D': {
        const d = this.peek(1);
        if (d in D_BUILTINS) {
          this.pos += 2;
          return { k: 'name', s: D_BUILTINS[d]! };
        }
        if (d === 'F') {
          this.pos += 2;
          const bits = this.number();
          const x = this.eat('x') ? 'x' : '';
          this.expect('_');
          return { k: 'name', s: `_Float${bits}${x}` };
        }
        if (d === 't' || d === 'T') {
          node = this.decltype();
          break;
        }
        if (d === 'p') {
          this.pos += 2;
          node = { k: 'expansion', child: this.type() };
          break;
        }
        if (d === 'v') {
          this.pos += 2;
          if (this.peek() === '_') throw new Fail();
          const dim: Node = { k: 'raw', s: String(this.number()) };
          this.expect('_');
          node = { k: 'vector', child: this.type(), dim };
          break;
        }
        if (d === 'x' || d === 'o' || d === 'O' || d === 'w') {
          node = this.functionType();
          break;
        }
        throw new Fail();
      }
      default:
        // Class and enum types: a (possibly nested or local) name.
        if (c !== 'N' && c !== 'Z' && !(c >= '0' && c <= '9')) throw new Fail();
        node = this.name().node;
    }
    this.subs.push(node);
    return node;
  }

  functionType(): Node {
    let noexcept = '';
    if (this.eat('Do')) noexcept = ' noexcept';
    else if (this.eat('DO')) {
      this.expression();
      this.expect('E');
      noexcept = ' noexcept';
    } else if (this.eat('Dw')) {
      while (!this.eat('E')) this.type();
      noexcept = ' throw()';
    }
    this.eat('Dx');
    this.expect('F');
    this.eat('Y');
    const ret = this.type();
    const params: Node[] = [];
    let ref = '';
    for (;;) {
      if (this.eat('E')) break;
      if (this.eat('RE')) {
        ref = ' &';
        break;
      }
      if (this.eat('OE')) {
        ref = ' &&';
        break;
      }
      if (this.atEnd()) throw new Fail();
      params.push(this.type());
    }
    return { k: 'func', ret, params, quals: '', ref, noexcept };
  }

  arrayType(): Node {
    this.expect('A');
    let dim: Node | null = null;
    if (this.peek() >= '0' && this.peek() <= '9') {
      dim = { k: 'raw', s: String(this.number()) };
    } else if (this.peek() !== '_') {
      dim = this.expression();
    }
    this.expect('_');
    return { k: 'array', child: this.type(), dim };
  }

  // Expressions, as they appear in decltype and template arguments. Enough of the grammar for what compilers
  // emit in practice; anything else fails the whole demangling.
  expression(): Node {
    this.enter();
    this.inExpression++;
    try {
      return this.expressionInner();
    } finally {
      this.inExpression--;
      this.depth--;
    }
  }

  exprList(end: string): Node[] {
    const list: Node[] = [];
    while (!this.eat(end)) {
      if (this.atEnd()) throw new Fail();
      list.push(this.expression());
    }
    return list;
  }

  /**
   * An unresolved name in an expression, parsed the way c++filt does: after `sr` either a prefix of names ending in
   * `E` (adding no substitutions) or a whole type, then the member name; template arguments wrap the whole name.
   */
  unresolvedName(): Node {
    const global = this.eat('gs');
    let node: Node;
    if (this.eat('sr')) {
      let scope: Node | null = null;
      if (!this.oldSr && /[0-9a-zCUL]/.test(this.peek())) {
        this.usedNewSr = true;
        while (!this.eat('E')) {
          if (this.atEnd()) throw new Fail();
          if (this.peek() === 'I') {
            if (!scope) throw new Fail();
            scope = { k: 'template', name: scope, args: this.templateArgs() };
          } else {
            const u: Node = this.unqualifiedName(scope).node;
            scope = scope ? { k: 'nested', scope, name: u } : u;
          }
        }
      } else {
        scope = this.type();
      }
      if (!scope) throw new Fail();
      node = { k: 'nested', scope, name: this.baseUnresolvedName() };
    } else {
      node = this.baseUnresolvedName();
    }
    if (this.peek() === 'I') node = { k: 'template', name: node, args: this.templateArgs() };
    return global ? { k: 'nested', scope: { k: 'name', s: '' }, name: node } : node;
  }

  baseUnresolvedName(): Node {
    const c = this.peek();
    if (c >= '0' && c <= '9') return { k: 'name', s: this.sourceName() };
    if (this.eat('dn')) {
      const t = /[0-9]/.test(this.peek()) ? ({ k: 'name', s: this.sourceName() } as Node) : this.type();
      return { k: 'unary', op: '~', arg: t };
    }
    this.eat('on');
    return this.operatorName().node;
  }

  expressionInner(): Node {
    const c = this.peek();
    if (c === 'L') return this.exprPrimary();
    if (c === 'T') return this.templateParam();
    if (c >= '0' && c <= '9') return this.unresolvedName();
    const code = this.s.slice(this.pos, this.pos + 2);
    switch (code) {
      case 'fp': {
        this.pos += 2;
        if (this.eat('T')) return { k: 'raw', s: 'this' };
        this.cvQuals();
        const n = this.peek() === '_' ? 0 : this.number() + 1;
        this.expect('_');
        return { k: 'fparam', n };
      }
      case 'fL': {
        this.pos += 2;
        this.number();
        this.expect('p');
        this.cvQuals();
        const n = this.peek() === '_' ? 0 : this.number() + 1;
        this.expect('_');
        return { k: 'fparam', n };
      }
      case 'sr':
      case 'gs':
      case 'dn':
      case 'on': {
        if (code === 'gs' && (this.peek(2) === 'n' || this.peek(2) === 'd')) break;
        return this.unresolvedName();
      }
      case 'cl': {
        this.pos += 2;
        const fn = this.expression();
        return { k: 'call', fn, args: this.exprList('E') };
      }
      case 'cv': {
        this.pos += 2;
        const type = this.type();
        if (this.eat('_')) return { k: 'cast', type, args: this.exprList('E'), single: false };
        return { k: 'cast', type, args: [this.expression()], single: true };
      }
      case 'tl': {
        this.pos += 2;
        const type = this.type();
        return { k: 'braced', type, args: this.exprList('E') };
      }
      case 'il': {
        this.pos += 2;
        return { k: 'braced', type: null, args: this.exprList('E') };
      }
      case 'dc':
      case 'sc':
      case 'cc':
      case 'rc': {
        this.pos += 2;
        const type = this.type();
        return { k: 'namedcast', op: OPERATORS[code]![0], type, arg: this.expression() };
      }
      case 'st':
      case 'at':
      case 'ti': {
        this.pos += 2;
        return { k: 'sizeoftype', op: OPERATORS[code]![0], type: this.type() };
      }
      case 'sz':
      case 'az':
      case 'te':
      case 'nx': {
        this.pos += 2;
        return { k: 'sizeofexpr', op: OPERATORS[code]![0], arg: this.expression() };
      }
      case 'sZ': {
        this.pos += 2;
        const arg = this.peek() === 'T' ? this.templateParam() : this.expression();
        return { k: 'sizeofexpr', op: 'sizeof...', arg };
      }
      case 'sp': {
        this.pos += 2;
        return { k: 'expansion', child: this.expression() };
      }
      case 'tw': {
        this.pos += 2;
        return { k: 'unary', op: 'throw ', arg: this.expression() };
      }
      case 'tr': {
        this.pos += 2;
        return { k: 'raw', s: 'throw' };
      }
      case 'dt':
      case 'pt': {
        this.pos += 2;
        const obj = this.expression();
        return { k: 'member', obj, op: code === 'dt' ? '.' : '->', name: this.unresolvedName() };
      }
      case 'pp':
      case 'mm': {
        this.pos += 2;
        const prefix = this.eat('_');
        const arg = this.expression();
        return prefix ? { k: 'unary', op: OPERATORS[code]![0], arg } : { k: 'postfix', op: OPERATORS[code]![0], arg };
      }
      default:
        break;
    }
    const global = this.eat('gs');
    const c2 = this.s.slice(this.pos, this.pos + 2);
    if (c2 === 'nw' || c2 === 'na') {
      this.pos += 2;
      const placement = this.exprList('_');
      const type = this.type();
      let args: Node[] | null = null;
      if (this.eat('pi')) args = this.exprList('E');
      else this.expect('E');
      return { k: 'new', placement, type, args, array: c2 === 'na', global };
    }
    if (c2 === 'dl' || c2 === 'da') {
      this.pos += 2;
      return { k: 'delete', arg: this.expression(), array: c2 === 'da', global };
    }
    if (global) throw new Fail();
    const op = OPERATORS[c2];
    if (!op) throw new Fail();
    this.pos += 2;
    if (op[1] === 1) return { k: 'unary', op: op[0], arg: this.expression() };
    if (op[1] === 2) {
      const left = this.expression();
      return { k: 'binary', op: op[0], left, right: this.expression() };
    }
    if (c2 === 'qu') {
      const cond = this.expression();
      const a = this.expression();
      return { k: 'ternary', cond, a, b: this.expression() };
    }
    throw new Fail();
  }
}

/** Renders a parsed name. Types print in two halves around their declarator (`int (*` and `)(char)`). */
class Printer {
  out = '';
  depth = 0;
  /** The last character written, which c++filt consults to space `> >` and `operator< <`. */
  last = '';
  /**
   * Argument lists of the templates in scope, innermost last: a function template's arguments while its encoding
   * prints. Template parameters resolve against the innermost one, which is popped while the argument prints.
   */
  templates: Node[][] = [];
  /** Arguments of the template being printed, which a conversion operator inside it refers to. */
  currentTemplate: Node[] | null = null;
  /** Element of a pack that template parameters select; like c++filt, it starts at 0 and keeps its last value. */
  packIndex = 0;
  /** Above zero while printing a lambda's signature, where template parameters print as `auto:N`. */
  inLambda = 0;
  /** Template scopes captured the first time a reference to a template parameter printed (c++filt's saved scopes). */
  savedScopes = new Map<Node, Node[][]>();
  /** Work budget for searches through the tree, which substitutions can make a large DAG. */
  budget = 1 << 20;

  /** Characters printed so far, counting text printed aside. */
  printed = 0;

  emit(s: string): void {
    if (s === '') return;
    this.out += s;
    this.last = s[s.length - 1]!;
    this.printed += s.length;
    if (this.printed > MAX_OUTPUT) throw new Fail();
  }

  /** Prints into a separate buffer and returns the text; `last` is left as the captured text's last character. */
  sub(f: () => void): string {
    const saved = this.out;
    const savedLast = this.last;
    this.out = '';
    this.last = '';
    try {
      f();
      return this.out;
    } finally {
      this.out = saved;
      if (this.last === '') this.last = savedLast;
    }
  }

  print(n: Node): void {
    if (++this.depth > MAX_DEPTH) throw new Fail();
    try {
      this.left(n);
      this.right(n);
    } finally {
      this.depth--;
    }
  }

  /** The argument a template parameter stands for in the innermost template scope. */
  lookup(n: Node & { k: 'tparam' }, templates = this.templates): Node {
    const top = templates[templates.length - 1];
    if (!top) throw new Fail();
    let arg = top[n.index];
    if (arg?.k === 'pack') arg = arg.items[this.packIndex];
    if (!arg) throw new Fail();
    return arg;
  }

  /** Runs f on a template parameter's argument with the innermost template scope popped, as c++filt prints it. */
  withArg<T>(n: Node & { k: 'tparam' }, f: (arg: Node) => T): T {
    const arg = this.lookup(n);
    const top = this.templates.pop()!;
    try {
      return f(arg);
    } finally {
      this.templates.push(top);
    }
  }

  withTemplates<T>(templates: Node[][], f: () => T): T {
    const saved = this.templates;
    this.templates = templates;
    try {
      return f();
    } finally {
      this.templates = saved;
    }
  }

  /** Qualifiers the child does not already carry (a template argument may be `const` itself). */
  newQuals(n: Node & { k: 'quals' }): string {
    if (n.child.k !== 'quals') return n.quals;
    const inner = n.child.quals;
    return n.quals.split(' ').filter((q) => q !== '' && !inner.includes(' ' + q)).map((q) => ' ' + q).join('');
  }

  /** Whether the type prints a declarator on its right side (functions and arrays need parentheses). */
  hasRight(n: Node): 'func' | 'array' | null {
    switch (n.k) {
      case 'tparam':
        return this.inLambda > 0 ? null : this.withArg(n, (a) => this.hasRight(a));
      case 'func':
        return 'func';
      case 'array':
        return 'array';
      case 'quals':
        return this.hasRight(n.child);
      default:
        return null;
    }
  }

  /**
   * Whether the type ends inside an open declarator, like `int (*`, where c++filt writes what follows (a function's
   * name and parameters) without a space.
   */
  openDeclarator(n: Node): boolean {
    switch (n.k) {
      case 'tparam':
        return this.inLambda > 0 ? false : this.withArg(n, (a) => this.openDeclarator(a));
      case 'ptr':
      case 'ref':
        return this.hasRight(n.child) !== null || this.openDeclarator(n.child);
      case 'memptr':
        return this.hasRight(n.member) !== null || this.openDeclarator(n.member);
      case 'quals':
        return this.openDeclarator(n.child);
      default:
        return false;
    }
  }

  /**
   * How a reference prints, following c++filt: a template parameter under it is looked up once (in the scope saved
   * the first time that parameter printed under a reference), and references to references collapse.
   */
  refParts(n: Node & { k: 'ref' }): { rvalue: boolean; inner: Node; templates: Node[][] } {
    let sub = n.child;
    let templates = this.templates;
    if (this.inLambda === 0 && sub.k === 'tparam') {
      const saved = this.savedScopes.get(sub);
      if (saved) templates = saved;
      else this.savedScopes.set(sub, this.templates.slice());
      sub = this.lookup(sub, templates);
    }
    if (sub.k === 'ref' && (!sub.rvalue || sub.rvalue === n.rvalue)) return { rvalue: sub.rvalue, inner: sub.child, templates };
    if (sub.k === 'ref') return { rvalue: n.rvalue, inner: sub.child, templates };
    return { rvalue: n.rvalue, inner: n.child, templates };
  }

  left(n: Node): void {
    switch (n.k) {
      case 'tparam':
        if (this.inLambda > 0) this.emit(`auto:${n.index + 1}`);
        else this.withArg(n, (a) => this.left(a));
        return;
      case 'pack':
        this.list(n.items);
        return;
      case 'quals': {
        // A qualified template parameter prints its argument qualified, in the argument's scope.
        if (n.child.k === 'tparam' && this.inLambda === 0) {
          this.withArg(n.child, (a) => this.left(qualify(a, n.quals)));
          return;
        }
        this.left(n.child);
        if (this.hasRight(n.child) === null) this.emit(this.newQuals(n));
        return;
      }
      case 'vendorqual':
        this.left(n.child);
        this.emit(' ' + n.qual);
        return;
      case 'ptr': {
        const kind = this.hasRight(n.child);
        this.left(n.child);
        if (kind === 'array') this.emit(' (');
        else if (kind === 'func') this.emit('(');
        this.emit('*');
        return;
      }
      case 'ref': {
        const { rvalue, inner, templates } = this.refParts(n);
        this.withTemplates(templates, () => {
          const kind = this.hasRight(inner);
          this.left(inner);
          if (kind === 'array') this.emit(' (');
          else if (kind === 'func') this.emit('(');
          this.emit(rvalue ? '&&' : '&');
        });
        return;
      }
      case 'memptr': {
        const kind = this.hasRight(n.member);
        this.left(n.member);
        this.emit(kind ? '(' : ' ');
        this.print(n.cls);
        this.emit('::*');
        return;
      }
      case 'func':
        if (n.ret) {
          this.left(n.ret);
          if (!this.openDeclarator(n.ret)) this.emit(' ');
        }
        return;
      case 'array':
        this.left(n.child);
        return;
      case 'vector':
        this.print(n.child);
        this.emit(' __vector(');
        this.print(n.dim);
        this.emit(')');
        return;
      case 'expansion': {
        const pack = this.findPack(n.child);
        if (!pack) {
          this.subexpr(n.child);
          this.emit('...');
          return;
        }
        for (let i = 0; i < pack.items.length; i++) {
          this.packIndex = i;
          if (i > 0) this.emit(', ');
          this.print(n.child);
        }
        return;
      }
      default:
        this.plain(n);
    }
  }

  right(n: Node): void {
    switch (n.k) {
      case 'tparam':
        if (this.inLambda === 0) this.withArg(n, (a) => this.right(a));
        return;
      case 'quals':
        if (n.child.k === 'tparam' && this.inLambda === 0) {
          this.withArg(n.child, (a) => this.right(qualify(a, n.quals)));
          return;
        }
        this.right(n.child);
        if (this.hasRight(n.child) !== null) this.emit(this.newQuals(n));
        return;
      case 'vendorqual':
        this.right(n.child);
        return;
      case 'ptr':
        if (this.hasRight(n.child)) this.emit(')');
        this.right(n.child);
        return;
      case 'ref': {
        const { inner, templates } = this.refParts(n);
        this.withTemplates(templates, () => {
          if (this.hasRight(inner)) this.emit(')');
          this.right(inner);
        });
        return;
      }
      case 'memptr':
        if (this.hasRight(n.member)) this.emit(')');
        this.right(n.member);
        return;
      case 'func':
        this.params(n.params);
        if (n.ret) this.right(n.ret);
        this.emit(n.quals + n.ref + n.noexcept);
        return;
      case 'array':
        if (this.last !== ']') this.emit(' ');
        this.emit('[');
        if (n.dim) this.print(n.dim);
        this.emit(']');
        this.right(n.child);
        return;
      default:
        return;
    }
  }

  /** The first template parameter in a pack expansion's pattern whose argument is a pack (c++filt's search). */
  findPack(n: Node): (Node & { k: 'pack' }) | null {
    if (--this.budget < 0) throw new Fail();
    switch (n.k) {
      case 'tparam': {
        // In a lambda's signature template parameters are `auto` parameters, never packs of arguments.
        if (this.inLambda > 0) return null;
        const top = this.templates[this.templates.length - 1];
        const arg = top?.[n.index];
        return arg?.k === 'pack' ? arg : null;
      }
      case 'expansion':
      case 'lambda':
      case 'name':
      case 'std':
      case 'op':
      case 'raw':
      case 'fparam':
      case 'unnamed':
      case 'ctor':
      case 'binding':
        return null;
      default:
        for (const child of children(n)) {
          const found = this.findPack(child);
          if (found) return found;
        }
        return null;
    }
  }

  params(params: Node[]): void {
    this.emit('(');
    if (!(params.length === 1 && params[0]!.k === 'name' && params[0]!.s === 'void')) this.list(params);
    this.emit(')');
  }

  /**
   * Items joined by ", ". Like c++filt, a separator is dropped only when everything after it printed nothing (empty
   * packs), and the dropped separator still counts as the last character written.
   */
  list(items: Node[]): void {
    const texts: string[] = [];
    const lasts: string[] = [];
    for (const item of items) {
      texts.push(this.sub(() => this.print(item)));
      lasts.push(this.last);
    }
    let restEmpty = true;
    let keep = items.length;
    for (let i = items.length - 1; i >= 1 && restEmpty; i--) {
      if (texts[i] !== '') restEmpty = false;
      else keep = i;
    }
    for (let i = 0; i < keep; i++) {
      if (i > 0) this.emit(', ');
      this.emit(texts[i]!);
      if (texts[i] !== '') this.last = lasts[i]!;
    }
    if (keep < items.length) this.last = ' ';
  }

  templateArgs(args: Node[]): void {
    // `operator<` followed by `<` would read as `operator<<`.
    if (this.last === '<') this.emit(' ');
    this.emit('<');
    this.list(args);
    if (this.last === '>') this.emit(' ');
    this.emit('>');
  }

  /** Operands print bare when they are names or parameters, and parenthesized otherwise (as c++filt does). */
  subexpr(n: Node): void {
    const simple = n.k === 'name' || n.k === 'fparam' || n.k === 'nested' || n.k === 'braced' ||
      (n.k === 'exprname' && (n.node.k === 'name' || n.node.k === 'nested')) || (n.k === 'raw' && n.s === 'this');
    if (!simple) this.emit('(');
    this.print(n);
    if (!simple) this.emit(')');
  }

  plain(n: Node): void {
    switch (n.k) {
      case 'name':
      case 'std':
      case 'op':
      case 'raw':
        this.emit(n.s);
        return;
      case 'nested':
        this.print(n.scope);
        this.emit('::');
        this.print(n.name);
        return;
      case 'template': {
        const saved = this.currentTemplate;
        this.currentTemplate = n.args;
        try {
          this.print(n.name);
        } finally {
          this.currentTemplate = saved;
        }
        this.templateArgs(n.args);
        return;
      }
      case 'abitag':
        this.print(n.base);
        this.emit(`[abi:${n.tag}]`);
        return;
      case 'module':
        this.print(n.entity);
        this.emit('@' + n.module);
        return;
      case 'ctor':
        this.emit((n.dtor ? '~' : '') + n.name);
        return;
      case 'conv': {
        // The type of a conversion operator sees the arguments of the template it is part of.
        this.emit('operator ');
        const pushed = this.currentTemplate !== null;
        if (this.currentTemplate) this.templates.push(this.currentTemplate);
        try {
          if (n.type.k !== 'template') {
            this.print(n.type);
            return;
          }
          this.print(n.type.name);
        } finally {
          if (pushed) this.templates.pop();
        }
        this.templateArgs(n.type.args);
        return;
      }
      case 'special':
        this.emit(n.prefix);
        this.print(n.child);
        return;
      case 'ctorvtable':
        this.emit('construction vtable for ');
        this.print(n.b);
        this.emit('-in-');
        this.print(n.a);
        return;
      case 'encoding': {
        // A function template's arguments are in scope for its whole signature.
        const typed = n.name.k === 'local' ? n.name.entity : n.name;
        if (typed.k === 'template') this.templates.push(typed.args);
        try {
          if (n.ret) {
            this.left(n.ret);
            if (!this.openDeclarator(n.ret)) this.emit(' ');
          }
          this.print(n.name);
          this.params(n.params);
          if (n.ret) this.right(n.ret);
          this.emit(n.quals + n.ref);
        } finally {
          if (typed.k === 'template') this.templates.pop();
        }
        return;
      }
      case 'local':
        // The enclosing function prints without its return type.
        this.print(n.enc.k === 'encoding' ? { ...n.enc, ret: null } : n.enc);
        this.emit('::');
        this.print(n.entity);
        return;
      case 'lambda':
        this.emit('{lambda(');
        this.inLambda++;
        try {
          if (!(n.params.length === 1 && n.params[0]!.k === 'name' && n.params[0]!.s === 'void')) this.list(n.params);
        } finally {
          this.inLambda--;
        }
        this.emit(`)#${n.n}}`);
        return;
      case 'unnamed':
        this.emit(`{unnamed type#${n.n}}`);
        return;
      case 'binding':
        this.emit(`[${n.names.join(', ')}]`);
        return;
      case 'literal':
        this.literal(n.type, n.value);
        return;
      case 'exprname':
        this.print(n.node);
        return;
      case 'fparam':
        this.emit(`{parm#${n.n + 1}}`);
        return;
      case 'decltype':
        this.emit('decltype (');
        this.print(n.expr);
        this.emit(')');
        return;
      case 'unary':
        this.emit(n.op);
        if (n.op === '&' && n.arg.k === 'exprname' && n.arg.node.k === 'encoding' && n.arg.node.name.k === 'nested' &&
          n.arg.node.quals === '' && n.arg.node.ref === '') {
          // The address of a qualified function prints without its parameter list.
          this.print(n.arg.node.name);
        } else {
          this.subexpr(n.arg);
        }
        return;
      case 'postfix':
        this.subexpr(n.arg);
        this.emit(n.op);
        return;
      case 'binary': {
        if (n.op === '[]') {
          this.subexpr(n.left);
          this.emit('[');
          this.print(n.right);
          this.emit(']');
          return;
        }
        const wrap = n.op === '>';
        if (wrap) this.emit('(');
        this.subexpr(n.left);
        this.emit(n.op);
        this.subexpr(n.right);
        if (wrap) this.emit(')');
        return;
      }
      case 'ternary':
        this.subexpr(n.cond);
        this.emit('?');
        this.subexpr(n.a);
        this.emit(' : ');
        this.subexpr(n.b);
        return;
      case 'call':
        this.subexpr(n.fn);
        this.emit('(');
        this.list(n.args);
        this.emit(')');
        return;
      case 'cast':
        this.emit('(');
        this.print(n.type);
        this.emit(')');
        if (n.single) {
          this.subexpr(n.args[0]!);
        } else {
          this.emit('(');
          this.list(n.args);
          this.emit(')');
        }
        return;
      case 'namedcast':
        this.emit(n.op + '<');
        this.print(n.type);
        this.emit('>(');
        this.print(n.arg);
        this.emit(')');
        return;
      case 'sizeoftype':
        this.emit(n.op + '(');
        this.print(n.type);
        this.emit(')');
        return;
      case 'sizeofexpr':
        if (n.op === 'sizeof...') {
          this.emit(String(this.findPack(n.arg)?.items.length ?? 0));
          return;
        }
        this.emit(n.op);
        this.subexpr(n.arg);
        return;
      case 'member':
        this.subexpr(n.obj);
        this.emit(n.op);
        this.print(n.name);
        return;
      case 'braced':
        if (n.type) this.print(n.type);
        this.emit('{');
        this.list(n.args);
        this.emit('}');
        return;
      case 'new':
        if (n.global) this.emit('::');
        this.emit(n.array ? 'new[] ' : 'new ');
        if (n.placement.length > 0) {
          this.emit('(');
          this.list(n.placement);
          this.emit(') ');
        }
        this.print(n.type);
        if (n.args) {
          this.emit('(');
          this.list(n.args);
          this.emit(')');
        }
        return;
      case 'delete':
        if (n.global) this.emit('::');
        this.emit(n.array ? 'delete[] ' : 'delete ');
        this.subexpr(n.arg);
        return;
      default:
        throw new Fail();
    }
  }

  literal(type: Node, value: string): void {
    const neg = value.startsWith('n');
    const digits = neg ? value.slice(1) : value;
    if (type.k === 'name') {
      const suffix = LITERAL_SUFFIX[type.s];
      if (suffix !== undefined && /^[0-9]+$/.test(digits)) {
        this.emit((neg ? '-' : '') + digits + suffix);
        return;
      }
      if (type.s === 'bool' && (value === '0' || value === '1')) {
        this.emit(value === '1' ? 'true' : 'false');
        return;
      }
      if (type.s === 'float' || type.s === 'double' || type.s === 'long double' || type.s === '__float128') {
        this.emit(`(${type.s})[${value}]`);
        return;
      }
    }
    this.emit('(');
    this.print(type);
    this.emit(')' + (neg ? '-' : '') + digits);
  }
}

/** Applies cv-qualifiers: a function type keeps them after its parameters, an array passes them to its elements. */
function qualify(child: Node, quals: string): Node {
  if (child.k === 'func') return { ...child, quals: child.quals + quals };
  if (child.k === 'array') return { ...child, child: qualify(child.child, quals) };
  return { k: 'quals', child, quals };
}

/** The nodes directly below a node, for searches through the tree. */
function children(n: Node): Node[] {
  switch (n.k) {
    case 'nested':
      return [n.scope, n.name];
    case 'template':
      return [n.name, ...n.args];
    case 'abitag':
      return [n.base];
    case 'module':
      return [n.entity];
    case 'conv':
      return [n.type];
    case 'special':
    case 'quals':
    case 'vendorqual':
    case 'ptr':
    case 'ref':
    case 'array':
    case 'vector':
      return [n.child];
    case 'ctorvtable':
      return [n.a, n.b];
    case 'func':
      return n.ret ? [n.ret, ...n.params] : n.params;
    case 'memptr':
      return [n.cls, n.member];
    case 'encoding':
      return n.ret ? [n.name, n.ret, ...n.params] : [n.name, ...n.params];
    case 'local':
      return [n.enc, n.entity];
    case 'pack':
      return n.items;
    case 'literal':
      return [n.type];
    case 'exprname':
      return [n.node];
    case 'unary':
    case 'postfix':
    case 'sizeofexpr':
      return [n.arg];
    case 'binary':
      return [n.left, n.right];
    case 'ternary':
      return [n.cond, n.a, n.b];
    case 'call':
      return [n.fn, ...n.args];
    case 'cast':
      return [n.type, ...n.args];
    case 'namedcast':
      return [n.type, n.arg];
    case 'sizeoftype':
      return [n.type];
    case 'member':
      return [n.obj, n.name];
    case 'braced':
      return n.type ? [n.type, ...n.args] : n.args;
    case 'new':
      return [...n.placement, n.type, ...(n.args ?? [])];
    case 'delete':
      return [n.arg];
    case 'decltype':
      return [n.expr];
    default:
      return [];
  }
}

/** Clone suffixes GCC appends (`.cold`, `.constprop.0`, `.isra.0`), each printed as ` [clone .x]`. */
function cloneSuffixes(rest: string): string | null {
  let out = '';
  let i = 0;
  while (i < rest.length) {
    if (rest[i] !== '.') return null;
    let j = i + 1;
    if (/[a-z_]/.test(rest[j] ?? '')) {
      while (j < rest.length && /[a-z_]/.test(rest[j]!)) j++;
    } else if (!/[0-9]/.test(rest[j] ?? '')) {
      return null;
    }
    while (rest[j] === '.' && /[0-9]/.test(rest[j + 1] ?? '')) {
      j += 2;
      while (j < rest.length && /[0-9]/.test(rest[j]!)) j++;
    }
    if (j === i + 1) return null;
    while (/[0-9]/.test(rest[j] ?? '') && j > i + 1) j++;
    out += ` [clone ${rest.slice(i, j)}]`;
    i = j;
  }
  return out;
}

/**
 * Demangles an Itanium C++ ABI name (`_Z...`) into the text GNU c++filt prints. Returns null when the name is not
 * a C++ mangled name or uses something this demangler does not understand.
 */
export function demangleCppOrNull(mangled: string): string | null {
  if (!mangled.startsWith('_Z') || mangled.length > MAX_INPUT) return null;
  const first = new Parser(mangled);
  const text = demangleWith(first);
  // Like c++filt, retry with the older reading of unresolved names when the current one did not work out.
  if (text === null && first.usedNewSr) return demangleWith(new Parser(mangled, true));
  return text;
}

function demangleWith(parser: Parser): string | null {
  try {
    parser.pos = 2;
    const enc = parser.encoding();
    let suffix = '';
    if (!parser.atEnd()) {
      const clones = cloneSuffixes(parser.s.slice(parser.pos));
      if (clones === null) return null;
      suffix = clones;
    }
    const printer = new Printer();
    printer.print(enc);
    return printer.out + suffix;
  } catch {
    // Fail, or a RangeError when the stack runs out first: either way the name is left as it is.
    return null;
  }
}

/** Demangles an Itanium C++ ABI name as c++filt does; returns the input unchanged when it cannot. */
export function demangleCpp(mangled: string): string {
  return demangleCppOrNull(mangled) ?? mangled;
}
