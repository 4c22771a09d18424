// A small parser for the C struct/union/enum definitions bpftrace scripts declare in their preamble.
// It understands what such definitions contain (fields, pointers, arrays, bitfields, nested and anonymous
// records, function pointers, attributes); anything else is reported rather than guessed.
import type { CEnumDecl, CEnumerator, CField, CRecordDecl, CTypeSpec } from './ast/c.js';

export class CDeclError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'CDeclError';
  }
}

interface CTok {
  readonly text: string;
  readonly start: number;
}

function tokenizeC(text: string): CTok[] {
  const out: CTok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('//', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_0-9]+/.exec(text.slice(i, i + 256))!;
      out.push({ text: m[0], start: i });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9A-Za-z_.]+/.exec(text.slice(i, i + 256))!;
      out.push({ text: m[0], start: i });
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out.push({ text: text.slice(i, j + 1), start: i });
      i = j + 1;
    } else {
      const two = text.slice(i, i + 2);
      const op = ['<<', '>>', '->', '&&', '||', '==', '!=', '<=', '>='].includes(two) ? two : c;
      out.push({ text: op, start: i });
      i += op.length;
    }
  }
  return out;
}

const BASE_WORDS = new Set(['signed', 'unsigned', 'short', 'long', 'int', 'char', 'void', 'float', 'double', '_Bool', 'bool']);
const QUALIFIERS = new Set(['const', 'volatile', 'restrict', '__restrict', 'static', 'extern', 'register', '__extension__']);

class CParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: CTok[], private readonly end: number) {}

  private peek(k = 0): string | undefined {
    return this.toks[this.i + k]?.text;
  }

  private fail(msg: string): never {
    const t = this.toks[this.i];
    throw new CDeclError(t ? `${msg}, found '${t.text}'` : `${msg}, found end of definition`, t ? t.start : this.end);
  }

  private expect(s: string): void {
    if (this.peek() !== s) this.fail(`expected '${s}'`);
    this.i++;
  }

  private isIdent(s: string | undefined): s is string {
    return s !== undefined && /^[A-Za-z_]/.test(s);
  }

  // Skips `__attribute__((...))` groups, returning their text.
  private attributes(): string[] {
    const out: string[] = [];
    while (this.peek() === '__attribute__' || this.peek() === '__attribute') {
      this.i++;
      const start = this.i;
      this.balanced('(', ')');
      out.push(this.toks.slice(start, this.i).map((t) => t.text).join(''));
    }
    return out;
  }

  private balanced(open: string, close: string): string {
    this.expect(open);
    const start = this.i;
    let depth = 1;
    while (depth > 0) {
      const t = this.peek();
      if (t === undefined) this.fail(`expected '${close}'`);
      if (t === open) depth++;
      else if (t === close) depth--;
      this.i++;
    }
    return this.toks.slice(start, this.i - 1).map((t) => t.text).join(' ');
  }

  top(): CRecordDecl | CEnumDecl {
    const d = this.tagged(true);
    if (d.kind !== 'inline') this.fail("expected '{'");
    // `struct s { ... } __attribute__((packed))`: attributes after the body belong to the type.
    const trailing = this.attributes();
    if (d.decl.kind === 'record') d.decl.attributes.push(...trailing);
    while (this.peek() === ';') this.i++;
    if (this.peek() !== undefined) this.fail('expected end of definition');
    return d.decl;
  }

  // struct/union/enum with an optional name and an optional body.
  private tagged(requireBody: boolean): CTypeSpec & { kind: 'inline' | 'tagged' } {
    const keyword = this.peek() as 'struct' | 'union' | 'enum';
    this.i++;
    const attrs = this.attributes();
    let name: string | undefined;
    if (this.isIdent(this.peek())) name = this.peek()!, this.i++;
    attrs.push(...this.attributes());
    if (this.peek() !== '{') {
      if (requireBody || name === undefined) this.fail("expected '{'");
      return { kind: 'tagged', keyword, name: name! };
    }
    if (++this.depth > 64) this.fail('definitions nested too deeply');
    this.i++;
    let decl: CRecordDecl | CEnumDecl;
    if (keyword === 'enum') {
      const enumerators: CEnumerator[] = [];
      while (this.peek() !== '}') {
        const n = this.peek();
        if (!this.isIdent(n)) this.fail('expected enumerator name');
        this.i++;
        let value: string | undefined;
        if (this.peek() === '=') {
          this.i++;
          const start = this.i;
          while (this.peek() !== ',' && this.peek() !== '}' && this.peek() !== undefined) this.i++;
          value = this.toks.slice(start, this.i).map((t) => t.text).join(' ');
        }
        enumerators.push({ name: n, value });
        if (this.peek() === ',') this.i++;
        else if (this.peek() !== '}') this.fail("expected ',' or '}'");
      }
      decl = { kind: 'enum', name, enumerators };
    } else {
      const fields: CField[] = [];
      while (this.peek() !== '}') {
        if (this.peek() === undefined) this.fail("expected '}'");
        if (this.peek() === ';') {
          this.i++;
          continue;
        }
        fields.push(...this.fieldGroup());
      }
      decl = { kind: 'record', keyword, name, fields, attributes: attrs };
    }
    this.i++;
    this.depth--;
    return { kind: 'inline', decl };
  }

  private typeSpec(): CTypeSpec {
    while (QUALIFIERS.has(this.peek() ?? '') || this.peek()?.startsWith('__attribute')) {
      if (this.peek()!.startsWith('__attribute')) this.attributes();
      else this.i++;
    }
    const t = this.peek();
    if (t === 'struct' || t === 'union' || t === 'enum') return this.tagged(false);
    const words: string[] = [];
    while (BASE_WORDS.has(this.peek() ?? '') || QUALIFIERS.has(this.peek() ?? '')) {
      if (BASE_WORDS.has(this.peek()!)) words.push(this.peek()!);
      this.i++;
    }
    if (words.length > 0) return { kind: 'name', name: words.join(' ') };
    if (this.isIdent(t)) {
      this.i++;
      return { kind: 'name', name: t };
    }
    this.fail('expected a type');
  }

  private fieldGroup(): CField[] {
    const type = this.typeSpec();
    while (QUALIFIERS.has(this.peek() ?? '')) this.i++;
    const fields: CField[] = [];
    if (this.peek() === ';') {
      // An anonymous struct/union member, or a bare declaration.
      this.i++;
      return [{ type, name: undefined, pointers: 0, arrays: [], bitWidth: undefined, functionPointer: false }];
    }
    for (;;) {
      fields.push(this.declarator(type));
      if (this.peek() === ',') {
        this.i++;
        continue;
      }
      this.attributes();
      // Like clang, accept a last field without its `;` before the closing brace.
      if (this.peek() === '}') return fields;
      this.expect(';');
      return fields;
    }
  }

  private declarator(type: CTypeSpec): CField {
    let pointers = 0;
    while (this.peek() === '*' || QUALIFIERS.has(this.peek() ?? '')) {
      if (this.peek() === '*') pointers++;
      this.i++;
    }
    let name: string | undefined;
    let functionPointer = false;
    if (this.peek() === '(') {
      // Function pointer: (*name)(params)
      this.i++;
      while (this.peek() === '*') pointers++, this.i++;
      if (!this.isIdent(this.peek())) this.fail('expected field name');
      name = this.peek()!;
      this.i++;
      this.expect(')');
      this.balanced('(', ')');
      functionPointer = true;
    } else if (this.peek() === ':') {
      name = undefined; // unnamed bitfield padding
    } else {
      if (!this.isIdent(this.peek())) this.fail('expected field name');
      name = this.peek()!;
      this.i++;
    }
    const arrays: (string | undefined)[] = [];
    while (this.peek() === '[') {
      const size = this.balanced('[', ']');
      arrays.push(size === '' ? undefined : size);
    }
    let bitWidth: string | undefined;
    if (this.peek() === ':') {
      this.i++;
      const start = this.i;
      while (this.peek() !== ';' && this.peek() !== ',' && this.peek() !== '}' && this.peek() !== undefined) this.i++;
      bitWidth = this.toks.slice(start, this.i).map((t) => t.text).join(' ');
      if (bitWidth === '') this.fail('expected bitfield width');
    }
    this.attributes();
    return { type, name, pointers, arrays, bitWidth, functionPointer };
  }
}

// Parses one definition; throws CDeclError with an offset into text when it is not one.
export function parseCDefinition(text: string): CRecordDecl | CEnumDecl {
  return new CParser(tokenizeC(text), text.length).top();
}
