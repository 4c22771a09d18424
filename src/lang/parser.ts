// A hand-written recursive-descent parser for the bpftrace language, with precedence climbing for binary
// operators. It reports errors with bpftrace's wording and recovers at statement and probe boundaries so
// that one run shows several errors.
import * as A from './ast/index.js';
import { analyzeAttachPoint, POSITIONAL_PROVIDER, splitAttachPoint } from './attach-point.js';
import { CDeclError, parseCDefinition } from './c-decl.js';
import { Diagnostics } from './diagnostics.js';
import { integerValue, isIdentStart, scanIdentEnd, scanToken, skipLayout, type Token } from './lexer.js';
import { SourceFile, type Range } from './source.js';

// Levels of nesting in the tree (expressions, operator chains, blocks): deep enough for any real script, shallow
// enough that neither this parser nor a recursive pass over the tree comes near Node's stack limit.
const MAX_DEPTH = 1000;
// After this many errors the rest are likely noise from the first ones.
const MAX_ERRORS = 50;

const PARSER_BUILTINS = new Set([
  'args', 'ctx', 'kstack', 'nsecs', 'pid', 'tid', 'ustack',
  '__builtin_comm', '__builtin_cpid', '__builtin_cpu', '__builtin_dw_ustack', '__builtin_elapsed', '__builtin_func',
  '__builtin_ncpus', '__builtin_probe', '__builtin_retval', '__builtin_usermode',
]);

export function isParserBuiltin(name: string): boolean {
  return PARSER_BUILTINS.has(name) || /^arg[0-9]+$/.test(name) || /^sarg[0-9]+$/.test(name);
}

const BUILTIN_TYPES = new Set([
  'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'void',
  'min_t', 'max_t', 'sum_t', 'count_t', 'avg_t', 'stats_t', 'umin_t', 'umax_t', 'usum_t', 'uavg_t', 'ustats_t',
  'timestamp', 'macaddr_t', 'cgroup_path_t', 'string', 'buffer', 'inet', 'username_t',
]);

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

