// Itanium C++ ABI demangler printing names the way GNU c++filt does (binutils style, verbose std:: expansions),
// since that is the text users compare against in perf, gdb and bpftrace output. The parser builds a small tree and
// a printer renders it; template parameters and pack expansions are resolved while printing.

/** Input longer than this is not demangled: real symbols stay far below it and it bounds the work. */
const MAX_INPUT = 16384;
/** Recursion depth limit for the parser and the printer. */
const MAX_DEPTH = 256;
/** Output longer than this makes the demangling fail, so substitution loops cannot blow up memory. */
const MAX_OUTPUT = 1 << 16;

class Fail extends Error {}

type Node =
  | { k: 'name'; s: string }
  | { k: 'std'; s: string; last: string }
  | { k: 'nested'; scope: Node; name: Node }
  | { k: 'template'; name: Node; args: Node[] }
  | { k: 'abitag'; base: Node; tag: string }
  | { k: 'ctor'; cls: Node; dtor: boolean }
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
  | { k: 'tparam'; index: number; scope: Node[] | null; parser: Parser; lambdaLevel: number }
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

// Operator codes: printed text and arity (1 unary, 2 binary, 3 ternary); 0 marks operators with special syntax.
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
  /** Template arguments that T_ refers to: those of the last template-args list of an encoding's name. */
  params: Node[] | null = null;
  /** Template parameters met inside a conversion operator type refer forward to arguments not yet parsed. */
  forward: Node[] | null = null;
  /** Above zero while parsing a lambda signature, whose template parameters are its `auto` parameters. */
  lambdaLevel = 0;

  constructor(readonly s: string) {}

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
      const info = this.name(true);
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
      if (c in SPECIALS && c !== 'H' && c !== 'W') return { k: 'special', prefix: SPECIALS[c]!, child: this.type() };
      if (c === 'H' || c === 'W') return { k: 'special', prefix: SPECIALS[c]!, child: this.name(false).node };
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
    if (c === 'V') return { k: 'special', prefix: 'guard variable for ', child: this.name(false).node };
    if (c === 'A') return { k: 'special', prefix: 'hidden alias for ', child: this.encoding() };
    if (c === 'T') {
      if (this.eat('t')) return { k: 'special', prefix: 'transaction clone for ', child: this.encoding() };
      if (this.eat('n')) return { k: 'special', prefix: 'non-transaction clone for ', child: this.encoding() };
    }
    throw new Fail();
  }

  name(tag: boolean): NameInfo {
    this.enter();
    try {
      const c = this.peek();
      if (c === 'N') return this.nestedName(tag);
      if (c === 'Z') return this.localName(tag);
      let node: Node;
      let noReturn = false;
      if (c === 'S' && this.peek(1) === 't') {
        this.pos += 2;
        const u = this.unqualifiedName(null, tag);
        node = { k: 'nested', scope: { k: 'name', s: 'std' }, name: u.node };
        noReturn = u.noReturn;
      } else if (c === 'S') {
        node = this.substitution();
        if (this.peek() !== 'I') throw new Fail();
        const args = this.templateArgs(tag);
        return { node: { k: 'template', name: node, args }, template: true, noReturn: false, quals: '', ref: '' };
      } else {
        const u = this.unqualifiedName(null, tag);
        node = u.node;
        noReturn = u.noReturn;
      }
      if (this.peek() === 'I') {
        this.subs.push(node);
        const args = this.templateArgs(tag);
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

  nestedName(tag: boolean): NameInfo {
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
        const args = this.templateArgs(tag);
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
        const u = this.unqualifiedName(soFar, tag);
        soFar = soFar ? { k: 'nested', scope: soFar, name: u.node } : u.node;
        template = false;
        noReturn = u.noReturn;
      }
      this.subs.push(soFar);
      pushed++;
    }
    if (!soFar || pushed === 0) throw new Fail();
    this.subs.pop();
    return { node: soFar, template, noReturn: noReturn && !template ? true : noReturn, quals, ref };
  }

  localName(tag: boolean): NameInfo {
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
    const inner = this.name(tag);
    this.discriminator();
    return { ...inner, node: { k: 'local', enc: scope, entity: inner.node } };
  }

  sourceName(): string {
    const len = this.number();
    if (len <= 0 || this.pos + len > this.s.length) throw new Fail();
    const id = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    if (len >= 10 && id.startsWith('_GLOBAL_') && '._$'.includes(id[8]!) && id[9] === 'N') return '(anonymous namespace)';
    return id;
  }

  unqualifiedName(scope: Node | null, tag: boolean): { node: Node; noReturn: boolean } {
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
      let cls = scope;
      // Inheriting constructors (CI1, CI2) are named after the base class they inherit from.
      if (!dtor && this.eat('I')) {
        this.pos++;
        cls = this.type();
      } else {
        this.pos++;
      }
      node = { k: 'ctor', cls, dtor };
      noReturn = true;
    } else if (c === 'D' && this.peek(1) === 'C') {
      this.pos += 2;
      const names: string[] = [];
      while (!this.eat('E')) names.push(this.sourceName());
      node = { k: 'binding', names };
    } else if (c >= 'a' && c <= 'z') {
      const op = this.operatorName(tag);
      node = op.node;
      noReturn = op.conv;
    } else {
      throw new Fail();
    }
    while (this.peek() === 'B') {
      this.pos++;
      node = { k: 'abitag', base: node, tag: this.sourceName() };
    }
    return { node, noReturn };
  }

  operatorName(tag: boolean): { node: Node; conv: boolean } {
    const code = this.s.slice(this.pos, this.pos + 2);
    if (code === 'cv') {
      this.pos += 2;
      // A conversion operator template names its own parameters before they are declared.
      const saved = this.forward;
      if (tag) this.forward = [];
      const type = this.type();
      if (!tag) this.forward = saved;
      return { node: { k: 'conv', type }, conv: true };
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
      this.lambdaLevel++;
      const params: Node[] = [];
      try {
        while (!this.eat('E')) {
          if (this.atEnd() || this.peek() === 'T' && /[ytnp]/.test(this.peek(1))) throw new Fail();
          params.push(this.type());
        }
      } finally {
        this.lambdaLevel--;
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
    const node: Node = { k: 'tparam', index: id, scope: this.params, parser: this, lambdaLevel: this.lambdaLevel };
    if (this.forward && this.lambdaLevel === 0) {
      node.scope = null;
      this.forward.push(node);
    }
    return node;
  }

  templateArgs(tag: boolean): Node[] {
    this.enter();
    try {
      this.expect('I');
      const args: Node[] = [];
      if (tag) {
        this.params = args;
        // Bind template parameters that referred forward (conversion operator templates) to these arguments.
        if (this.forward) {
          for (const f of this.forward) if (f.k === 'tparam') f.scope = args;
          this.forward = null;
        }
      }
      while (!this.eat('E')) {
        if (this.atEnd()) throw new Fail();
        args.push(this.templateArg());
      }
      // Encodings nested inside the arguments (local names, external names) tagged their own arguments.
      if (tag) this.params = args;
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
        const before = this.subs.length;
        const child = this.type();
        // A qualified function type is one substitution candidate, not two (as c++filt counts them).
        if (child.k === 'func' && this.subs.length === before + 1 && this.subs[before] === child) this.subs.pop();
        node = qualify(child, quals);
        break;
      }
      case 'U': {
        this.pos++;
        const qual = this.sourceName();
        if (this.peek() === 'I') this.templateArgs(false);
        node = { k: 'vendorqual', child: this.type(), qual };
        break;
      }
      case 'P':
        this.pos++;
        node = { k: 'ptr', child: this.type() };
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
        if (this.peek() === 'I' && this.forward === null) {
          this.subs.push(node);
          node = { k: 'template', name: node, args: this.templateArgs(false) };
        }
        break;
      }
      case 'S': {
        if (this.peek(1) === 't') {
          node = this.name(false).node;
          break;
        }
        const sub = this.substitution();
        if (this.peek() !== 'I') return sub;
        node = { k: 'template', name: sub, args: this.templateArgs(false) };
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
      case 'N':
      case 'Z':
      default: {
        if (c === 'N' || c === 'Z' || (c >= '0' && c <= '9')) {
          node = this.name(false).node;
          break;
        }
        throw new Fail();
      }
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
    try {
      return this.expressionInner();
    } finally {
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

  unresolvedName(): Node {
    const global = this.eat('gs');
    if (this.eat('sr')) {
      let scope: Node;
      if (this.peek() !== 'N' && !/[0-9]/.test(this.peek())) {
        // As GCC mangles it: a whole type, then the member name.
        scope = this.type();
        const name = this.baseUnresolvedName();
        const node: Node = { k: 'nested', scope, name };
        return global ? { k: 'nested', scope: { k: 'name', s: '' }, name: node } : node;
      }
      if (this.eat('N')) {
        scope = this.unresolvedType();
        if (this.peek() === 'I') scope = { k: 'template', name: scope, args: this.templateArgs(false) };
        while (!this.eat('E')) scope = { k: 'nested', scope, name: this.simpleId() };
      } else if (/[0-9]/.test(this.peek())) {
        scope = this.simpleId();
        while (!this.eat('E')) scope = { k: 'nested', scope, name: this.simpleId() };
      } else {
        scope = this.unresolvedType();
        if (this.peek() === 'I') scope = { k: 'template', name: scope, args: this.templateArgs(false) };
      }
      const name = this.baseUnresolvedName();
      const node: Node = { k: 'nested', scope, name };
      return global ? { k: 'nested', scope: { k: 'name', s: '' }, name: node } : node;
    }
    const node = this.baseUnresolvedName();
    return global ? { k: 'nested', scope: { k: 'name', s: '' }, name: node } : node;
  }

  unresolvedType(): Node {
    const c = this.peek();
    if (c === 'T') {
      const p = this.templateParam();
      this.subs.push(p);
      return p;
    }
    if (c === 'D') {
      const d = this.decltype();
      this.subs.push(d);
      return d;
    }
    if (c === 'S') return this.substitution();
    return this.simpleId();
  }

  simpleId(): Node {
    let node: Node = { k: 'name', s: this.sourceName() };
    if (this.peek() === 'I') node = { k: 'template', name: node, args: this.templateArgs(false) };
    return node;
  }

  baseUnresolvedName(): Node {
    const c = this.peek();
    if (c >= '0' && c <= '9') return this.simpleId();
    if (this.eat('dn')) {
      const t = /[0-9]/.test(this.peek()) ? this.simpleId() : this.unresolvedType();
      return { k: 'unary', op: '~', arg: t };
    }
    this.eat('on');
    let node = this.operatorName(false).node;
    if (this.peek() === 'I') node = { k: 'template', name: node, args: this.templateArgs(false) };
    return node;
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
        const saved = this.forward;
        this.forward = null;
        const type = this.type();
        this.forward = saved;
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
  /** Index of the pack element being printed inside a pack expansion, or -1 outside one. */
  packIndex = -1;
  /** Size of the pack met while printing an expansion's pattern, or -1 when none was met. */
  packSize = -1;
  /** Above zero while printing a lambda's signature, where template parameters print as `auto:N`. */
  inLambda = 0;

  constructor(readonly parser: Parser) {}

  /** The last character written, which c++filt consults to space `> >` and `operator< <`. */
  last = '';

  emit(s: string): void {
    if (s === '') return;
    this.out += s;
    this.last = s[s.length - 1]!;
    if (this.out.length > MAX_OUTPUT) throw new Fail();
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

  /** A template parameter resolved to its argument; the node itself when it has no binding. */
  resolve(n: Node): Node {
    let cur = n;
    for (let i = 0; cur.k === 'tparam' && i < 32; i++) {
      if (this.inLambda > 0 && cur.lambdaLevel > 0) return cur;
      const scope = cur.scope && cur.index < cur.scope.length ? cur.scope : cur.parser.params;
      const arg = scope?.[cur.index];
      if (!arg) throw new Fail();
      cur = arg;
    }
    if (cur.k === 'tparam' && !(this.inLambda > 0 && cur.lambdaLevel > 0)) throw new Fail();
    return this.packElement(cur);
  }

  packElement(n: Node): Node {
    if (n.k !== 'pack' || this.packIndex < 0) return n;
    this.packSize = n.items.length;
    const item = n.items[this.packIndex];
    return item ? this.resolve(item) : { k: 'raw', s: '' };
  }

  /** Qualifiers the child does not already carry (a template argument may be `const` itself). */
  newQuals(n: Node & { k: 'quals' }): string {
    const inner = n.child.k === 'tparam' ? this.resolve(n.child) : n.child;
    if (inner.k !== 'quals') return n.quals;
    return n.quals.split(' ').filter((q) => q !== '' && !inner.quals.includes(' ' + q)).map((q) => ' ' + q).join('');
  }

  /** Whether the type prints a declarator on its right side (functions and arrays need parentheses). */
  hasRight(n: Node): 'func' | 'array' | null {
    const r = this.effective(n.k === 'tparam' ? this.resolve(n) : n);
    switch (r.k) {
      case 'func':
        return 'func';
      case 'array':
        return 'array';
      case 'quals':
        return this.hasRight(r.child);
      case 'pack':
        return null;
      default:
        return null;
    }
  }

  /** A qualified template parameter that stands for an array or function type qualifies what's inside it. */
  effective(n: Node): Node {
    if (n.k !== 'quals' || n.child.k !== 'tparam') return n;
    const r = this.resolve(n.child);
    return r.k === 'array' || r.k === 'func' ? qualify(r, n.quals) : n;
  }

  left(node: Node): void {
    const n = this.effective(node);
    switch (n.k) {
      case 'tparam': {
        const r = this.resolve(n);
        if (r.k === 'tparam') this.emit(`auto:${r.index + 1}`);
        else this.left(r);
        return;
      }
      case 'pack': {
        const r = this.packElement(n);
        if (r !== n) return this.left(r);
        this.args(n.items);
        return;
      }
      case 'quals': {
        this.left(n.child);
        if (this.hasRight(n.child) === null) this.emit(this.newQuals(n));
        return;
      }
      case 'vendorqual':
        this.left(n.child);
        this.emit(' ' + n.qual);
        return;
      case 'ptr':
      case 'ref': {
        let child = n.child;
        let rvalue = n.k === 'ref' && n.rvalue;
        if (n.k === 'ref') {
          // Reference collapsing: & applied to && (or through template parameters) prints as one reference.
          for (let r = this.resolve(child); r.k === 'ref'; r = this.resolve(child)) {
            rvalue = rvalue && r.rvalue;
            child = r.child;
          }
        }
        const kind = this.hasRight(child);
        this.left(child);
        if (kind === 'array') this.emit(' (');
        else if (kind === 'func') this.emit('(');
        this.emit(n.k === 'ptr' ? '*' : rvalue ? '&&' : '&');
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
          this.emit(' ');
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
        const savedIndex = this.packIndex;
        const savedSize = this.packSize;
        try {
          this.packIndex = 0;
          this.packSize = -1;
          const first = this.sub(() => this.print(n.child));
          if (this.packSize < 0) {
            this.emit(first + '...');
            return;
          }
          const size = this.packSize;
          const parts: string[] = size > 0 ? [first] : [];
          for (let i = 1; i < size; i++) {
            this.packIndex = i;
            parts.push(this.sub(() => this.print(n.child)));
          }
          this.emit(parts.join(', '));
        } finally {
          this.packIndex = savedIndex;
          this.packSize = savedSize;
        }
        return;
      }
      default:
        this.plain(n);
    }
  }

  right(node: Node): void {
    const n = this.effective(node);
    switch (n.k) {
      case 'tparam': {
        const r = this.resolve(n);
        if (r.k !== 'tparam') this.right(r);
        return;
      }
      case 'pack': {
        const r = this.packElement(n);
        if (r !== n) this.right(r);
        return;
      }
      case 'quals':
        this.right(n.child);
        if (this.hasRight(n.child) !== null) this.emit(this.newQuals(n));
        return;
      case 'vendorqual':
        this.right(n.child);
        return;
      case 'ptr':
      case 'ref': {
        let child = n.child;
        if (n.k === 'ref') for (let r = this.resolve(child); r.k === 'ref'; r = this.resolve(child)) child = r.child;
        if (this.hasRight(child)) this.emit(')');
        this.right(child);
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

  args(items: Node[]): void {
    this.list(items);
  }

  templateArgs(args: Node[]): void {
    // `operator<` followed by `<` would read as `operator<<`.
    if (this.last === '<') this.emit(' ');
    this.emit('<');
    this.args(args);
    if (this.last === '>') this.emit(' ');
    this.emit('>');
  }

  /** Operands print bare when they are names, parameters or literals, and parenthesized otherwise. */
  subexpr(n: Node): void {
    const r = n.k === 'tparam' ? this.resolve(n) : n;
    const simple = r.k === 'name' || r.k === 'fparam' || r.k === 'nested' ||
      (r.k === 'exprname' && r.node.k !== 'encoding') || (r.k === 'raw' && r.s === 'this');
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
      case 'template':
        this.print(n.name);
        this.templateArgs(n.args);
        return;
      case 'abitag':
        this.print(n.base);
        this.emit(`[abi:${n.tag}]`);
        return;
      case 'ctor':
        if (n.dtor) this.emit('~');
        this.emit(baseName(n.cls));
        return;
      case 'conv':
        this.emit('operator ');
        this.print(n.type);
        return;
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
        if (n.ret) {
          this.left(n.ret);
          if (!this.hasRight(n.ret)) this.emit(' ');
        }
        this.print(n.name);
        this.params(n.params);
        if (n.ret) this.right(n.ret);
        this.emit(n.quals + n.ref);
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
          if (n.arg.k === 'tparam') {
            const r = this.resolve(n.arg);
            this.emit(String(r.k === 'pack' ? r.items.length : 0));
            return;
          }
          this.emit('sizeof...(');
          this.print(n.arg);
          this.emit(')');
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

/** The unqualified name a constructor or destructor repeats: the class name without scope or arguments. */
function baseName(n: Node): string {
  switch (n.k) {
    case 'name':
      return n.s;
    case 'std':
      return n.last;
    case 'nested':
      return baseName(n.name);
    case 'template':
      return baseName(n.name);
    case 'abitag':
      return baseName(n.base);
    case 'local':
      return baseName(n.entity);
    case 'tparam': {
      const scope = n.scope && n.index < n.scope.length ? n.scope : n.parser.params;
      const arg = scope?.[n.index];
      if (!arg) throw new Fail();
      return baseName(arg);
    }
    default:
      throw new Fail();
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
  try {
    const parser = new Parser(mangled);
    parser.pos = 2;
    const enc = parser.encoding();
    let suffix = '';
    if (!parser.atEnd()) {
      const clones = cloneSuffixes(mangled.slice(parser.pos));
      if (clones === null) return null;
      suffix = clones;
    }
    const printer = new Printer(parser);
    printer.print(enc);
    return printer.out + suffix;
  } catch (err) {
    if (err instanceof Fail || err instanceof RangeError) return null;
    throw err;
  }
}

/** Demangles an Itanium C++ ABI name as c++filt does; returns the input unchanged when it cannot. */
export function demangleCpp(mangled: string): string {
  return demangleCppOrNull(mangled) ?? mangled;
}