const COMPOUND = new Set(['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);

// Thrown to abandon the construct being parsed; caught where the parser can resynchronise.
class Abort {
  readonly abort = true;
}

export interface ParseResult {
  readonly program: A.Program;
  readonly diagnostics: Diagnostics;
}

export function parse(source: string, filename = 'stdin'): ParseResult {
  const parser = new Parser(new SourceFile(filename, source));
  return { program: parser.parseProgram(), diagnostics: parser.diags };
}

class Parser {
  readonly diags = new Diagnostics();
  private readonly text: string;
  private pos = 0;
  private cacheAt = -1;
  private cached: Token | undefined;
  private depth = 0;
  // Where the last abandoned construct failed: recovery skips forward from there.
  private failedAt = 0;
  private eofReported = false;

  constructor(private readonly file: SourceFile) {
    this.text = file.text;
  }

  // ---- tokens ----

  private peek(): Token {
    if (this.cacheAt !== this.pos) {
      this.cached = scanToken(this.text, this.pos);
      this.cacheAt = this.pos;
    }
    return this.cached!;
  }

  private peekAfter(t: Token): Token {
    return scanToken(this.text, t.end);
  }

  private next(): Token {
    const t = this.peek();
    this.pos = t.end;
    return t;
  }

  private isPunct(s: string, t: Token = this.peek()): boolean {
    return t.kind === 'punct' && t.text === s;
  }

  private isKeyword(s: string, t: Token = this.peek()): boolean {
    return t.kind === 'ident' && t.text === s;
  }

  private match(s: string): Token | undefined {
    const t = this.peek();
    if ((t.kind === 'punct' || t.kind === 'ident') && t.text === s) return this.next();
    return undefined;
  }

  private expect(s: string): Token {
    const t = this.match(s);
    if (t === undefined) this.fail(`expected '${s}'`);
    return t;
  }

  private range(start: number, end: number = this.pos): Range {
    return { file: this.file, start, end };
  }

  private rangeOfToken(t: Token): Range {
    return this.range(t.start, t.end);
  }

  // Start of the next token (after layout).
  private here(): number {
    return skipLayout(this.text, this.pos);
  }

  // ---- errors ----

  private error(message: string, range: Range): void {
    if (this.diags.errorCount >= MAX_ERRORS) throw new Abort();
    this.diags.error(`syntax: ${message}`, range);
  }

  // Reports an error at the next token and abandons the construct. The message does not name the token: the
  // underline shows it, and bpftrace's messages are worded the same way.
  private fail(message: string, t: Token = this.peek()): never {
    this.failedAt = t.start;
    // One complaint about the input ending early is enough.
    if (t.kind === 'eof') {
      if (this.eofReported) throw new Abort();
      this.eofReported = true;
    }
    this.error(message, this.errorRange(t));
    throw new Abort();
  }

  // bpftrace reads on after some failed expectations, so it also reports, at the same token, the one that
  // should have come next (`if (x=1) {`: both ')' and '{'). Only the first is reported when that token is there.
  private failThen(message: string, next: string, t: Token = this.peek()): never {
    if (!this.isPunct(next, t)) this.error(message, this.errorRange(t));
    else this.fail(message, t);
    this.fail(`expected '${next}'`, t);
  }

  private failAt(message: string, range: Range): never {
    this.failedAt = range.start;
    this.error(message, range);
    throw new Abort();
  }

  private errorRange(t: Token): Range {
    if (t.kind === 'eof') return this.range(t.start, t.start);
    // bpftrace underlines words whole but only the first character of an operator such as `->` or `..`.
    if (t.kind === 'punct') return this.range(t.start, t.start + 1);
    return this.rangeOfToken(t);
  }

  private reportLexErrors(t: Token): void {
    for (const e of t.errors ?? []) this.error(e.message, this.range(e.start, e.end));
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      this.failAt(`the program is nested too deeply (more than ${MAX_DEPTH} levels of expressions and blocks)`, this.errorRange(this.peek()));
    }
  }

  private leave(): void {
    this.depth--;
  }

  // Skips from `from` to the end of the current statement: past a `;` or up to a `}` at the same nesting.
  private syncStatement(from: number): void {
    this.pos = from;
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      if (t.kind === 'punct') {
        if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
        else if (t.text === ')' || t.text === ']') depth = Math.max(0, depth - 1);
        else if (t.text === '}') {
          if (depth === 0) return;
          depth--;
          if (depth === 0 && this.statementEndsAfterBrace(t)) {
            this.next();
            return;
          }
        } else if (t.text === ';' && depth === 0) {
          this.next();
          return;
        }
      }
      this.next();
    }
  }

  // After a closing brace a block statement is over unless an operator or `else` continues it.
  private statementEndsAfterBrace(t: Token): boolean {
    const n = this.peekAfter(t);
    return !(this.isKeyword('else', n) || (n.kind === 'punct' && n.text !== '}' && n.text !== '{' && n.text !== '_'));
  }

  // Skips the rest of a top-level item that failed at `from`: past the end of the block it is in or, when it
  // failed before its block, past the next block.
  private syncTopLevel(from: number, endsAtSemicolon: boolean): void {
    this.pos = from;
    let depth = 0;
    let sawBrace = false;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      this.next();
      if (t.kind !== 'punct') continue;
      if (t.text === '{') {
        depth++;
        sawBrace = true;
      } else if (t.text === '}') {
        depth--;
        if (depth < 0 || (depth === 0 && sawBrace)) {
          this.match(';');
          return;
        }
      } else if (t.text === ';' && depth === 0 && endsAtSemicolon) {
        return;
      }
    }
  }

  private isKeywordAt(word: string, pos: number): boolean {
    const t = scanToken(this.text, pos);
    return t.kind === 'ident' && t.text === word;
  }

  // ---- program ----

  parseProgram(): A.Program {
    let header: string | undefined;
    const c: (A.CPreprocessor | A.CDefinition)[] = [];
    const imports: A.RootImport[] = [];
    const items: A.TopLevel[] = [];
    let config: A.Config | undefined;
    try {
      this.pos = skipLayout(this.text, 0);
      if (this.text.startsWith('#!', this.pos)) {
        const nl = this.text.indexOf('\n', this.pos);
        const end = nl < 0 ? this.text.length : nl;
        header = this.text.slice(this.pos, end);
        this.pos = end;
      }
      // C preamble
      for (;;) {
        const start = this.here();
        if (this.text.startsWith('#', start) && !this.text.startsWith('#!', start)) {
          c.push(this.parsePreprocessor());
        } else if (this.atCDefinition()) {
          this.topLevel(start, () => {
            const d = this.parseCDefinition();
            if (d) c.push(d);
          });
        } else {
          break;
        }
      }
      // config and imports, in any order
      for (;;) {
        const start = this.here();
        if (this.isKeyword('config')) {
          this.topLevel(start, () => {
            if (config === undefined) config = this.parseConfig();
            else {
              this.error('duplicate config block', this.rangeOfToken(this.peek()));
              this.syncTopLevel(start, false);
            }
          });
        } else if (this.isKeyword('import')) {
          this.topLevel(start, () => imports.push(this.parseRootImport()));
        } else {
          break;
        }
      }
      for (;;) {
        const t = this.peek();
        if (t.kind === 'eof') break;
        const start = t.start;
        this.topLevel(start, () => {
          if (this.text.startsWith('#', start) && !this.text.startsWith('#!', start)) {
            const p = this.parsePreprocessor();
            c.push(p);
            // The directive's line with its newline, as bpftrace underlines it (through the next line's start).
            const end = p.range.end < this.text.length ? p.range.end + 1 : p.range.end;
            this.error('C definitions must appear before probes and functions', this.range(p.range.start, end));
          } else if (this.atCDefinition()) {
            const d = this.parseCDefinition();
            if (d) {
              c.push(d);
              this.error('C definitions must appear before probes and functions', d.range);
            }
          } else if (this.isKeyword('config')) {
            this.error('config must appear before probes and functions', this.rangeOfToken(t));
            this.syncTopLevel(start, false);
          } else if (this.isKeyword('import')) {
            this.error('root imports must appear before probes and functions', this.rangeOfToken(t));
            this.syncTopLevel(start, false);
          } else if (this.isKeyword('macro') && this.peekAfter(t).kind === 'ident') {
            items.push(this.parseMacro());
          } else if (this.isKeyword('fn') && this.peekAfter(t).kind === 'ident') {
            items.push(this.parseSubprog());
          } else if (this.isKeyword('let')) {
            if (this.peekAfter(t).kind !== 'map') {
              this.failAt('root-level let statements need to be map declarations, e.g. let @a = hash(2);', this.rangeOfToken(t));
            }
            items.push(this.parseMapDecl());
          } else {
            items.push(this.parseProbe());
          }
        });
      }
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
    }
    return new A.Program(this.range(0, this.text.length), header, c, config, imports, items);
  }

  // Runs one top-level item; on a syntax error skips past it so the next one is parsed too.
  private topLevel(start: number, body: () => void): void {
    try {
      body();
    } catch (e) {
      if (!(e instanceof Abort) || this.diags.errorCount >= MAX_ERRORS) throw e;
      this.depth = 0;
      this.syncTopLevel(Math.max(start, this.failedAt), this.isKeywordAt('let', start));
      if (this.pos <= start) this.next();
    }
  }

  private parsePreprocessor(): A.CPreprocessor {
    const start = this.here();
    const nl = this.text.indexOf('\n', start);
    const end = nl < 0 ? this.text.length : nl;
    const text = this.text.slice(start, end).trimEnd();
    this.pos = end;
    const m = /^#\s*([A-Za-z_]*)/.exec(text)!;
    const directive = m[1]!;
    let define: A.CPreprocessor['define'];
    if (directive === 'define') {
      const d = /^#\s*define\s+([A-Za-z_][A-Za-z_0-9]*)(\(([^)]*)\))?\s*(.*)$/.exec(text);
      if (d === null) {
        this.error('expected a macro name after #define', this.range(start, start + text.length));
      } else {
        const params = d[2] === undefined ? undefined : d[3]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
        define = { name: d[1]!, params, body: d[4]! };
      }
    }
    return new A.CPreprocessor(this.range(start, start + text.length), text, directive, define);
  }

  // struct/union/enum followed by a name (and attributes) then `{`, rather than a probe named `struct:...`.
  private atCDefinition(): boolean {
    const t = this.peek();
    if (!(t.kind === 'ident' && (t.text === 'struct' || t.text === 'union' || t.text === 'enum'))) return false;
    let p = skipLayout(this.text, t.end);
    while (p < this.text.length) {
      const ch = this.text[p]!;
      if (ch === '{') return true;
      if (isIdentStart(ch.charCodeAt(0))) {
        p = skipLayout(this.text, scanIdentEnd(this.text, p));
      } else if (ch === '(' || ch === '[') {
        const close = ch === '(' ? ')' : ']';
        let depth = 0;
        for (; p < this.text.length; p++) {
          if (this.text[p] === ch) depth++;
          else if (this.text[p] === close && --depth === 0) break;
        }
        if (p >= this.text.length) return false;
        p = skipLayout(this.text, p + 1);
      } else {
        return false;
      }
    }
    return false;
  }

  private parseCDefinition(): A.CDefinition | undefined {
    const start = this.here();
    let p = this.text.indexOf('{', start);
    let depth = 0;
    for (; p < this.text.length; p++) {
      const ch = this.text[p];
      if (this.text.startsWith('//', p)) {
        const nl = this.text.indexOf('\n', p);
        p = (nl < 0 ? this.text.length : nl) - 1;
      } else if (this.text.startsWith('/*', p)) {
        const close = this.text.indexOf('*/', p + 2);
        p = (close < 0 ? this.text.length : close + 2) - 1;
      } else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) break;
    }
    if (p >= this.text.length) {
      this.pos = this.text.length;
      this.fail("expected '}' to end the C definition");
    }
    this.pos = p + 1;
    // Trailing attributes, then an optional `;`.
    while (this.isKeyword('__attribute__')) {
      this.next();
      const open = this.peek();
      if (!this.isPunct('(', open) || this.text[open.end] !== '(') {
        this.fail("__attribute__ syntax error, expected '(('");
      }
      let d = 0;
      for (;;) {
        const t = this.next();
        if (t.kind === 'eof') this.failAt("__attribute__ syntax error, mismatched '(' and ')'", this.rangeOfToken(open));
        if (this.isPunct('(', t)) d++;
        else if (this.isPunct(')', t) && --d === 0) break;
      }
    }
    const end = this.pos;
    this.match(';');
    const text = this.text.slice(start, end);
    try {
      return new A.CDefinition(this.range(start, end), text, parseCDefinition(text));
    } catch (e) {
      if (!(e instanceof CDeclError)) throw e;
      // The definition's extent is known, so parsing goes on after it.
      const at = start + e.offset;
      this.error(`invalid C definition: ${e.message}`, this.range(at, Math.min(at + 1, end)));
      return undefined;
    }
  }

  private parseConfig(): A.Config {
    const start = this.here();
    this.expect('config');
    this.expect('=');
    this.expect('{');
    const entries: A.ConfigEntry[] = [];
    while (!this.isPunct('}')) {
      const keyTok = this.peek();
      if (keyTok.kind !== 'ident') this.failThen('expected config key', '}');
      this.next();
      if (!this.match('=')) this.failThen("expected '='", '}');
      const v = this.peek();
      let value: string | bigint | boolean;
      let bare = false;
      if (v.kind === 'string') {
        this.reportLexErrors(v);
        value = v.text;
      } else if (v.kind === 'ident' && (v.text === 'true' || v.text === 'false')) {
        value = v.text === 'true';
      } else if (v.kind === 'int') {
        const r = integerValue(v.text);
        if ('error' in r) this.fail('invalid integer in config', v);
        value = r.value;
      } else if (v.kind === 'ident') {
        value = v.text;
        bare = true;
      } else {
        this.fail('expected string, int, boolean, or ident');
      }
      this.next();
      entries.push(new A.ConfigEntry(this.range(keyTok.start), keyTok.text, value, bare));
      if (!this.isPunct('}')) this.expect(';');
    }
    this.expect('}');
    this.match(';');
    return new A.Config(this.range(start), entries);
  }

  private parseRootImport(): A.RootImport {
    const start = this.here();
    this.expect('import');
    const path = this.peek();
    if (path.kind !== 'string') this.fail("expected string after 'import'");
    this.next();
    this.reportLexErrors(path);
    const range = this.range(start);
    if (!this.isPunct(';')) this.fail("expected ';' after import");
    this.next();
    return new A.RootImport(range, path.text);
  }

  private parseMacro(): A.Macro {
    const start = this.here();
    this.expect('macro');
    const name = this.next();
    const nameRange = this.range(start);
    this.expect('(');
    const params: (A.Variable | A.MapRef | A.Identifier)[] = [];
    if (!this.isPunct(')')) {
      do {
        const t = this.peek();
        if (t.kind === 'var') params.push(new A.Variable(this.rangeOfToken(this.next()), t.text));
        else if (t.kind === 'map') params.push(new A.MapRef(this.rangeOfToken(this.next()), t.text));
        else if (t.kind === 'ident') {
          if (isParserBuiltin(t.text)) this.error(`builtin '${t.text}' can't be used as a macro argument`, this.rangeOfToken(t));
          params.push(new A.Identifier(this.rangeOfToken(this.next()), t.text));
        } else this.fail('expected macro argument ($var, @map, or identifier)');
      } while (this.match(','));
    }
    this.expect(')');
    const body = this.parseBlock(true);
    return new A.Macro(nameRange, name.text, params, body);
  }

  private parseSubprog(): A.Subprog {
    const start = this.here();
    this.expect('fn');
    const name = this.next();
    const nameRange = this.range(start);
    this.expect('(');
    const params: A.SubprogParam[] = [];
    if (!this.isPunct(')')) {
      do {
        const t = this.peek();
        if (t.kind !== 'var') this.fail('expected variable in function argument');
        this.next();
        const v = new A.Variable(this.rangeOfToken(t), t.text);
        this.expect(':');
        const type = this.parseTypeAnnotation(true);
        params.push(new A.SubprogParam(this.range(t.start), v, type));
      } while (this.match(','));
    }
    this.expect(')');
    this.expect(':');
    const ret = this.parseTypeAnnotation(true);
    const body = this.parseBlock(false);
    return new A.Subprog(nameRange, name.text, params, ret, body);
  }

  private parseMapDecl(): A.MapDecl {
    const start = this.here();
    this.expect('let');
    const m = this.next();
    this.expect('=');
    const type = this.peek();
    if (type.kind !== 'ident') this.fail('expected map type name');
    this.next();
    this.expect('(');
    const n = this.peek();
    const r = n.kind === 'int' ? integerValue(n.text) : undefined;
    if (r === undefined || 'error' in r) this.fail('expected positive integer for map declaration max entries');
    this.next();
    this.expect(')');
    this.match(';');
    return new A.MapDecl(this.range(start), m.text, type.text, r.value);
  }

  // ---- probes ----

  private parseProbe(): A.Probe {
    const start = this.here();
    // Attach point problems are reported only once the probe parses: a missing block explains them better.
    const apDiags = new Diagnostics();
    const aps = [this.parseAttachPoint(apDiags)];
    while (this.match(',')) {
      // A trailing comma before the predicate or block is allowed.
      if (this.isPunct('{') || this.atPredicate()) break;
      aps.push(this.parseAttachPoint(apDiags));
    }
    const last = aps[aps.length - 1]!;
    const range = this.range(start, last.range.end);
    let predicate: A.Expression | undefined;
    if (this.atPredicate()) {
      this.next();
      predicate = this.parseExpression();
      if (!this.isPunct('/')) this.fail("expected '/' to close predicate");
      this.next();
    }
    if (!this.isPunct('{')) this.fail("expected '{'");
    this.diags.addAll(apDiags);
    // Empty attach points (a stray colon or comma) are dropped; a probe left with none is an error.
    if (apDiags.ok && aps.every((ap) => ap.provider === '')) {
      this.diags.error('No attach points for probe', range);
    }
    const body = this.parseBlock(false);
    return new A.Probe(range, aps, predicate, body);
  }

  private atPredicate(): boolean {
    const t = this.peek();
    return this.isPunct('/', t);
  }

  // An attach point is raw text up to `{`, `,`, whitespace, or a `/` that starts a predicate.
  private parseAttachPoint(diags: Diagnostics): A.AttachPoint {
    const start = this.here();
    let p = start;
    let raw = '';
    const text = this.text;
    while (p < text.length) {
      const c = text[p]!;
      if (c === '{' || c === ',' || c === '}') break;
      if (c === '/' && raw !== '' && !raw.includes(':')) {
        const n = text[p + 1];
        if (n !== '/' && n !== '*') break;
      }
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') break;
      if (c === '"') {
        let q = p + 1;
        while (q < text.length && text[q] !== '"') q += text[q] === '\\' ? 2 : 1;
        q = Math.min(q + 1, text.length);
        raw += text.slice(p, q);
        p = q;
        continue;
      }
      raw += c;
      p++;
    }
    if (raw === '') this.fail('expected attach point');
    this.pos = p;
    const range = this.range(start, p);
    // A positional parameter in the probe type (`BEG$1`, `$1`) is known only once the parameters are:
    // probe expansion splits such an attach point after substituting them.
    const split = /\$[0-9]/.test(splitAttachPoint(raw)[0]!)
      ? { provider: POSITIONAL_PROVIDER, parts: [], userName: undefined }
      : analyzeAttachPoint(raw, range, diags);
    return new A.AttachPoint(range, raw, split.provider, split.parts, split.userName);
  }

  // ---- blocks and statements ----

  private parseBlock(allowTail: boolean): A.BlockExpr {
    this.enter();
    const start = this.here();
    this.expect('{');
    const statements: A.Statement[] = [];
    let tail: A.Expression | undefined;
    for (;;) {
      const t = this.peek();
      if (this.isPunct('}', t)) break;
      if (t.kind === 'eof') this.fail("expected '}'");
      if (tail !== undefined) {
        statements.push(new A.ExprStatement(tail.range, tail));
        tail = undefined;
      }
      const stmtStart = t.start;
      const depth = this.depth;
      try {
        const r = this.parseStatement();
        if (r.tail) tail = r.tail;
        else if (r.statement) statements.push(r.statement);
      } catch (e) {
        if (!(e instanceof Abort) || this.diags.errorCount >= MAX_ERRORS) throw e;
        // A statement that cannot even start (a lone `$`) is, to bpftrace, also input the block cannot read.
        if (t.kind === 'invalid' && t.errors && this.failedAt === stmtStart) this.error('unexpected input in block', this.errorRange(t));
        this.depth = depth;
        this.syncStatement(Math.max(stmtStart, this.failedAt));
        if (this.pos <= stmtStart) this.next();
      }
    }
    this.next();
    if (tail !== undefined && !allowTail) {
      statements.push(new A.ExprStatement(tail.range, tail));
      tail = undefined;
    }
    this.leave();
    return new A.BlockExpr(this.range(start), statements, tail);
  }

  private endStatement(): void {
    if (this.isPunct('}')) return;
    this.expect(';');
  }

  private parseStatement(): { statement?: A.Statement; tail?: A.Expression } {
    const t = this.peek();
    const start = t.start;
    if (t.kind === 'ident') {
      switch (t.text) {
        case 'import': {
          this.next();
          const path = this.peek();
          if (path.kind !== 'string') this.fail("expected string after 'import'");
          this.next();
          this.reportLexErrors(path);
          const range = this.range(start);
          if (!this.isPunct(';')) this.fail("expected ';' after import");
          this.next();
          return { statement: new A.ImportStatement(range, path.text) };
        }
        case 'while':
        case 'unroll':
          return { statement: this.parseWhileOrUnroll() };
        case 'for':
          return { statement: this.parseFor() };
        case 'break':
        case 'continue': {
          this.next();
          const range = this.rangeOfToken(t);
          this.endStatement();
          return { statement: new A.Jump(range, t.text, undefined) };
        }
        case 'return': {
          this.next();
          let value: A.Expression | undefined;
          if (!this.isPunct(';') && !this.isPunct('}')) value = this.parseExpression();
          const range = this.range(start);
          this.endStatement();
          return { statement: new A.Jump(range, 'return', value) };
        }
        case 'let':
          return { statement: this.parseLet() };
      }
    }
    if (this.isPunct('_', t)) {
      const eq = this.peekAfter(t);
      if (this.isPunct('=', eq)) {
        this.next();
        this.next();
        const expr = this.parseExpression();
        const range = this.range(start);
        this.endStatement();
        return { statement: new A.Discard(range, expr) };
      }
    }
    const expr = this.parseExpression();
    const op = this.peek();
    if (op.kind === 'punct' && (op.text === '=' || COMPOUND.has(op.text))) {
      // Only a statement that starts with a variable or a map can be an assignment; after anything else the
      // expression statement has ended, as bpftrace reads it.
      if (t.kind !== 'var' && t.kind !== 'map') this.fail("expected ';'", op);
      if (expr.kind === 'TupleAccess' || expr.kind === 'FieldAccess') {
        this.next();
        const value = this.parseExpression();
        this.failAt(
          'Tuples and records are immutable once created. Consider creating a new value and assigning it instead.',
          this.range(start, value.range.end),
        );
      }
      const target = this.assignmentTarget(expr, op);
      this.next();
      const value = this.parseExpression();
      const range = this.range(start);
      this.endStatement();
      return { statement: new A.Assignment(range, target, op.text as A.AssignOperator, value) };
    }
    if (this.isPunct(';', op)) {
      this.next();
      return { statement: new A.ExprStatement(this.range(start), expr) };
    }
    if (this.isPunct('}', op)) return { tail: expr };
    if (expr.kind === 'IfExpr' || expr.kind === 'BlockExpr') {
      return { statement: new A.ExprStatement(this.range(start), expr) };
    }
    this.fail("expected ';'");
  }

  private assignmentTarget(expr: A.Expression, op: Token): A.Variable | A.MapRef | A.MapAccess {
    if (expr.kind === 'Variable' || expr.kind === 'MapRef' || expr.kind === 'MapAccess') return expr;
    this.failAt(`invalid assignment target: expected a variable or map before '${op.text}'`, expr.range);
  }

  private parseLet(): A.Statement {
    const start = this.here();
    this.expect('let');
    const v = this.peek();
    if (v.kind !== 'var') this.fail("expected variable after 'let'");
    this.next();
    const variable = new A.Variable(this.rangeOfToken(v), v.text);
    const declRange = this.range(start);
    let type: A.Typeof | undefined;
    if (this.match(':')) type = this.parseTypeAnnotation(true);
    const decl = new A.VarDecl(declRange, variable, type);
    if (this.match('=')) {
      const value = this.parseExpression();
      const range = this.range(start);
      this.endStatement();
      return new A.Assignment(range, decl, '=', value);
    }
    this.endStatement();
    return decl;
  }

  private parseWhileOrUnroll(): A.While | A.Unroll {
    const start = this.here();
    const kw = this.next();
    let cond: A.Expression;
    if (this.isPunct('(')) {
      this.next();
      cond = this.parseExpression();
      if (!this.match(')')) this.failThen("expected ')'", '{');
    } else {
      cond = this.parseUnary();
    }
    if (!this.isPunct('{')) this.fail("expected '{'");
    const body = this.parseBlock(false);
    if (kw.text === 'while') {
      const node = new A.While(this.range(start), cond, body);
      this.diags.warning('While loops are deprecated and may be removed in the future.', node.range, [
        'For loops support ranges (e.g. `for ($x : $start..$end) { ... }`), and can be used in place of while. These are more easily proven to be bounded by the verifier.',
      ]);
      return node;
    }
    return new A.Unroll(this.range(start), cond, body);
  }

  private parseFor(): A.For {
    const start = this.here();
    this.expect('for');
    const paren = this.match('(') !== undefined;
    const v = this.peek();
    if (v.kind !== 'var') this.fail('expected variable in for loop');
    this.next();
    const variable = new A.Variable(this.rangeOfToken(v), v.text);
    this.expect(':');
    const first = this.parsePostfix(this.parsePrimary());
    let iterable: A.MapRef | A.RangeExpr;
    if (this.match('..')) {
      let end: A.Expression;
      try {
        end = this.parsePostfix(this.parsePrimary());
      } catch (e) {
        // As bpftrace, a bad end of the range is followed by the missing `)` at the same place.
        const t = this.peek();
        if (e instanceof Abort && paren && t.start === this.failedAt && !this.isPunct(')', t)) this.error("expected ')'", this.errorRange(t));
        throw e;
      }
      iterable = new A.RangeExpr(this.range(first.range.start), first, end);
      if (paren) this.expect(')');
    } else {
      // As bpftrace: the closing parenthesis is looked for before what came first is judged.
      if (paren) this.expect(')');
      if (first.kind !== 'MapRef') this.fail('expected map or range in for loop');
      iterable = first;
    }
    if (!this.isPunct('{')) this.fail("expected '{'");
    const body = this.parseBlock(false);
    return new A.For(this.range(start), variable, iterable, body);
  }

  // ---- types ----

  // A type as written: a name or struct/union/enum name, then any `*` and `[N]` suffixes.
  private parseType(): A.TypeRef {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail('expected type name');
    this.next();
    let type: A.TypeRef;
    if (t.text === 'struct' || t.text === 'union' || t.text === 'enum') {
      const n = this.peek();
      if (n.kind !== 'ident') this.fail('expected identifier');
      this.next();
      type = new A.RecordType(this.range(t.start), t.text, n.text);
    } else {
      type = new A.NamedType(this.rangeOfToken(t), t.text);
    }
    for (;;) {
      if (this.isPunct('*')) {
        this.next();
        type = new A.PointerType(this.range(t.start), type);
      } else if (this.isPunct('[')) {
        this.next();
        let size: bigint | undefined;
        if (!this.isPunct(']')) {
          const n = this.peek();
          const r = n.kind === 'int' ? integerValue(n.text) : undefined;
          if (r === undefined || 'error' in r) this.fail('expected array size');
          this.next();
          size = r.value;
        }
        this.expect(']');
        type = new A.ArrayType(this.range(t.start), type, size);
      } else {
        return type;
      }
    }
  }

  // Does a type start here and end right before one of `terminators`? Returns whether it must be a type
  // (a builtin type, a struct, or one with suffixes) as opposed to a bare name that may be an expression.
  private typeAhead(terminators: string): { isType: boolean } | undefined {
    const saved = this.pos;
    try {
      const t = this.peek();
      if (t.kind !== 'ident' || isParserBuiltin(t.text)) return undefined;
      const type = this.parseType();
      const n = this.peek();
      if (n.kind !== 'punct' || !terminators.includes(n.text) || n.text.length !== 1) return undefined;
      const definite =
        type.kind !== 'NamedType' || BUILTIN_TYPES.has(type.name);
      return { isType: definite };
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
      return undefined;
    } finally {
      this.pos = saved;
    }
  }

  // A speculative type parse must not leave errors behind.
  private quietly<T>(f: () => T): T | undefined {
    const saved = this.pos;
    const diags = this.diags.all.length;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
      this.pos = saved;
      this.diags.truncate(diags);
      return undefined;
    }
  }

  // typeof(...) or a type where one is expected (typeOnly), or a type or expression inside sizeof and friends.
  private parseTypeAnnotation(typeOnly: boolean, terminators = ';,=){}'): A.Typeof {
    const start = this.here();
    if (this.isKeyword('typeof')) {
      this.next();
      this.expect('(');
      const ahead = this.typeAhead(')');
      let node: A.Typeof;
      if (ahead?.isType) {
        const type = this.parseType();
        this.expect(')');
        node = new A.Typeof(this.range(start), type, undefined);
      } else {
        const expr = this.parseExpression();
        this.expect(')');
        node = new A.Typeof(this.range(start), undefined, expr);
      }
      return node;
    }
    if (typeOnly) {
      const type = this.parseType();
      return new A.Typeof(this.range(start), type, undefined);
    }
    const ahead = this.typeAhead(terminators);
    if (ahead !== undefined) {
      if (ahead.isType) return new A.Typeof(this.range(start), this.parseType(), undefined);
      const t = this.next();
      return new A.Typeof(this.range(start), new A.NamedType(this.rangeOfToken(t), t.text), undefined);
    }
    const expr = this.parseExpression();
    return new A.Typeof(this.range(start), undefined, expr);
  }

  // ---- expressions ----

  parseExpression(): A.Expression {
    this.enter();
    const cond = this.parseBinary(0);
    let result: A.Expression = cond;
    if (this.isPunct('?')) {
      this.next();
      if (this.match(':')) {
        const otherwise = this.parseExpression();
        result = new A.Ternary(this.range(cond.range.start), cond, undefined, otherwise);
      } else {
        const then = this.parseExpression();
        this.expect(':');
        const otherwise = this.parseExpression();
        result = new A.Ternary(this.range(cond.range.start), cond, then, otherwise);
      }
    }
    this.leave();
    return result;
  }

  private binaryOperator(): { op: A.BinaryOperator; prec: number } | undefined {
    const t = this.peek();
    if (t.kind !== 'punct') return undefined;
    const prec = BINARY_PRECEDENCE[t.text];
    if (prec === undefined) return undefined;
    // `/` before `{` closes a predicate.
    if (t.text === '/' && this.isPunct('{', this.peekAfter(t))) return undefined;
    return { op: t.text as A.BinaryOperator, prec };
  }

  private parseBinary(minPrec: number, left?: A.Expression): A.Expression {
    let lhs = left ?? this.parseUnary();
    // Each operator in a chain nests the tree one level deeper on the left.
    let chain = 0;
    try {
      for (;;) {
        const info = this.binaryOperator();
        if (info === undefined || info.prec < minPrec) return lhs;
        this.next();
        this.enter();
        chain++;
        const rhs = this.parseBinary(info.prec + 1);
        lhs = new A.Binary(this.range(lhs.range.start), info.op, lhs, rhs);
      }
    } finally {
      this.depth -= chain;
    }
  }

  private parseUnary(): A.Expression {
    this.enter();
    try {
      const t = this.peek();
      const start = t.start;
      if (t.kind === 'punct') {
        if (t.text === '++' || t.text === '--') {
          this.next();
          const operand = this.parseUnary();
          if (!isIncrementable(operand)) this.error('increment/decrement requires a variable or map', operand.range);
          return new A.Unary(this.range(start), t.text, operand, false);
        }
        if (t.text === '&') {
          this.next();
          const v = this.peek();
          if (v.kind === 'var') {
            this.next();
            return new A.AddressOf(this.range(start), new A.Variable(this.rangeOfToken(v), v.text));
          }
          if (v.kind === 'map') {
            this.next();
            return new A.AddressOf(this.range(start), new A.MapRef(this.rangeOfToken(v), v.text));
          }
          this.fail('address-of operator (&) can only be used on a map or variable');
        }
        if (t.text === '*' || t.text === '!' || t.text === '~' || t.text === '-') {
          this.next();
          const operand = this.parseUnary();
          return new A.Unary(this.range(start), t.text, operand, false);
        }
      }
      return this.parsePostfix(this.parsePrimary());
    } finally {
      this.leave();
    }
  }

  private parsePostfix(expr: A.Expression): A.Expression {
    const start = expr.range.start;
    // Each postfix operator nests the tree one level deeper.
    let chain = 0;
    try {
      for (;;) {
        const next = this.parsePostfixOnce(expr, start);
        if (next === undefined) return expr;
        expr = next;
        this.enter();
        chain++;
      }
    } finally {
      this.depth -= chain;
    }
  }

  // One `.field`, `.N`, `->field`, `[index]`, `++` or `--` applied to expr; undefined if none follows.
  private parsePostfixOnce(expr: A.Expression, start: number): A.Expression | undefined {
    const t = this.peek();
    if (t.kind !== 'punct') return undefined;
    switch (t.text) {
      case '.': {
        this.next();
        const f = this.peek();
        if (f.kind === 'int' && /^[0-9]+$/.test(f.text)) {
          this.next();
          return new A.TupleAccess(this.range(start), expr, Number(f.text));
        }
        if (f.kind !== 'ident') this.fail("expected field name after '.'");
        this.next();
        return new A.FieldAccess(this.range(start), expr, f.text, false);
      }
      case '->': {
        this.next();
        const f = this.peek();
        if (f.kind !== 'ident') this.fail("expected field name after '->'");
        this.next();
        return new A.FieldAccess(this.range(start), expr, f.text, true);
      }
      case '[': {
        this.next();
        const index = this.parseExpression();
        this.expect(']');
        return new A.ArrayAccess(this.range(start), expr, index);
      }
      case '++':
      case '--':
        this.next();
        if (!isIncrementable(expr)) this.failAt('increment/decrement requires a variable or map', this.rangeOfToken(t));
        return new A.Unary(this.range(start), t.text, expr, true);
      default:
        return undefined;
    }
  }

  private parsePrimary(): A.Expression {
    const t = this.peek();
    switch (t.kind) {
      case 'punct':
        if (t.text === '(') return this.parseParen();
        if (t.text === '{') return this.parseBlock(true);
        break;
      case 'ident':
        return this.parseIdentPrimary(t);
      case 'map':
        return this.parseMap();
      case 'var':
        this.next();
        return new A.Variable(this.rangeOfToken(t), t.text);
      case 'paramcount':
        this.next();
        return new A.PositionalParameterCount(this.rangeOfToken(t));
      case 'param': {
        this.next();
        const digits = t.text.slice(1);
        const n = BigInt(digits);
        if (n < 1n || n > (1n << 63n) - 1n) {
          this.error(`param $${digits} is out of integer range [1, 9223372036854775807]`, this.rangeOfToken(t));
        }
        return new A.PositionalParameter(this.rangeOfToken(t), n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : 0);
      }
      case 'int': {
        this.next();
        this.reportLexErrors(t);
        // A bad suffix is reported once, by the lexer; a trailing underscore still lets the value be judged.
        const badSuffix = t.errors?.some((e) => e.message.startsWith('invalid integer suffix')) ?? false;
        const r = badSuffix ? { value: 0n } : integerValue(t.text);
        if ('error' in r) {
          this.error(r.error, this.rangeOfToken(t));
          return new A.IntegerLiteral(this.rangeOfToken(t), 0n, t.text);
        }
        return new A.IntegerLiteral(this.rangeOfToken(t), r.value, t.text);
      }
      case 'string':
        this.next();
        this.reportLexErrors(t);
        return new A.StringLiteral(this.rangeOfToken(t), t.text);
      case 'char':
        this.fail("character literals are not supported: use the character's code instead, e.g. 65 for 'A'");
      case 'invalid':
        if (t.errors) {
          this.reportLexErrors(t);
          this.failedAt = t.start;
          throw new Abort();
        }
        break;
      default:
        break;
    }
    this.fail('expected expression');
  }

  private parseIdentPrimary(t: Token): A.Expression {
    const start = t.start;
    switch (t.text) {
      case 'true':
      case 'false':
        this.next();
        return new A.BooleanLiteral(this.rangeOfToken(t), t.text === 'true');
      case 'if':
        return this.parseIf();
      case 'sizeof': {
        this.next();
        this.expect('(');
        const arg = this.parseTypeAnnotation(false);
        this.expect(')');
        return new A.Sizeof(this.range(start), arg);
      }
      case 'offsetof': {
        this.next();
        this.expect('(');
        const arg = this.parseTypeAnnotation(false);
        this.expect(',');
        const fields: string[] = [];
        do {
          const f = this.peek();
          if (f.kind !== 'ident') this.fail('expected field name');
          this.next();
          fields.push(f.text);
        } while (this.match('.'));
        this.expect(')');
        return new A.Offsetof(this.range(start), arg, fields);
      }
      case 'typeinfo': {
        this.next();
        this.expect('(');
        const arg = this.parseTypeAnnotation(false);
        this.expect(')');
        return new A.Typeinfo(this.range(start), arg);
      }
      case 'comptime': {
        this.next();
        const expr = this.parseUnary();
        return new A.Comptime(this.range(start), expr);
      }
    }
    this.next();
    if (this.isPunct('(')) return this.parseCall(t);
    if (isParserBuiltin(t.text)) return new A.Builtin(this.rangeOfToken(t), t.text);
    return new A.Identifier(this.rangeOfToken(t), t.text);
  }

  private parseIf(): A.IfExpr {
    const start = this.here();
    this.expect('if');
    let cond: A.Expression;
    if (this.isPunct('(')) {
      this.next();
      cond = this.parseExpression();
      if (!this.match(')')) this.failThen("expected ')'", '{');
    } else {
      cond = this.parseUnary();
    }
    if (!this.isPunct('{')) this.fail("expected '{'");
    const then = this.parseBlock(true);
    let otherwise: A.BlockExpr | A.IfExpr | undefined;
    if (this.match('else')) {
      if (this.isPunct('{')) otherwise = this.parseBlock(true);
      else if (this.isKeyword('if')) {
        this.enter();
        otherwise = this.parseIf();
        this.leave();
      } else this.fail("expected '{' or 'if' after 'else'");
    }
    return new A.IfExpr(this.range(start), cond, then, otherwise);
  }

  private parseCall(name: Token): A.Call {
    this.expect('(');
    const args: (A.Expression | A.Typeof)[] = [];
    if (!this.isPunct(')')) {
      do {
        if (this.isKeyword('typeof')) args.push(this.parseTypeAnnotation(false));
        else args.push(this.parseExpression());
      } while (this.match(','));
    }
    this.expect(')');
    return new A.Call(this.range(name.start), name.text, args);
  }

  private parseMap(): A.MapRef | A.MapAccess {
    const t = this.next();
    const map = new A.MapRef(this.rangeOfToken(t), t.text);
    if (!this.isPunct('[')) return map;
    this.next();
    const keys = [this.parseExpression()];
    while (this.match(',')) keys.push(this.parseExpression());
    this.expect(']');
    const range = this.range(t.start);
    const key = keys.length === 1 ? keys[0]! : new A.Tuple(range, keys);
    return new A.MapAccess(range, map, key);
  }

  // `(` starts an empty tuple, a record, a cast, a tuple, or a parenthesised expression.
  private parseParen(): A.Expression {
    const open = this.next();
    const start = open.start;
    if (this.isPunct(')')) {
      this.next();
      return new A.Tuple(this.range(start), []);
    }
    const first = this.peek();
    if (first.kind === 'ident' && !isParserBuiltin(first.text)) {
      const eq = this.peekAfter(first);
      if (this.isPunct('=', eq)) return this.parseRecord(start);
    }
    const cast = this.tryCast(start);
    if (cast !== undefined) return cast;
    const expr = this.parseExpression();
    if (!this.isPunct(',')) {
      this.expect(')');
      return expr;
    }
    const elements = [expr];
    while (this.match(',')) {
      if (this.isPunct(')')) break;
      elements.push(this.parseExpression());
    }
    this.expect(')');
    return new A.Tuple(this.range(start), elements);
  }

  private parseRecord(start: number): A.RecordLiteral {
    const fields: A.RecordField[] = [];
    const seen = new Set<string>();
    do {
      const n = this.peek();
      if (n.kind !== 'ident') this.fail('expected identifier');
      this.next();
      this.expect('=');
      const value = this.parseExpression();
      const range = this.range(n.start);
      if (seen.has(n.text)) this.error(`Named argument list already contains name: ${n.text}`, range);
      seen.add(n.text);
      fields.push(new A.RecordField(range, n.text, value));
    } while (this.match(','));
    this.expect(')');
    return new A.RecordLiteral(this.range(start), fields);
  }

  // `(type)expr`: a type, `)`, then something that can start an expression; otherwise not a cast.
  private tryCast(start: number): A.Cast | undefined {
    const saved = this.pos;
    let type: A.Typeof | undefined;
    if (this.isKeyword('typeof')) {
      type = this.quietly(() => this.parseTypeAnnotation(false));
    } else {
      const t = this.peek();
      if (t.kind !== 'ident' || isParserBuiltin(t.text)) return undefined;
      const parsed = this.quietly(() => this.parseType());
      if (parsed !== undefined) type = new A.Typeof(parsed.range, parsed, undefined);
    }
    if (type === undefined || !this.isPunct(')')) {
      this.pos = saved;
      return undefined;
    }
    const close = this.next();
    if (!canStartExpression(this.peek())) {
      this.pos = saved;
      return undefined;
    }
    void close;
    const expr = this.parseUnary();
    return new A.Cast(this.range(start), type, expr);
  }
}

function isIncrementable(e: A.Expression): boolean {
  return e.kind === 'Variable' || e.kind === 'MapRef' || e.kind === 'MapAccess';
}

function canStartExpression(t: Token): boolean {
  switch (t.kind) {
    case 'int':
    case 'var':
    case 'param':
    case 'paramcount':
    case 'map':
    case 'string':
    case 'ident':
      return true;
    case 'punct':
      return ['(', '-', '!', '~', '*', '&', '--', '++'].includes(t.text);
    default:
      return false;
  }
}


