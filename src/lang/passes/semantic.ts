// Type inference and checking: gives every expression a type (per expanded probe), settles the key and value
// types of every map across probes and of scratch variables per probe, and reports bpftrace's errors.
import type * as A from '../ast/index.js';
import type { Node } from '../ast/node.js';
import { checkFormat, type ArgKind } from '../format-string.js';
import {
  BOOL,
  I64,
  NONE,
  U32,
  U64,
  VOID,
  int,
  isAggregation,
  pointer,
  isScalar,
  promote,
  sizeOf,
  string,
  tuple,
  typeName,
  widen,
  type EnumInfo,
  type SizedType,
} from '../types.js';
import type { CompileContext, ExpandedProbe } from './context.js';
import { DECLARED_MAP_TYPES } from './resources.js';
import { MapType, ProgType } from '../../sys/uapi.js';
import { cStructByName } from '../btf-types.js';
import { parseIpAddress } from '../inet.js';
import { editDistance } from '../../btf/index.js';

/** How many field names a "no such field" error lists. */
const FIELD_HINT_MAX = 12;
import { kernelSymbols } from '../../symbols/kallsyms.js';
import { readFileSync, statSync } from 'node:fs';
import { openElf } from '../../elf/index.js';

/** Builtins that the parser leaves as plain identifiers (bpftrace defines them in its standard library). */
const IDENT_BUILTINS = new Set([
  'comm', 'cpu', 'ncpus', 'cgroup', 'curtask', 'elapsed', 'func', 'gid', 'uid', 'jiffies', 'probe', 'rand', 'retval',
  'cpid', 'usermode', 'numaid', 'username', 'probetype', 'config',
]);

/** The builtin's name whether written `comm`, `__builtin_comm` or as a parser builtin. */
export function builtinName(e: A.Expression): string | undefined {
  if (e.kind === 'Builtin') return e.name.startsWith('__builtin_') ? e.name.slice('__builtin_'.length) : e.name;
  if (e.kind === 'Identifier' && IDENT_BUILTINS.has(e.name)) return e.name;
  if (e.kind === 'Identifier' && e.name.startsWith('__builtin_') && IDENT_BUILTINS.has(e.name.slice('__builtin_'.length))) {
    return e.name.slice('__builtin_'.length);
  }
  return undefined;
}

/** bpftrace's name for a probe's type (the probetype builtin). */
export function probeTypeName(kind: string): string {
  return kind === 'begin' || kind === 'end' ? 'special' : kind;
}

const AGGREGATIONS = new Set(['count', 'sum', 'min', 'max', 'avg', 'stats', 'hist', 'lhist', 'tseries']);
const UNSAFE = new Set(['system', 'signal', 'override']);

export function analyseTypes(ctx: CompileContext): void {
  // Map types flow between probes, so run silently until they settle, then once more reporting.
  let before = '';
  for (let round = 0; round < 4; round++) {
    runAll(ctx, false);
    const now = [...ctx.types.mapValues].map(([k, v]) => `${k}=${typeName(v)}[${(ctx.types.mapKeys.get(k) ?? []).map(typeName).join(',')}]`).join(';');
    if (now === before) break;
    before = now;
  }
  runAll(ctx, true);
  checkMapDecls(ctx);
  checkNamedOptions(ctx);
}

const optionsByCompile = new WeakMap<CompileContext, Map<string, string>>();

/** The getopt() names the script reads, with their descriptions, in script order. */
function declaredOptions(ctx: CompileContext): Map<string, string> {
  let m = optionsByCompile.get(ctx);
  if (!m) {
    m = new Map();
    optionsByCompile.set(ctx, m);
  }
  return m;
}

/** `-- --name=value` options: each must be one the script reads; `--help` lists them. */
function checkNamedOptions(ctx: CompileContext): void {
  const given = Object.keys(ctx.options.named ?? {});
  const expected = declaredOptions(ctx);
  const unexpected = given.filter((n) => !expected.has(n));
  if (unexpected.length === 0) return;
  const help = unexpected.includes('help');
  const list = [...expected].map(([n, d]) => (help && d !== '' ? `--${n}: ${d}` : `--${n}`));
  const hint = expected.size === 0 ? 'no custom program options defined.' : `expected program options:${help ? `\n${list.join('\n')}` : ` ${list.join(': ')}`}`;
  const others = unexpected.filter((n) => n !== 'help');
  const message = others.length > 0 ? `unexpected program command line options: ${others.map((n) => `--${n}`).join(', ')}` : 'the program takes these options (--help)';
  ctx.diagnostics.error(message, undefined, [hint]);
}

/** A command-line value as the default's type takes it: undefined when it does not parse. */
function parseOptionValue(kind: 'int' | 'bool' | 'string', raw: string): bigint | boolean | string | undefined {
  if (kind === 'string') return raw;
  if (kind === 'bool') {
    const v = raw.toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    return undefined;
  }
  const m = /^(-?)(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(raw);
  if (!m) return undefined;
  const digits = m[2]!;
  const n = digits.startsWith('0x') ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const v = m[1] === '-' ? -n : n;
  return v >= -(2n ** 63n) && v < 2n ** 64n ? v : undefined;
}

/** `let @m = hash(n);`: a known map type that suits the values stored, and a map the script uses. */
function checkMapDecls(ctx: CompileContext): void {
  for (const item of ctx.program.items) {
    if (item.kind !== 'MapDecl') continue;
    const declared = DECLARED_MAP_TYPES[item.mapType];
    if (declared === undefined) {
      ctx.diagnostics.error(`Invalid bpf map type: ${item.mapType}`, item.range, [`Valid map types: ${Object.keys(DECLARED_MAP_TYPES).join(', ')}`]);
      continue;
    }
    const value = ctx.types.mapValues.get(item.name);
    if (value === undefined) {
      ctx.diagnostics.warning(`Unused map: ${item.name}`, item.range);
      continue;
    }
    const perCpu = declared === MapType.PERCPU_HASH || declared === MapType.LRU_PERCPU_HASH;
    if (perCpu !== isAggregation(value)) {
      ctx.diagnostics.error(
        `Incompatible map types. Type from declaration: ${item.mapType}. Type from value/key type: ${isAggregation(value) ? 'percpuhash' : 'hash'}`,
        item.range,
      );
    }
  }
}

function runAll(ctx: CompileContext, report: boolean): void {
  ctx.types.nodeTypes.clear();
  ctx.probes.forEach((p, i) => {
    const a = new Analyser(ctx, p, i, report);
    a.probe();
  });
}

class Analyser {
  private readonly types = new Map<Node, SizedType>();
  private readonly vars: Map<string, SizedType>;
  private loopDepth = 0;
  private readonly renames = new Map<string, string>();
  private loopCounter = 0;
  private readonly scopes: Map<string, string>[] = [new Map()];
  private declCounter = 0;

  constructor(
    private readonly ctx: CompileContext,
    private readonly ep: ExpandedProbe,
    index: number,
    private readonly report: boolean,
  ) {
    let vars = ctx.types.variables.get(ep.probe);
    if (!vars) {
      vars = new Map();
      ctx.types.variables.set(ep.probe, vars);
    }
    this.vars = vars;
    ctx.types.nodeTypes.set(index, this.types);
  }

  private error(message: string, node: Node, hints: string[] = []): void {
    if (this.report) this.ctx.diagnostics.error(message, node.range, hints);
  }

  private set(node: Node, t: SizedType): SizedType {
    this.types.set(node, t);
    return t;
  }

  probe(): void {
    const p = this.ep.probe;
    if (p.predicate) {
      const t = this.expr(p.predicate);
      if (!isScalar(t) && t.kind !== 'none') this.error(`Invalid type for predicate: ${typeName(t)}`, p.predicate);
    }
    this.block(p.body);
  }

  private block(b: A.BlockExpr): SizedType {
    this.scopes.push(new Map());
    try {
      return this.blockIn(b);
    } finally {
      this.scopes.pop();
    }
  }

  private blockIn(b: A.BlockExpr): SizedType {
    let ended = false;
    for (const s of b.statements) {
      if (ended) {
        if (this.report) this.ctx.diagnostics.warning('Unreachable statement', s.range);
        ended = false;
      }
      this.stmt(s);
      ended = endsControl(s);
    }
    if (ended && b.tail && this.report) this.ctx.diagnostics.warning('Unreachable statement', b.tail.range);
    return this.set(b, b.tail ? this.expr(b.tail) : VOID);
  }

  private stmt(s: A.Statement): void {
    switch (s.kind) {
      case 'ExprStatement':
        this.expr(s.expr);
        return;
      case 'Discard':
        this.expr(s.expr);
        return;
      case 'VarDecl': {
        const k = this.declare(s.variable);
        if (!this.vars.has(k)) this.vars.set(k, NONE);
        return;
      }
      case 'Assignment':
        this.assignment(s);
        return;
      case 'While':
        this.expr(s.cond);
        this.loopDepth++;
        this.block(s.body);
        this.loopDepth--;
        return;
      case 'Unroll': {
        const n = this.literal(s.count) ?? -1;
        if (n < 0) this.error('unroll count must be an integer literal', s.count);
        else if (n > 100) this.error('unroll maximum value is 100', s.count);
        else if (n < 1) this.error('unroll minimum value is 1', s.count);
        this.block(s.body);
        return;
      }
      case 'For': {
        // The loop variable belongs to the loop: give it its own slot for the body.
        const outer = this.renames.get(s.variable.name);
        this.renames.set(s.variable.name, `${s.variable.name}#${this.loopCounter++}`);
        this.forLoop(s);
        if (outer === undefined) this.renames.delete(s.variable.name);
        else this.renames.set(s.variable.name, outer);
        return;
      }
      case 'Jump':
        if (s.jump !== 'return' && this.loopDepth === 0) this.error(`'${s.jump}' statement is not allowed outside of a loop`, s);
        if (s.value) this.expr(s.value);
        return;
      case 'ImportStatement':
        this.error('imports are not supported', s);
        return;
    }
  }

  private forLoop(s: A.For): void {
    if (s.iterable.kind === 'RangeExpr') {
          const a = this.expr(s.iterable.start);
          const b = this.expr(s.iterable.end);
          if (a.kind !== 'int' || b.kind !== 'int') this.error('Loop range requires an integer for the start and end values', s.iterable);
          this.vars.set(this.key(s.variable), I64);
        } else {
          const name = s.iterable.name;
          const value = this.ctx.types.mapValues.get(name);
          const keys = this.ctx.types.mapKeys.get(name);
          this.set(s.iterable, value ?? NONE);
          if (value === undefined || keys === undefined) this.error(`Undefined map: ${name}`, s.iterable);
          else if (isAggregation(value) && value.kind !== 'count' && value.kind !== 'sum') {
            this.error(`Loops over ${typeName(value)} maps are not supported`, s.iterable);
          } else {
            const key = keys.length === 0 ? U64 : keys.length === 1 ? keys[0]! : tuple(keys);
            const v = value.kind === 'count' ? U64 : value.kind === 'sum' ? int(64, value.signed) : value;
            this.vars.set(this.key(s.variable), tuple([key, v]));
          }
        }
        this.loopDepth++;
        this.block(s.body);
        this.loopDepth--;
  }

  /**
   * `let $x` declares a variable of its block (it shadows one outside and ends with the block): a slot of its own.
   * Variables first assigned without `let` belong to the whole probe, as they did before blocks had scopes.
   */
  private declare(v: A.Variable): string {
    const k = `${v.name}%${this.declCounter++}`;
    this.scopes[this.scopes.length - 1]!.set(v.name, k);
    this.ctx.types.varKeys.set(v, k);
    return k;
  }

  /** The slot a variable node refers to: a `let` in scope, the loop-scoped name inside a for loop, or its name. */
  private key(v: A.Variable): string {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const declared = this.scopes[i]!.get(v.name);
      if (declared !== undefined) {
        this.ctx.types.varKeys.set(v, declared);
        return declared;
      }
    }
    const k = this.renames.get(v.name) ?? v.name;
    this.ctx.types.varKeys.set(v, k);
    return k;
  }

  private assignment(s: A.Assignment): void {
    if (s.target.kind === 'VarDecl') this.declare(s.target.variable);
    const target = s.target.kind === 'VarDecl' ? s.target.variable : s.target;
    if (s.op !== '=') {
      // `x += e` is `x = x + e`; the current type must be an integer.
      const cur = this.expr(target);
      const v = this.expr(s.value);
      if (cur.kind === 'pointer' && (s.op === '+=' || s.op === '-=') && v.kind === 'int') {
        this.store(target, cur, s);
        return;
      }
      if (cur.kind !== 'int' && cur.kind !== 'none') this.error(`Type mismatch for '${s.op}': ${typeName(cur)} is not an integer`, s);
      // As in C, the result keeps a 64-bit target's type (`@ts = (uint64)0; @ts += 10` stays unsigned).
      const r = cur.kind === 'int' && cur.bits === 64 ? cur : arith(cur.kind === 'int' ? cur : I64, v.kind === 'int' ? v : I64);
      this.store(target, r, s);
      return;
    }
    if (s.value.kind === 'BlockExpr' && s.value.tail?.kind === 'Call' && AGGREGATIONS.has(s.value.tail.name)) {
      // `@m = { let $a = 100; avg($a) }`: the block's statements, then the aggregation it ends in.
      const b = s.value;
      const call = b.tail as A.Call;
      this.scopes.push(new Map());
      for (const st of b.statements) this.stmt(st);
      if (target.kind === 'Variable') this.error(`${call.name}() must be assigned directly to a map`, call);
      const agg = this.aggregation(call);
      this.scopes.pop();
      if (target.kind !== 'Variable') this.storeMap(target, agg, call);
      this.set(b, agg);
      this.set(target, agg);
      return;
    }
    if (s.value.kind === 'Call' && AGGREGATIONS.has(s.value.name)) {
      if (target.kind === 'Variable') this.error(`${s.value.name}() must be assigned directly to a map`, s.value);
      const agg = this.aggregation(s.value);
      if (target.kind !== 'Variable') this.storeMap(target, agg, s.value);
      this.set(target, agg);
      return;
    }
    const v = this.expr(s.value);
    if (v.kind === 'void') {
      this.error(`Value '${describe(s.value)}' cannot be assigned`, s.value);
      return;
    }
    this.store(target, v, s);
  }

  /**
   * A kernel or script struct used as a value becomes a record of its fields (read field by field at their C
   * offsets), printed by bpftrace as `{ .a = 1, .b = 2 }`. Very large structs are refused.
   */
  structValue(t: SizedType, node: Node, depth = 0): SizedType | undefined {
    if (t.kind === 'array') {
      const el = this.structValue(t.element, node, depth);
      return el === undefined ? undefined : el === t.element ? t : { kind: 'array', element: el, length: t.length };
    }
    if (t.kind !== 'cstruct') return t;
    const fields = this.ctx.scriptTypes().fields(t);
    if (!fields || fields.length === 0 || fields.length > 64 || depth > 3) {
      this.error(`Using a ${t.name} by value is not supported: store its fields`, node);
      return undefined;
    }
    const out: { name: string; type: SizedType }[] = [];
    for (const f of fields) {
      const ft = this.structValue(f.field.type, node, depth + 1);
      if (!ft) return undefined;
      out.push({ name: f.name, type: ft });
    }
    return { kind: 'record', name: t.name, fields: out };
  }

  private store(target: A.Variable | A.MapRef | A.MapAccess, v: SizedType, node: Node): void {
    if (v.kind === 'cstruct' || v.kind === 'array') {
      const rec = this.structValue(v, node);
      if (!rec) return;
      v = rec;
    }
    if (target.kind === 'Variable') {
      const key = this.key(target);
      const cur = this.vars.get(key);
      if (cur === undefined || cur.kind === 'none') {
        this.vars.set(key, v);
      } else {
        const p = promote(cur, v);
        if (p === undefined) {
          this.error(`Type mismatch for ${target.name}: trying to assign value of type '${typeName(v)}' when variable already has a type '${typeName(cur)}'`, node);
        } else this.vars.set(key, p);
      }
      this.set(target, this.vars.get(key)!);
      return;
    }
    this.storeMap(target, v, node);
    this.set(target, this.ctx.types.mapValues.get(mapName(target)) ?? v);
  }

  private storeMap(target: A.MapRef | A.MapAccess, v: SizedType, node: Node): void {
    const name = mapName(target);
    this.mapKey(target);
    const cur = this.ctx.types.mapValues.get(name);
    if (cur === undefined || cur.kind === 'none') {
      this.ctx.types.mapValues.set(name, v);
      return;
    }
    const bothAgg = isAggregation(cur) && isAggregation(v);
    const p = isAggregation(cur) !== isAggregation(v) || (bothAgg && cur.kind !== v.kind) ? undefined : promote(cur, v);
    if (p === undefined) {
      this.error(`Type mismatch for ${name}: trying to assign value of type '${typeName(v)}' when map already has a type '${typeName(cur)}'`, node);
    } else this.ctx.types.mapValues.set(name, p);
  }

  /** Records the key types of a map access (none for `@x`). */
  private mapKey(target: A.MapRef | A.MapAccess): SizedType[] {
    const name = mapName(target);
    let keys: SizedType[] = [];
    if (target.kind === 'MapAccess') {
      const k = target.key;
      keys = k.kind === 'Tuple' ? k.elements.map((e) => this.keyPart(e)) : [this.keyPart(k)];
      // `@m[$t]` with a tuple $t is the same key as `@m[a, b]`.
      // (The tuple value keeps its own type; code generation converts it to the key's.)
      const flattened = keys.length === 1 && keys[0]!.kind === 'tuple';
      if (flattened) keys = [...(keys[0] as Extract<SizedType, { kind: 'tuple' }>).elements].map((t) => (t.kind === 'int' ? widen(t) : t));
      // An integer key keeps its own type (a cast's width decides its sign extension); it is stored as 64-bit.
      else if (keys.length !== 1 || keys[0]!.kind !== 'int') this.set(target.key, keys.length === 1 ? keys[0]! : tuple(keys));
    }
    const cur = this.ctx.types.mapKeys.get(name);
    if (cur === undefined) {
      this.ctx.types.mapKeys.set(name, keys);
      return keys;
    }
    const p = cur.length === keys.length ? keys.map((k, i) => promote(cur[i]!, k)) : undefined;
    if (p === undefined || p.some((x) => x === undefined)) {
      const show = (ks: SizedType[]) => (ks.length === 0 ? '' : ks.length === 1 ? typeName(ks[0]!) : typeName(tuple(ks)));
      this.error(`Argument mismatch for ${name}: trying to access with arguments: '${show(keys)}' when map expects arguments: '${show(cur)}'`, target);
      return cur;
    }
    this.ctx.types.mapKeys.set(name, p as SizedType[]);
    return p as SizedType[];
  }

  private keyPart(e: A.Expression): SizedType {
    const t = this.expr(e);
    if (t.kind === 'cstruct' || t.kind === 'array') return this.structValue(t, e) ?? NONE;
    if (t.kind === 'none' || t.kind === 'void' || isAggregation(t)) {
      this.error(`${typeName(t)} cannot be used as a map key`, e);
    }
    // Integers in keys are stored as 64-bit, as bpftrace does.
    if (t.kind === 'int') return widen(t);
    if (t.kind === 'bool') return t;
    return t;
  }

  expr(e: A.Expression): SizedType {
    return this.set(e, this.exprInner(e));
  }

  private exprInner(e: A.Expression): SizedType {
    switch (e.kind) {
      case 'IntegerLiteral':
        return e.value > 0x7fffffffffffffffn ? U64 : I64;
      case 'StringLiteral':
        return string(Buffer.byteLength(e.value) + 1);
      case 'BooleanLiteral':
        return BOOL;
      case 'Builtin':
      case 'Identifier': {
        const name = builtinName(e);
        if (name !== undefined) return this.builtin(name, e);
        if (e.kind === 'Identifier') {
          const v = this.constant(e.name, 0);
          if (v !== undefined) {
            this.ctx.types.constants.set(e, v);
            // An enumerator has its enum's type, so that printing shows its name.
            const en = this.enumOf(e.name);
            return en ? { kind: 'int', bits: 64, signed: true, enumType: en } : I64;
          }
        }
        if (e.kind === 'Identifier') this.error(`Unknown identifier: '${e.name}'`, e);
        else this.error(`Unknown builtin: '${e.name}'`, e);
        return NONE;
      }
      case 'Variable': {
        const t = this.vars.get(this.key(e));
        if (t === undefined) {
          this.error(`Undefined or undeclared variable: ${e.name}`, e);
          return NONE;
        }
        return t;
      }
      case 'PositionalParameter': {
        const v = this.ctx.options.positional?.[e.index - 1];
        if (v === undefined) return I64;
        return /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(v) ? I64 : string(Buffer.byteLength(v) + 1);
      }
      case 'PositionalParameterCount':
        return I64;
      case 'MapRef':
      case 'MapAccess': {
        const name = mapName(e);
        this.mapKey(e);
        const v = this.ctx.types.mapValues.get(name);
        if (v === undefined) {
          this.error(`Undefined map: ${name}`, e);
          return NONE;
        }
        if (isAggregation(v)) {
          // count and sum read as their total over every CPU; the others have no single in-kernel value here.
          if (v.kind === 'count') return U64;
          if (v.kind === 'sum' || v.kind === 'min' || v.kind === 'max' || v.kind === 'avg') return int(64, v.signed);
          this.error(`Reading ${typeName(v)} maps in a probe is not supported`, e);
          return NONE;
        }
        return v;
      }
      case 'Call':
        return this.call(e);
      case 'Binary':
        return this.binary(e);
      case 'Unary': {
        const t = this.expr(e.operand);
        switch (e.op) {
          case '!':
            return BOOL;
          case '~':
          case '-':
            if (t.kind !== 'int' && t.kind !== 'bool') this.error(`The ${e.op} operator can not be used on expressions of type '${typeName(t)}'`, e);
            return e.op === '-' ? I64 : t.kind === 'int' ? int(64, t.signed) : U64;
          case '++':
          case '--':
            if (e.operand.kind !== 'Variable' && e.operand.kind !== 'MapRef' && e.operand.kind !== 'MapAccess') {
              this.error(`The ${e.op} operator must be applied to a map or variable`, e);
              return NONE;
            }
            if (e.operand.kind !== 'Variable' && t.kind === 'none') {
              this.storeMap(e.operand, I64, e);
              return I64;
            }
            return t;
          case '*':
            if (t.kind === 'int') return int(64, t.signed);
            if (t.kind !== 'pointer') {
              this.error(`The * operator can not be used on expressions of type '${typeName(t)}'`, e);
              return NONE;
            }
            return this.inSpace(t.pointee, t.userSpace);
        }
        return NONE;
      }
      case 'FieldAccess':
        return this.field(e);
      case 'TupleAccess': {
        const t = this.expr(e.object);
        if (t.kind !== 'tuple') {
          this.error(`Can not access index '${e.index}' on expression of type '${typeName(t)}'`, e);
          return NONE;
        }
        if (e.index >= t.elements.length) {
          this.error(`Invalid tuple index: ${e.index}. Found ${t.elements.length} elements in tuple.`, e);
          return NONE;
        }
        return t.elements[e.index]!;
      }
      case 'ArrayAccess': {
        const t = this.expr(e.object);
        const i = this.expr(e.index);
        if (i.kind !== 'int') this.error('The array index operator [] only accepts integer indices', e.index);
        if (t.kind === 'array') {
          // Length 0 is a flexible array member (`int y[0]`): its length is not known, so any index goes.
          if (e.index.kind === 'IntegerLiteral' && t.length > 0 && (e.index.value < 0n || e.index.value >= BigInt(t.length))) {
            this.error(`the index ${e.index.value} is out of bounds for array of size ${t.length}`, e);
          }
          return this.inSpace(t.element, this.userMem(e.object));
        }
        if (t.kind === 'pointer') return this.inSpace(t.pointee, t.userSpace);
        if (t.kind === 'string') return int(8, true);
        if (t.kind === 'tuple') {
          // `$t[1 + 1]`: a tuple index must be known when compiling.
          const k = constantValue(e.index);
          if (k === undefined) {
            this.error('Tuple index must be a constant integer expression', e.index);
            return NONE;
          }
          if (k < 0n || k >= BigInt(t.elements.length)) {
            this.error(`Invalid tuple index: ${k}. Found ${t.elements.length} elements in tuple.`, e);
            return NONE;
          }
          this.ctx.types.constants.set(e.index, k);
          return t.elements[Number(k)]!;
        }
        this.error(`The array index operator [] can not be used on expressions of type '${typeName(t)}'`, e);
        return NONE;
      }
      case 'Cast': {
        const from = this.expr(e.expr);
        const ty = e.type.type;
        if (ty?.kind === 'ArrayType') return this.arrayCast(e, ty, from);
        if (from.kind === 'array' && ty?.kind === 'NamedType') {
          // `(int32)arr`: the array's bytes reinterpreted as an integer of the same size.
          const m = /^(u?)int(8|16|32|64)$/.exec(ty.name);
          if (m && Number(m[2]) / 8 === sizeOf(from)) return int(Number(m[2]) as 8, m[1] === '');
          this.error(`Cannot cast from "${typeName(from)}" to "${ty.name}"`, e);
          return NONE;
        }
        if (ty?.kind === 'PointerType') {
          const pt = this.cType(ty.pointee);
          // A pointer cast to another keeps its address space; an integer cast to a pointer in a user-space
          // probe points into the traced process.
          if (pt) return pointer(pt, from.kind === 'pointer' ? from.userSpace : this.inUserProbe());
        }
        if (ty?.kind === 'RecordType' && ty.keyword === 'enum') {
          // `(enum Foo)x`: the integer, printed by the enumerator's name when it has one.
          const en = this.enumNamed(`enum ${ty.name}`);
          if (en && (from.kind === 'int' || from.kind === 'none')) return { kind: 'int', bits: 64, signed: from.kind === 'int' ? from.signed : true, enumType: en };
        }
        if (ty?.kind === 'NamedType') {
          const m = /^(u?)int(8|16|32|64)$/.exec(ty.name);
          if (m) return int(Number(m[2]) as 8, m[1] === '');
          if (ty.name === 'bool') return BOOL;
          // `char` and kernel typedefs of integers (`u64`, `size_t`, `uint64_t`) from BTF.
          const ct = this.cType(ty);
          if (ct?.kind === 'int') return ct;
        }
        const unknown = ty === undefined ? undefined : this.unknownTypeName(ty);
        if (unknown !== undefined) this.error(`Cannot resolve unknown type "${unknown}"`, e.type);
        else this.error(`Cannot cast to "${e.type.type ? describeType(e.type) : 'typeof'}"`, e);
        return NONE;
      }
      case 'Ternary': {
        const c = this.expr(e.cond);
        const a = e.then ? this.expr(e.then) : c;
        const b = this.expr(e.otherwise);
        if (a.kind === 'void' && b.kind === 'void') return VOID;
        const p = promote(a, b);
        if (p === undefined) {
          this.error(`Ternary operator must return the same type: have '${typeName(a)}' and '${typeName(b)}'`, e);
          return NONE;
        }
        return p;
      }
      case 'IfExpr': {
        // `if` is a value when both branches end in one (`print(if ($x) { 1 } else { 2 })`).
        this.expr(e.cond);
        const a = this.block(e.then);
        const b = e.otherwise ? this.expr(e.otherwise) : VOID;
        if (!e.otherwise || a.kind === 'void' || b.kind === 'void' || a.kind === 'none' || b.kind === 'none') return VOID;
        return promote(a, b) ?? VOID;
      }
      case 'BlockExpr':
        return this.block(e);
      case 'Tuple':
        return tuple(e.elements.map((x) => this.structValue(this.expr(x), x) ?? NONE));
      case 'RecordLiteral':
        return { kind: 'record', name: undefined, fields: e.fields.map((f) => ({ name: f.name, type: this.set(f, this.expr(f.value)) })) };
      case 'Offsetof': {
        const st = e.arg.type ? this.cType(e.arg.type) : e.arg.expr ? this.expr(e.arg.expr) : undefined;
        let cur = st?.kind === 'pointer' ? st.pointee : st;
        let off = 0;
        for (const name of e.fields) {
          const f = cur?.kind === 'cstruct' ? this.ctx.scriptTypes().field(cur, name) : undefined;
          if (!f) {
            this.error(`'${cur ? typeName(cur) : 'type'}' has no field named '${name}'`, e);
            return NONE;
          }
          off += f.offset;
          cur = f.type;
        }
        this.ctx.types.constants.set(e, BigInt(off));
        return U64;
      }
      case 'Sizeof': {
        const size = this.sizeofValue(e);
        if (size === undefined) {
          this.error('Cannot resolve the size of this type', e);
          return NONE;
        }
        this.ctx.types.constants.set(e, BigInt(size));
        return U64;
      }
      case 'Comptime':
        return this.expr(e.expr);
      case 'AddressOf': {
        // `&$var`: the variable's own storage (the program's stack or scratch memory), a kernel address.
        if (e.target.kind !== 'Variable') {
          this.error('Only the address of a variable can be taken', e);
          return NONE;
        }
        const t = this.expr(e.target);
        return t.kind === 'none' ? NONE : pointer(t);
      }
      default:
        if ((e as A.Node).kind === 'ErrorExpr') return NONE;
        this.error(`${(e as A.Node).kind} expressions are not supported yet`, e);
        return NONE;
    }
  }

  private builtin(name: string, e: Node): SizedType {
    switch (name) {
      case 'pid':
      case 'tid':
      case 'uid':
      case 'gid':
      case 'cpu':
      case 'ncpus':
      case 'rand':
      case 'cpid':
      case 'numaid':
        return U32;
      case 'nsecs':
      case 'elapsed':
      case 'cgroup':
      case 'jiffies':
        return U64;
      case 'curtask': {
        // A `struct task_struct` the script declares replaces the kernel's, as in bpftrace.
        const own = this.ctx.scriptTypes().struct('struct task_struct');
        if (own) return pointer(own);
        const btf = this.ctx.btf();
        const task = btf ? cStructByName(btf, 'struct task_struct') : undefined;
        return task ? pointer(task) : U64;
      }
      case 'comm':
        return string(16);
      case 'func':
        if (this.ep.target.kind === 'kprobe' || this.ep.target.kind === 'fentry') return { kind: 'ksym' };
        if (this.ep.target.kind === 'uprobe') return { kind: 'usym' };
        return string(Math.max(...this.ctx.probes.map((p) => Buffer.byteLength(p.name))) + 1);
      case 'probe':
        return string(Math.max(...this.ctx.probes.map((p) => Buffer.byteLength(p.name))) + 1);
      case 'retval':
        return I64;
      case 'usermode':
        return int(8, false);
      case 'probetype':
        return string(Buffer.byteLength(probeTypeName(this.ep.target.kind)) + 1);
      case 'config':
        // Only its fields are values (`config().max_strlen`), folded by field().
        return { kind: 'record', name: 'config', fields: [] };
      case 'username':
        return { kind: 'username' };
      case 'args': {
        if (this.ep.args === undefined) {
          this.error(`The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (${this.ep.target.kind} used here)`, e);
          return NONE;
        }
        // Pointer fields of syscall tracepoints point into the calling process.
        const fields = this.ep.args.map((f) => ({ name: f.name, type: f.userPointer && f.type.kind === 'pointer' ? pointer(f.type.pointee, true) : f.type }));
        return { kind: 'record', name: argsStructName(this.ep), fields };
      }
      case 'ctx': {
        // iter probes (added by the probe-handling helper): ctx points to the iterator's `struct bpf_iter__<name>`.
        if (this.ep.target.kind === 'iter') {
          const btf = this.ctx.btf();
          const it = btf ? cStructByName(btf, `struct bpf_iter__${this.ep.target.name}`) : undefined;
          if (it) return pointer(it);
        }
        return U64;
      }
      case 'kstack':
        // Kernel stacks have no build ids: the bare builtin falls back to raw (kstack() with the mode is an error).
        if (this.ctx.config.stackMode === 'build_id') {
          if (this.report) this.ctx.diagnostics.warning("'build_id' stack mode can only be used for ustack. Falling back to 'raw' mode.", e.range);
          return { kind: 'stack', user: false, mode: 'raw', depth: 127 };
        }
        return { kind: 'stack', user: false, mode: this.ctx.config.stackMode, depth: 127 };
      case 'ustack':
        return { kind: 'stack', user: true, mode: this.ctx.config.stackMode, depth: 127 };
      default:
        if (/^arg[0-9]+$/.test(name) && this.ep.usdtArgs) {
          const spec = this.ep.usdtArgs[Number(name.slice(3))];
          if (!spec) {
            this.error(`usdt probe ${this.ep.name} has ${this.ep.usdtArgs.length} arguments, no ${name}`, e);
            return NONE;
          }
          return int(((spec.size || 8) * 8) as 8, spec.signed);
        }
        if (/^arg[0-9]+$/.test(name)) {
          if (this.ep.argsKind === 'tracepoint' || this.ep.argsKind === 'none') {
            this.error(`The ${name} builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes`, e);
            return NONE;
          }
          return U64;
        }
        this.error(`Unknown builtin: '${name}'`, e);
        return NONE;
    }
  }

  /** The text of `$N`, or of `$N + k` for a string parameter (pointer arithmetic on it), or undefined. */
  private positionalText(e: A.Expression): string | undefined {
    if (e.kind === 'PositionalParameter') return this.ctx.options.positional?.[e.index - 1] ?? '';
    if (e.kind === 'Binary' && e.op === '+' && e.left.kind === 'PositionalParameter' && e.right.kind === 'IntegerLiteral') {
      const v = this.ctx.options.positional?.[e.left.index - 1] ?? '';
      if (/^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return undefined;
      return Buffer.from(v).subarray(Number(e.right.value)).toString();
    }
    return undefined;
  }

  /** The script's enums (then the kernel's, from BTF) with their enumerators' values, computed once. */
  private scriptEnums(): EnumInfo[] {
    const cached = scriptEnumCache.get(this.ctx);
    if (cached) return cached;
    const out: EnumInfo[] = [];
    for (const c of this.ctx.program.c) {
      if (c.kind !== 'CDefinition' || c.decl.kind !== 'enum') continue;
      const enumerators = c.decl.enumerators.map((en) => ({ name: en.name, value: String(this.constant(en.name, 0) ?? 0n) }));
      out.push({ name: c.decl.name === undefined ? undefined : `enum ${c.decl.name}`, enumerators });
    }
    scriptEnumCache.set(this.ctx, out);
    return out;
  }

  /** The enum an enumerator name belongs to: the script's first, else the kernel's. */
  private enumOf(name: string): EnumInfo | undefined {
    const own = this.scriptEnums().find((e) => e.enumerators.some((x) => x.name === name));
    if (own) return own;
    if (this.ctx.program.c.some((c) => c.kind === 'CPreprocessor' && c.define?.name === name)) return undefined;
    const hit = this.ctx.btf()?.findEnumerators(name)[0];
    return hit ? this.btfEnum(hit.typeId) : undefined;
  }

  /** `enum Foo` by name: the script's, else the kernel's. */
  private enumNamed(name: string): EnumInfo | undefined {
    const own = this.scriptEnums().find((e) => e.name === name);
    if (own) return own;
    const btf = this.ctx.btf();
    const t = btf?.findByName(name.replace(/^enum /, ''), 'enum') ?? btf?.findByName(name.replace(/^enum /, ''), 'enum64');
    return t ? this.btfEnum(t.id) : undefined;
  }

  private btfEnum(id: number): EnumInfo | undefined {
    const t = this.ctx.btf()?.typeById(id);
    if (!t || (t.kind !== 'enum' && t.kind !== 'enum64')) return undefined;
    return { name: t.name ? `enum ${t.name}` : undefined, enumerators: t.values.map((v) => ({ name: v.name, value: String(v.value) })) };
  }

  /** A name's value from `#define NAME value` in the preamble or a kernel enum (BTF). */
  private constant(name: string, depth: number): bigint | undefined {
    if (depth > 8) return undefined;
    for (const c of this.ctx.program.c) {
      if (c.kind !== 'CPreprocessor' || c.define?.name !== name || c.define.params !== undefined) continue;
      const body = c.define.body
        .replace(/\/\*.*?\*\//g, '')
        .replace(/\/\/.*$/, '')
        .trim()
        .replace(/^\((.*)\)$/, '$1')
        .trim();
      const m = /^(-?)(0x[0-9a-fA-F]+|[0-9]+)[uUlL]*$/.exec(body);
      if (m) return (m[1] === '-' ? -1n : 1n) * BigInt(m[2]!);
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(body)) return this.constant(body, depth + 1);
      return undefined;
    }
    // Enums the script declares: values count up from the last one given.
    for (const c of this.ctx.program.c) {
      if (c.kind !== 'CDefinition' || c.decl.kind !== 'enum') continue;
      let next = 0n;
      for (const en of c.decl.enumerators) {
        if (en.value !== undefined) {
          const v = /^\s*(-?)(0x[0-9a-fA-F]+|[0-9]+)\s*$/.exec(en.value);
          const named = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(en.value);
          if (v) next = (v[1] === '-' ? -1n : 1n) * BigInt(v[2]!);
          else if (named) next = this.constant(named[1]!, depth + 1) ?? next;
        }
        if (en.name === name) return next;
        next++;
      }
    }
    const btf = this.ctx.btf();
    const hits = btf?.findEnumerators(name) ?? [];
    if (hits.length > 0) return hits[0]!.value;
    const known = WELL_KNOWN[name];
    if (known !== undefined) return BigInt(known);
    return name.startsWith('__NR_') ? syscallNumbers().get(name) : undefined;
  }

  private sizeofValue(e: A.Sizeof): number | undefined {
    const arg = e.arg;
    if (arg.expr) {
      const t = this.expr(arg.expr);
      return t.kind === 'none' ? undefined : sizeOf(t);
    }
    if (!arg.type) return undefined;
    return this.typeSize(arg.type, e);
  }

  private typeSize(type: A.TypeRef, e: A.Sizeof): number | undefined {
    if (type.kind === 'PointerType') return 8;
    if (type.kind === 'ArrayType') {
      // `sizeof(T[N])`, as a macro's `sizeof(t[N])` with t given typeof(T) makes it.
      const element = this.typeSize(type.element, e);
      return element === undefined || type.size === undefined ? undefined : element * Number(type.size);
    }
    const t = this.cType(type);
    if (t) return sizeOf(t);
    // `sizeof(comm)` parses as a type name; it means the builtin.
    if (type.kind === 'NamedType' && (IDENT_BUILTINS.has(type.name) || isParserBuiltinName(type.name))) {
      const b = this.builtin(type.name.replace(/^__builtin_/, ''), e);
      return b.kind === 'none' ? undefined : sizeOf(b);
    }
    // `sizeof(ENUM_VALUE)`: an enumerator or #define is a 64-bit integer.
    if (type.kind === 'NamedType' && this.constant(type.name, 0) !== undefined) return 8;
    return undefined;
  }

  /** A type written in a cast: builtin integers and kernel structs from BTF. */
  private cType(t: A.TypeRef): SizedType | undefined {
    if (t.kind === 'NamedType') {
      const m = /^(u?)int(8|16|32|64)$/.exec(t.name);
      if (m) return int(Number(m[2]) as 8, m[1] === '');
      if (t.name === 'void' || t.name === 'char') return int(8, t.name === 'char');
      const c = C_INTS[t.name];
      if (c) return int(c[0], c[1]);
      const own = this.ctx.scriptTypes().struct(t.name);
      if (own) return own;
      const btf = this.ctx.btf();
      return btf ? cStructByName(btf, t.name) : undefined;
    }
    if (t.kind === 'RecordType') {
      const own = this.ctx.scriptTypes().struct(`${t.keyword} ${t.name}`);
      if (own) return own;
      const btf = this.ctx.btf();
      return btf ? cStructByName(btf, `${t.keyword} ${t.name}`) : undefined;
    }
    if (t.kind === 'PointerType') {
      const p = this.cType(t.pointee);
      return p ? pointer(p) : undefined;
    }
    return undefined;
  }

  /** The name of the struct, union or typedef a type (through pointers and arrays) names that neither the script nor BTF has. */
  private unknownTypeName(t: A.TypeRef): string | undefined {
    let base: A.TypeRef = t;
    while (base.kind === 'PointerType' || base.kind === 'ArrayType') base = base.kind === 'PointerType' ? base.pointee : base.element;
    if (base.kind === 'NamedType' && (base.name === 'bool' || base.name === 'string' || /^(u?)int(8|16|32|64)$/.test(base.name))) return undefined;
    if (base.kind === 'RecordType' && base.keyword === 'enum') return this.enumNamed(`enum ${base.name}`) ? undefined : `enum ${base.name}`;
    if (this.cType(base) !== undefined) return undefined;
    return base.kind === 'RecordType' ? `${base.keyword} ${base.name}` : base.name;
  }

  /** `(int8[8])x`, `(int8[])x`: an integer or string value's bytes seen as an array of integers. */
  private arrayCast(e: A.Cast, ty: A.ArrayType, from: SizedType): SizedType {
    const elem = ty.element.kind === 'NamedType' && ty.element.name === 'bool' ? BOOL : this.cType(ty.element);
    if (!elem || (elem.kind !== 'int' && elem.kind !== 'bool') || !(from.kind === 'int' || from.kind === 'string')) {
      this.error(`Cannot cast from "${typeName(from)}" to "${describeType(e.type)}"`, e);
      return NONE;
    }
    const bytes = sizeOf(from);
    const elemSize = sizeOf(elem);
    const n = ty.size === undefined ? Math.floor(bytes / elemSize) : Number(ty.size);
    if (n * elemSize !== bytes) {
      this.error(`Cannot cast from "${typeName(from)}" to "${describeType(e.type)}": the sizes differ (${bytes} and ${n * elemSize} bytes)`, e);
      return NONE;
    }
    return { kind: 'array', element: elem, length: n };
  }

  private inUserProbe(): boolean {
    return this.ep.target.kind === 'uprobe' || this.ep.target.kind === 'usdt';
  }

  /** Whether the memory an expression reads through belongs to the traced process (see codegen's isUserMem). */
  private userMem(e: A.Expression): boolean {
    const t = this.types.get(e);
    if (t?.kind === 'pointer') return t.userSpace;
    if (e.kind === 'FieldAccess' || e.kind === 'ArrayAccess') return this.userMem(e.object);
    if (e.kind === 'Unary' && e.op === '*') return this.userMem(e.operand);
    return false;
  }

  /** Pointers stored in user memory point to user memory too. */
  private inSpace(t: SizedType, user: boolean): SizedType {
    if (!user) return t;
    if (t.kind === 'pointer') return pointer(t.pointee, true);
    return t;
  }

  /**
   * The fields a struct does have, nearest to the one asked for first: kernel structs move (cfs_rq's nr_running
   * became nr_queued), and the nearest name is usually the one meant.
   */
  private fieldHint(st: Extract<SizedType, { kind: 'cstruct' }>, wanted: string): string[] {
    const names = [...new Set((this.ctx.scriptTypes().fields(st) ?? []).map((f) => f.name).filter((n) => n !== ''))];
    if (names.length === 0) return [];
    const ranked = names.map((n) => ({ n, d: editDistance(wanted, n) })).sort((a, b) => a.d - b.d);
    const shown = ranked.slice(0, FIELD_HINT_MAX).map((r) => r.n);
    const more = names.length > FIELD_HINT_MAX ? `, ... (${names.length - FIELD_HINT_MAX} more)` : '';
    return [`${st.name} has the fields, nearest first: ${shown.join(', ')}${more}`];
  }

  /** `config().max_strlen`: a config value, known when compiling. */
  private configField(e: A.FieldAccess): SizedType {
    const c = this.ctx.config;
    const known: Record<string, string | number | boolean> = {
      ...CONFIG_DEFAULTS,
      ...c.raw,
      max_strlen: c.maxStrlen,
      stack_mode: c.stackMode,
      print_maps_on_exit: c.printMapsOnExit,
      max_map_keys: c.maxMapKeys,
      perf_rb_pages: c.perfRbPages,
    };
    const name = e.field.toLowerCase().replace(/^bpftrace_/, '');
    const v = known[name];
    if (v === undefined) {
      this.error(`Unknown config variable: ${e.field}`, e);
      return NONE;
    }
    if (typeof v === 'string') {
      this.ctx.types.stringConstants.set(e, v);
      return string(Buffer.byteLength(v) + 1);
    }
    this.ctx.types.constants.set(e, typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v));
    return typeof v === 'boolean' ? BOOL : I64;
  }

  private field(e: A.FieldAccess): SizedType {
    if (builtinName(e.object) === 'config') {
      this.expr(e.object);
      return this.configField(e);
    }
    const t = this.expr(e.object);
    const st = t.kind === 'pointer' && t.pointee.kind === 'cstruct' ? t.pointee : t.kind === 'cstruct' ? t : undefined;
    if (st) {
      const f = this.ctx.scriptTypes().field(st, e.field);
      if (!f) {
        this.error(`Struct/union of type '${st.name}' does not contain a field named '${e.field}'`, e, this.fieldHint(st, e.field));
        return NONE;
      }
      this.ctx.types.cfields.set(e, f);
      return this.inSpace(f.type, this.userMem(e.object));
    }
    if (t.kind !== 'record') {
      if (t.kind !== 'none') this.error(`Can not access field '${e.field}' on expression of type '${typeName(t)}'`, e);
      return NONE;
    }
    const f = t.fields.find((x) => x.name === e.field);
    if (!f) {
      if (t.name === undefined) this.error(`Record does not contain a field named '${e.field}'`, e);
      else this.error(`Struct/union of type '${t.name}' does not contain a field named '${e.field}'`, e);
      return NONE;
    }
    return f.type;
  }

  private binary(e: A.Binary): SizedType {
    const l = this.expr(e.left);
    const r = this.expr(e.right);
    switch (e.op) {
      case '&&':
      case '||':
        return BOOL;
      case '==':
      case '!=':
      case '<':
      case '>':
      case '<=':
      case '>=': {
        if (l.kind === 'buffer' && r.kind === 'buffer' && (e.op === '==' || e.op === '!=')) return BOOL;
        if (l.kind === 'array' && r.kind === 'array' && (e.op === '==' || e.op === '!=')) {
          if (typeName(l) !== typeName(r)) this.error(`Type mismatch for '${e.op}': comparing ${typeName(l)} with ${typeName(r)}`, e);
          return BOOL;
        }
        const ls = l.kind === 'string';
        const rs = r.kind === 'string';
        if (ls !== rs || (!ls && !isScalar(l) && l.kind !== 'none') || (!rs && !isScalar(r) && r.kind !== 'none')) {
          this.error(`Type mismatch for '${e.op}': comparing ${typeName(l)} with ${typeName(r)}`, e);
        } else if (ls && e.op !== '==' && e.op !== '!=') {
          this.error(`The ${e.op} operator can not be used to compare strings`, e);
        }
        return BOOL;
      }
      default: {
        if (e.op === '+' && e.left.kind === 'PositionalParameter' && l.kind === 'string' && r.kind === 'int') return l;
        if (!isScalar(l) || !isScalar(r)) {
          if (l.kind !== 'none' && r.kind !== 'none') this.error(`The ${e.op} operator can not be used on expressions of types ${typeName(l)}, ${typeName(r)}`, e);
          return NONE;
        }
        // Pointer arithmetic moves by elements, as in C.
        if (l.kind === 'pointer' && r.kind === 'int' && (e.op === '+' || e.op === '-')) return l;
        if (r.kind === 'pointer' && l.kind === 'int' && e.op === '+') return r;
        if (l.kind === 'pointer' && r.kind === 'pointer' && e.op === '-') return I64;
        // A literal takes the other operand's signedness, as in bpftrace (`$u % 10` stays unsigned); a
        // subtraction of integers may go below zero, so it is signed.
        if (e.op === '-' && l.kind === 'int' && r.kind === 'int') return I64;
        if (l.kind === 'int' && r.kind === 'int') {
          if (e.left.kind === 'IntegerLiteral' && e.right.kind !== 'IntegerLiteral') return r.signed ? I64 : U64;
          if (e.right.kind === 'IntegerLiteral' && e.left.kind !== 'IntegerLiteral') return l.signed ? I64 : U64;
        }
        return arith(l.kind === 'int' ? l : U64, r.kind === 'int' ? r : U64);
      }
    }
  }

  private aggregation(c: A.Call): SizedType {
    const args = c.args as A.Expression[];
    const n = args.length;
    const need = (min: number, max: number): boolean => this.nargs(c, min, max);
    switch (c.name) {
      case 'count':
        need(0, 0);
        return { kind: 'count' };
      case 'sum':
      case 'min':
      case 'max':
      case 'avg':
      case 'stats': {
        if (!need(1, 1)) return NONE;
        const t = this.expr(args[0]!);
        if (t.kind !== 'int' && t.kind !== 'bool') {
          this.error(`${c.name}() only supports integer arguments (${typeName(t)} provided)`, c);
          return NONE;
        }
        return { kind: c.name, signed: t.kind === 'int' && t.signed };
      }
      case 'hist': {
        if (!need(1, 2)) return NONE;
        const t = this.expr(args[0]!);
        if (t.kind !== 'int' && t.kind !== 'bool') this.error(`hist() only supports integer arguments (${typeName(t)} provided)`, c);
        let bits = 0;
        if (n === 2) {
          const b = this.literal(args[1]!);
          if (b === undefined) this.error('hist() expects a int literal (' + typeName(this.expr(args[1]!)) + ' provided)', c);
          else if (b < 0 || b > 5) this.error(`hist: bits ${b} must be 0..5`, c);
          else bits = b;
        }
        return { kind: 'hist', bits };
      }
      case 'tseries': {
        if (!need(3, 4)) return NONE;
        const t = this.expr(args[0]!);
        if (t.kind !== 'int' && t.kind !== 'bool') this.error(`tseries() only supports integer arguments (${typeName(t)} provided)`, c);
        const interval = this.literal(args[1]!);
        const num = this.literal(args[2]!);
        if (interval === undefined || interval <= 0) this.error('tseries() interval_ns must be a positive integer literal', c);
        if (num === undefined || num <= 0) this.error('tseries() num_intervals must be a positive integer literal', c);
        else if (num > 1000000) this.error('tseries() num_intervals must be at most 1000000', c);
        let agg: 'none' | 'avg' | 'sum' | 'min' | 'max' = 'none';
        const a = args[3];
        if (a) {
          if (a.kind !== 'StringLiteral' || !['avg', 'sum', 'min', 'max'].includes(a.value)) {
            this.error('tseries() expects one of the following aggregation functions: avg, max, min, sum', a);
          } else {
            agg = a.value as typeof agg;
            this.set(a, string(Buffer.byteLength(a.value) + 1));
          }
        }
        return { kind: 'tseries', intervalNs: interval ?? 1, numIntervals: num ?? 1, agg, signed: t.kind === 'int' && t.signed };
      }
      case 'lhist': {
        if (!need(4, 4)) return NONE;
        const t = this.expr(args[0]!);
        if (t.kind !== 'int' && t.kind !== 'bool') this.error(`lhist() only supports integer arguments (${typeName(t)} provided)`, c);
        const [min, max, step] = [args[1]!, args[2]!, args[3]!].map((a) => this.literal(a));
        if (min === undefined || max === undefined || step === undefined) {
          this.error('lhist() expects a int literal', c);
          return NONE;
        }
        if (step <= 0) this.error('lhist() step must be >= 1', c);
        else if (min < 0) this.error('lhist() min must be non-negative', c);
        else if (min > max) this.error('lhist() min must be less than max', c);
        else if ((max - min) / step > 1000) this.error('lhist() too many buckets, must be <= 1000 (provided: ' + Math.trunc((max - min) / step) + ')', c);
        return { kind: 'lhist', min, max, step };
      }
    }
    return NONE;
  }

  private literal(e: A.Expression): number | undefined {
    this.expr(e);
    if (e.kind === 'IntegerLiteral') return Number(e.value);
    if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'IntegerLiteral') return -Number(e.operand.value);
    if (e.kind === 'PositionalParameter') {
      const v = this.ctx.options.positional?.[e.index - 1];
      if (v !== undefined && /^-?[0-9]+$/.test(v)) return Number(v);
    }
    return undefined;
  }

  private nargs(c: A.Call, min: number, max: number): boolean {
    const n = c.args.length;
    if (n < min) {
      if (min === max) this.error(`${c.name}() requires ${min === 1 ? 'one argument' : `${min} arguments`} (${n} provided)`, c);
      else this.error(`${c.name}() requires at least ${min === 1 ? 'one argument' : `${min} arguments`} (${n} provided)`, c);
      return false;
    }
    if (n > max) {
      if (min === max) this.error(`${c.name}() requires ${max === 0 ? 'no arguments' : max === 1 ? 'one argument' : `${max} arguments`} (${n} provided)`, c);
      else this.error(`${c.name}() takes up to ${max === 1 ? 'one argument' : `${max} arguments`} (${n} provided)`, c);
      return false;
    }
    return true;
  }

  private call(c: A.Call): SizedType {
    const args = c.args.filter((a): a is A.Expression => a.kind !== 'Typeof');
    if (UNSAFE.has(c.name) && !this.ctx.config.unsafe) this.error(`${c.name}() is an unsafe function being used in safe mode`, c);
    if (AGGREGATIONS.has(c.name)) {
      this.error(`${c.name}() must be assigned directly to a map`, c);
      this.aggregation(c);
      return NONE;
    }
    switch (c.name) {
      case 'printf':
      case 'errorf':
      case 'warnf':
      case 'system':
      case 'cat':
      case 'debugf': {
        if (!this.nargs(c, 1, 1 + 128)) return VOID;
        const fmt = args[0]!;
        const rest = args.slice(1).map((a) => this.expr(a));
        rest.forEach((t, i) => {
          if (t.kind === 'cstruct') rest[i] = this.structValue(t, args[i + 1]!) ?? NONE;
        });
        if (fmt.kind !== 'StringLiteral') {
          this.expr(fmt);
          this.error(`${c.name}() expects a string literal as the first argument`, c);
          return VOID;
        }
        this.set(fmt, string(Buffer.byteLength(fmt.value) + 1));
        const problem = checkFormat(
          fmt.value,
          rest.map((t) => ({ kind: argKind(t), name: typeName(t) })),
        );
        if (problem !== undefined) this.error(`${c.name}: ${problem}`, c);
        return VOID;
      }
      case 'print': {
        if (!this.nargs(c, 1, 3)) return VOID;
        const a = args[0]!;
        if (a.kind === 'MapRef') {
          if (!this.ctx.types.mapValues.has(a.name)) this.error(`Undefined map: ${a.name}`, a);
          for (const x of args.slice(1)) this.expr(x);
          return VOID;
        }
        const t = this.expr(a);
        if (args.length > 1) this.error(`Non-map print() only takes 1 argument, ${args.length} found`, c);
        if (t.kind === 'void') this.error(`${typeName(t)} type passed to print() is not printable`, c);
        if (t.kind === 'cstruct') this.structValue(t, c);
        return VOID;
      }
      case 'exit':
        if (!this.nargs(c, 0, 1)) return VOID;
        if (args[0]) {
          const t = this.expr(args[0]);
          if (t.kind !== 'int') this.error(`exit() only supports int arguments (${typeName(t)} provided)`, c);
        }
        return VOID;
      case 'clear':
      case 'zero':
        if (!this.nargs(c, 1, 1)) return VOID;
        if (args[0]!.kind !== 'MapRef') this.error(`${c.name}() expects a map argument`, c);
        else if (!this.ctx.types.mapValues.has(args[0]!.name)) this.error(`Undefined map: ${(args[0] as A.MapRef).name}`, args[0]!);
        return VOID;
      case 'delete': {
        if (!this.nargs(c, 1, 2)) return BOOL;
        const a = args[0]!;
        if (args.length === 2 && a.kind === 'MapRef') {
          this.keyedAccess(a.name, args[1]!, c);
        } else if (a.kind === 'MapAccess' || a.kind === 'MapRef') {
          this.expr(a);
        } else this.error('delete() expects a map argument', c);
        return BOOL;
      }
      case 'has_key': {
        if (!this.nargs(c, 2, 2)) return BOOL;
        const a = args[0]!;
        if (a.kind !== 'MapRef') this.error('has_key() expects a map argument', c);
        else if (this.ctx.types.mapKeys.get(a.name)?.length === 0) {
          this.expr(args[1]!);
          this.error('call to has_key() expects a map with explicit keys (non-scalar map)', c);
        } else this.keyedAccess(a.name, args[1]!, c);
        return BOOL;
      }
      case 'comm': {
        // `comm(pid)`: the name of another process, through the bpf_task_from_pid kfunc (tracing programs only).
        if (!this.nargs(c, 0, 1)) return string(16);
        const p = args[0];
        if (p === undefined) return string(16);
        const pt = this.expr(p);
        if (pt.kind !== 'int' && pt.kind !== 'none') this.error("Only integer supported for comm()'s pid", c);
        else if (this.ep.progType !== ProgType.TRACING) this.error(`Syntax comm(PID) is not supported in this probe type yet. Type: ${this.ep.target.kind}`, c);
        return string(16);
      }
      case 'str': {
        if (!this.nargs(c, 1, 2)) return NONE;
        // `str($1)` is the parameter's text, a number's digits included; `str($1 + 1)` drops its first character.
        const text = this.positionalText(args[0]!);
        if (text !== undefined) {
          this.expr(args[0]!);
          this.ctx.types.stringConstants.set(c, text);
          const n = args[1] ? this.literal(args[1]) : undefined;
          return string(Math.max(1, Math.min(Buffer.byteLength(text) + 1, this.ctx.config.maxStrlen, n !== undefined && n >= 0 ? n : Infinity)));
        }
        const t = this.expr(args[0]!);
        if (t.kind !== 'pointer' && t.kind !== 'int' && t.kind !== 'string') {
          this.error(`str() expects a string, integer or a pointer type as first argument (${typeName(t)} provided)`, c);
        }
        let size = this.ctx.config.maxStrlen;
        if (args[1]) {
          const n = this.literal(args[1]);
          if (n !== undefined && n >= 0) size = Math.min(size, n + 1);
        }
        if (t.kind === 'string') return string(Math.min(t.size, size));
        return string(size);
      }
      case 'strncmp': {
        if (!this.nargs(c, 3, 3)) return I64;
        const a = this.expr(args[0]!);
        const b = this.expr(args[1]!);
        if (a.kind !== 'string' || b.kind !== 'string') this.error('strncmp() only supports string arguments', c);
        if (this.literal(args[2]!) === undefined) this.error('strncmp() expects a int literal', c);
        return I64;
      }
      case 'len': {
        if (!this.nargs(c, 1, 1)) return I64;
        const m = args[0]!;
        if (m.kind !== 'MapRef') {
          // `len(ustack)`: the number of frames.
          if (this.expr(m).kind === 'stack') return I64;
          this.error('len() expects a map or stack to be provided', c);
          return I64;
        }
        if (!this.ctx.types.mapValues.has(m.name)) this.error(`Undefined map: ${m.name}`, m);
        else if ((this.ctx.types.mapKeys.get(m.name) ?? []).length === 0) this.error('call to len() expects a map with explicit keys (non-scalar map)', c);
        this.set(m, this.ctx.types.mapValues.get(m.name) ?? NONE);
        return I64;
      }
      case 'strlen': {
        if (!this.nargs(c, 1, 1)) return U64;
        const t = this.expr(args[0]!);
        if (t.kind !== 'string') this.error(`strlen() only supports string arguments (${typeName(t)} provided)`, c);
        return U64;
      }
      case 'strcontains': {
        if (!this.nargs(c, 2, 2)) return BOOL;
        const a = this.expr(args[0]!);
        const b = this.expr(args[1]!);
        if (a.kind !== 'string' || b.kind !== 'string') this.error('strcontains() only supports string arguments', c);
        return BOOL;
      }
      case 'join': {
        if (!this.nargs(c, 1, 2)) return VOID;
        const t = this.expr(args[0]!);
        if (t.kind !== 'pointer' && t.kind !== 'int') this.error(`join() only supports array or pointer arguments (${typeName(t)} provided)`, c);
        if (args[1]) {
          if (args[1].kind !== 'StringLiteral') this.error('join() expects a string literal as the second argument', c);
          else this.set(args[1], string(Buffer.byteLength(args[1].value) + 1));
        }
        return VOID;
      }
      case 'time':
        if (!this.nargs(c, 0, 1)) return VOID;
        if (args[0] && args[0].kind !== 'StringLiteral') this.error('time() expects a string literal (' + typeName(this.expr(args[0])) + ' provided)', c);
        return VOID;
      case 'strftime': {
        if (!this.nargs(c, 2, 2)) return NONE;
        const f = args[0]!;
        this.expr(f);
        const t = this.expr(args[1]!);
        if (f.kind !== 'StringLiteral') {
          this.error('strftime() expects a string literal (' + typeName(this.types.get(f)!) + ' provided)', c);
          return NONE;
        }
        if (t.kind !== 'int') this.error(`strftime() only supports int arguments (${typeName(t)} provided)`, c);
        return { kind: 'timestamp', mode: 'boot', format: f.value };
      }
      case 'ksym':
      case 'usym': {
        if (!this.nargs(c, 1, 1)) return NONE;
        const t = this.expr(args[0]!);
        if (t.kind !== 'int' && t.kind !== 'pointer') this.error(`${c.name}() expects an integer or pointer argument`, c);
        return { kind: c.name };
      }
      case 'kstack':
      case 'ustack': {
        if (!this.nargs(c, 0, 2)) return NONE;
        let mode = this.ctx.config.stackMode;
        let depth = 127;
        for (const a of args) {
          if (a.kind === 'Identifier' && (a.name === 'bpftrace' || a.name === 'perf' || a.name === 'raw' || a.name === 'build_id')) mode = a.name;
          else {
            const n = this.literal(a);
            if (n === undefined) this.error(`${c.name}: invalid stack argument`, a);
            else if (n < 1 || n > 1024) this.error(`${c.name}: stack depth must be between 1 and 1024`, a);
            else depth = n;
          }
        }
        // build_id stacks exist for user stacks only.
        if (mode === 'build_id' && c.name === 'kstack') this.error("'build_id' stack mode can only be used for ustack", c);
        return { kind: 'stack', user: c.name === 'ustack', mode, depth };
      }
      case 'signal': {
        if (!this.nargs(c, 1, 1)) return VOID;
        const a = args[0]!;
        if (a.kind === 'StringLiteral') {
          if (signalNumber(a.value) === undefined) this.error(`Invalid signal: ${a.value}`, a);
          this.set(a, string(Buffer.byteLength(a.value) + 1));
        } else {
          const t = this.expr(a);
          if (t.kind !== 'int') this.error(`signal() only supports int arguments (${typeName(t)} provided)`, c);
        }
        return VOID;
      }
      case 'bswap': {
        if (!this.nargs(c, 1, 1)) return NONE;
        const t = this.expr(args[0]!);
        if (t.kind !== 'int') {
          this.error(`bswap() only supports integer arguments (${typeName(t)} provided)`, c);
          return NONE;
        }
        return t;
      }
      case 'getopt': {
        if (!this.nargs(c, 1, 3)) return NONE;
        if (args[2]) {
          if (args[2].kind !== 'StringLiteral') this.error('getopt() expects a string literal as the third argument', c);
          else this.set(args[2], string(Buffer.byteLength(args[2].value) + 1));
        }
        const name = args[0]!;
        if (name.kind !== 'StringLiteral') {
          this.error('getopt() expects a string literal as the first argument', c);
          return NONE;
        }
        this.set(name, string(Buffer.byteLength(name.value) + 1));
        const description = args[2]?.kind === 'StringLiteral' ? args[2].value : '';
        if (this.report) declaredOptions(this.ctx).set(name.value, description);
        const given = this.ctx.options.named?.[name.value];
        const d = args[1] ? this.expr(args[1]) : BOOL;
        // The option's value is folded into the program: a constant, or for strings the text itself.
        const kind = d.kind === 'int' ? 'int' : d.kind === 'bool' ? 'bool' : d.kind === 'string' ? 'string' : undefined;
        if (kind === undefined) {
          this.error(`getopt() default value must be an integer, boolean or string (${typeName(d)} provided)`, c);
          return NONE;
        }
        if (given === undefined) {
          if (!args[1]) this.ctx.types.constants.set(c, 0n);
          else if (kind === 'string' && args[1].kind !== 'StringLiteral') this.error('getopt() expects a string literal as the default value', c);
          return kind === 'int' ? I64 : d;
        }
        const parsed = parseOptionValue(kind, given);
        if (typeof parsed === 'string' && kind === 'string') {
          this.ctx.types.stringConstants.set(c, parsed);
          return string(Math.max(Buffer.byteLength(parsed) + 1, d.kind === 'string' ? d.size : 0));
        }
        if (parsed === undefined) {
          if (this.report) this.ctx.diagnostics.error(`program command line option --${name.value} invalid ${kind === 'int' ? 'integer' : 'boolean'} (value: ${given})`);
          return NONE;
        }
        this.ctx.types.constants.set(c, typeof parsed === 'boolean' ? (parsed ? 1n : 0n) : BigInt(parsed));
        if (kind === 'bool') return BOOL;
        return typeof parsed === 'bigint' && parsed > 0x7fffffffffffffffn ? U64 : I64;
      }
      case 'kptr':
      case 'uptr': {
        // Only the address space changes: which probe-read helper reads through the pointer.
        if (!this.nargs(c, 1, 1)) return NONE;
        const t = this.expr(args[0]!);
        if (t.kind === 'pointer') return pointer(t.pointee, c.name === 'uptr');
        if (t.kind !== 'int' && t.kind !== 'none') this.error(`${c.name}() expects a pointer or an integer (${typeName(t)} provided)`, c);
        return t;
      }
      case 'pton': {
        if (!this.nargs(c, 1, 1)) return NONE;
        const arg = args[0]!;
        this.expr(arg);
        const bytes = arg.kind === 'StringLiteral' ? parseIpAddress(arg.value) : undefined;
        if (arg.kind !== 'StringLiteral') {
          this.error('pton() expects a string literal', c);
          return NONE;
        }
        if (!bytes) {
          this.error(`pton() expects a valid IPv4 or IPv6 address, got '${arg.value}'`, c);
          return NONE;
        }
        return { kind: 'array', element: int(8, false), length: bytes.length };
      }
      case 'macaddr': {
        if (!this.nargs(c, 1, 1)) return NONE;
        const t = this.expr(args[0]!);
        if (!((t.kind === 'array' && sizeOf(t) >= 6) || (t.kind === 'string' && t.size >= 6))) {
          this.error(`macaddr() expects an array of at least 6 bytes (${typeName(t)} provided)`, c);
          return NONE;
        }
        return { kind: 'macaddr' };
      }
      case 'ntop': {
        if (!this.nargs(c, 1, 2)) return NONE;
        const addr = args[args.length - 1]!;
        if (args.length === 2) {
          const af = this.expr(args[0]!);
          if (af.kind !== 'int') this.error(`ntop() expects an integer address family (${typeName(af)} provided)`, c);
        }
        const t = this.expr(addr);
        const size = t.kind === 'array' || t.kind === 'string' ? sizeOf(t) : t.kind === 'int' ? 4 : 0;
        if (size !== 4 && size !== 16) this.error(`ntop() argument must be 4 or 16 bytes in size`, c);
        return { kind: 'inet' };
      }
      case 'strerror':
      case 'syscall_name':
      case 'signal_name':
      case 'cgroup_path': {
        if (!this.nargs(c, 1, c.name === 'cgroup_path' ? 2 : 1)) return NONE;
        const t = this.expr(args[0]!);
        if (t.kind !== 'int') this.error(`${c.name}() only supports int arguments (${typeName(t)} provided)`, c);
        if (args[1]) this.expr(args[1]);
        return { kind: c.name };
      }
      case 'path': {
        // bpf_d_path: the kernel allows it only in tracing programs of functions on its allowlist.
        if (!this.nargs(c, 1, 2)) return NONE;
        let size = this.ctx.config.maxStrlen;
        const n = args[1];
        if (n) {
          this.expr(n);
          if (n.kind !== 'IntegerLiteral' || n.value < 0n) this.error('path: invalid size value, need non-negative literal', c);
          else size = Number(n.value);
        }
        const kind = this.ep.target.kind;
        if (kind !== 'fentry' && kind !== 'iter') this.error("The path function can only be used with 'fentry', 'fexit', 'iter' probes", c);
        const t = this.expr(args[0]!);
        if (t.kind !== 'pointer' && t.kind !== 'cstruct' && t.kind !== 'none') {
          this.error(`path() only supports pointer or C type argument (${typeName(t)} provided)`, c);
        }
        return string(size);
      }
      case 'cgroupid': {
        if (!this.nargs(c, 1, 1)) return U64;
        const n = args[0]!;
        if (n.kind !== 'StringLiteral') {
          this.error('cgroupid() expects a string literal as the first argument', c);
          return U64;
        }
        this.set(n, string(Buffer.byteLength(n.value) + 1));
        try {
          // A cgroup's id is the inode number of its directory in cgroupfs.
          this.ctx.types.constants.set(c, statSync(n.value, { bigint: true }).ino);
        } catch (err) {
          this.error(`Failed to get cgroup id of ${n.value}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, c);
        }
        return U64;
      }
      case 'kaddr': {
        if (!this.nargs(c, 1, 1)) return U64;
        const n = args[0]!;
        // A literal, or a positional parameter's text (`kaddr(str($1))`).
        const inner = n.kind === 'Call' && n.name === 'str' && n.args.length === 1 ? (n.args[0] as A.Expression) : n;
        const symbol = n.kind === 'StringLiteral' ? n.value : this.positionalText(inner);
        if (symbol === undefined) {
          this.error('kaddr() expects a string literal as the first argument', c);
          return U64;
        }
        this.set(n, string(Buffer.byteLength(symbol) + 1));
        let addr: bigint | undefined;
        try {
          addr = kernelSymbols().address(symbol);
        } catch {
          addr = undefined;
        }
        if (addr === undefined) this.error(`Failed to resolve kernel symbol: ${symbol}`, c);
        else this.ctx.types.constants.set(c, addr);
        return U64;
      }
      case 'write_user': {
        // write_user(dst, src, len): writes into the traced process's memory.
        if (!this.ctx.config.unsafe) this.error('write_user() is unsafe. To use you need the --unsafe flag', c);
        if (!this.nargs(c, 3, 3)) return VOID;
        const d = this.expr(args[0]!);
        const src = this.expr(args[1]!);
        if (d.kind !== 'pointer' && d.kind !== 'int') this.error(`write_user() expects a pointer as the destination (${typeName(d)} provided)`, c);
        if (src.kind !== 'string' && src.kind !== 'buffer' && src.kind !== 'array' && src.kind !== 'int') {
          this.error(`write_user() cannot write a value of type ${typeName(src)}`, c);
        }
        const n = this.literal(args[2]!);
        if (n === undefined || n < 1) this.error('write_user() expects a positive integer literal length', c);
        else if (n > sizeOf(src)) this.error(`write_user() length ${n} is larger than the value (${sizeOf(src)} bytes)`, c);
        else this.ctx.types.constants.set(args[2]!, BigInt(n));
        return VOID;
      }
      case 'uaddr': {
        if (!this.nargs(c, 1, 1)) return U64;
        const n = args[0]!;
        const t = this.ep.target;
        if (n.kind !== 'StringLiteral') {
          this.error('uaddr() expects a string literal as the first argument', c);
          return U64;
        }
        this.set(n, string(Buffer.byteLength(n.value) + 1));
        if (t.kind !== 'uprobe' && t.kind !== 'usdt') {
          this.error('uaddr can only be used with uprobes and usdt probes', c);
          return U64;
        }
        let sym: { value: bigint; size: bigint } | undefined;
        let pie = false;
        try {
          const elf = openElf(t.path);
          pie = elf.type === 'dyn';
          sym = elf.symbol(n.value);
        } catch {
          sym = undefined;
        }
        if (!sym) {
          this.error(`Could not resolve symbol: ${t.path}:${n.value}`, c);
          return U64;
        }
        if (pie) {
          // The load address of a position-independent binary is known only in the running process.
          this.error(`uaddr() of a symbol in a position-independent binary is not supported yet: ${t.path}`, c);
          return U64;
        }
        this.ctx.types.constants.set(c, sym.value);
        const size = Number(sym.size);
        return pointer(size === 1 || size === 2 || size === 4 ? int((size * 8) as 8, true) : I64, true);
      }
      case 'buf': {
        if (!this.nargs(c, 1, 2)) return NONE;
        const t = this.expr(args[0]!);
        let size = this.ctx.config.maxStrlen;
        if (args[1]) {
          const lit = this.literal(args[1]);
          const lt = this.types.get(args[1]);
          if (lit !== undefined) size = Math.min(size, Math.max(0, lit));
          else if (lt?.kind !== 'int') this.error(`buf() expects an integer length (${lt ? typeName(lt) : 'none'} provided)`, c);
        } else if (t.kind === 'array') size = sizeOf(t);
        // A struct field's own bytes, not the string type it reads as.
        else if (t.kind === 'string') size = (args[0]!.kind === 'FieldAccess' ? this.ctx.types.cfields.get(args[0]!)?.storageSize : undefined) ?? t.size;
        else this.error(`buf() expects a length argument for non-array type ${typeName(t)}`, c);
        return { kind: 'buffer', size };
      }
      case 'reg': {
        if (!this.nargs(c, 1, 1)) return U64;
        const r = args[0]!;
        if (r.kind !== 'StringLiteral') this.error('reg() expects a string literal as the first argument', c);
        else if (!(r.value in PT_REGS)) this.error(`${r.value} is not a valid register`, r);
        else this.set(r, string(Buffer.byteLength(r.value) + 1));
        if (this.ep.argsKind !== 'pt_regs') this.error(`reg can not be used with "${this.ep.target.kind}" probes`, c);
        return U64;
      }
      case 'pid':
      case 'tid': {
        // `pid(curr_ns)` (the default) or `pid(init)`: the id in bpfkit's PID namespace or the initial one.
        if (!this.nargs(c, 0, 1)) return this.builtin(c.name, c);
        const m = args[0];
        if (m && !(m.kind === 'Identifier' && (m.name === 'curr_ns' || m.name === 'init'))) {
          this.error(`${c.name}() only supports curr_ns and init as the argument`, c);
        }
        if (m) this.set(m, NONE);
        return this.builtin(c.name, c);
      }
      case 'nsecs': {
        if (!this.nargs(c, 0, 1)) return U64;
        const m = args[0];
        if (m && !(m.kind === 'Identifier' && ['boot', 'monotonic', 'tai', 'sw_tai'].includes(m.name))) {
          this.error('Invalid timestamp mode: valid modes are boot, monotonic, tai and sw_tai', m);
        }
        if (m) this.set(m, NONE);
        return U64;
      }
      default:
        for (const a of args) this.expr(a);
        this.error(`Unknown function: '${c.name}'`, c);
        return NONE;
    }
  }

  /** `delete(@m, k)` / `has_key(@m, k)`: k keys the map like `@m[k]`. */
  private keyedAccess(name: string, key: A.Expression, node: Node): void {
    let keys = key.kind === 'Tuple' ? key.elements.map((x) => this.keyPart(x)) : [this.keyPart(key)];
    const flattened = keys.length === 1 && keys[0]!.kind === 'tuple';
    if (flattened) keys = [...(keys[0] as Extract<SizedType, { kind: 'tuple' }>).elements].map((t) => (t.kind === 'int' ? widen(t) : t));
    else if (keys.length !== 1 || keys[0]!.kind !== 'int') this.set(key, keys.length === 1 ? keys[0]! : tuple(keys));
    const cur = this.ctx.types.mapKeys.get(name);
    if (cur === undefined) {
      this.error(`Undefined map: ${name}`, node);
      return;
    }
    if (cur.length !== keys.length || keys.some((k, i) => promote(cur[i]!, k) === undefined)) {
      const show = (ks: SizedType[]) => (ks.length === 1 ? typeName(ks[0]!) : typeName(tuple(ks)));
      this.error(`Argument mismatch for ${name}: trying to access with arguments: '${show(keys)}' when map expects arguments: '${show(cur)}'`, node);
    }
  }
}

const scriptEnumCache = new WeakMap<CompileContext, EnumInfo[]>();

/** Config values `config()` reads that the compile's config does not carry (bpftrace's defaults). */
const CONFIG_DEFAULTS: Readonly<Record<string, string | number | boolean>> = {
  cpp_demangle: true,
  lazy_symbolication: false,
  log_size: 1000000,
  max_bpf_progs: 1024,
  max_cat_bytes: 10240,
  max_probes: 1024,
  max_type_res_iterations: 0,
  missing_probes: 'error',
  on_stack_limit: 32,
  str_trunc_trailer: '..',
  license: 'GPL',
};

/** Constants from kernel headers that BTF does not carry (they are #defines there). */
const WELL_KNOWN: Readonly<Record<string, number>> = {
  AF_UNSPEC: 0, AF_UNIX: 1, AF_LOCAL: 1, AF_INET: 2, AF_INET6: 10, AF_NETLINK: 16, AF_PACKET: 17,
  TASK_RUNNING: 0, TASK_INTERRUPTIBLE: 1, TASK_UNINTERRUPTIBLE: 2,
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_TRUNC: 0o1000, O_APPEND: 0o2000,
  // <errno.h>
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10, EAGAIN: 11,
  EWOULDBLOCK: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19,
  ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28,
  ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37,
  ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40, ENODATA: 61, ETIME: 62, EOVERFLOW: 75, EOPNOTSUPP: 95, ENOTSUP: 95,
  EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETUNREACH: 101, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107,
  ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115,
};

/** x86-64 struct pt_regs: byte offsets of the registers reg() can read. */
export const PT_REGS: Readonly<Record<string, number>> = {
  r15: 0, r14: 8, r13: 16, r12: 24, bp: 32, bx: 40, r11: 48, r10: 56, r9: 64, r8: 72, ax: 80, cx: 88, dx: 96,
  si: 104, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160,
};

/** An integer expression of literals (`1 + 1`), or undefined. */
function constantValue(e: A.Expression): bigint | undefined {
  if (e.kind === 'IntegerLiteral') return e.value;
  if (e.kind === 'Unary' && e.op === '-') {
    const v = constantValue(e.operand);
    return v === undefined ? undefined : -v;
  }
  if (e.kind !== 'Binary') return undefined;
  const l = constantValue(e.left);
  const r = constantValue(e.right);
  if (l === undefined || r === undefined) return undefined;
  switch (e.op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0n ? undefined : l / r;
    case '%':
      return r === 0n ? undefined : l % r;
    default:
      return undefined;
  }
}

/** A statement after which nothing in its block runs: exit() and the jumps. */
function endsControl(s: A.Statement): boolean {
  if (s.kind === 'Jump') return true;
  return s.kind === 'ExprStatement' && s.expr.kind === 'Call' && s.expr.name === 'exit';
}

function isParserBuiltinName(name: string): boolean {
  return ['pid', 'tid', 'nsecs', 'args', 'ctx'].includes(name) || /^arg[0-9]+$/.test(name);
}

export function mapName(e: A.MapRef | A.MapAccess): string {
  return e.kind === 'MapRef' ? e.name : e.map.name;
}

/** bpftrace's name for the args struct of a tracepoint. */
export function argsStructName(ep: ExpandedProbe): string {
  const t = ep.target;
  if (t.kind === 'tracepoint') return `struct _tracepoint_${t.category}_${t.event}`;
  if (t.kind === 'rawtracepoint') return `struct rawtracepoint_${t.name}_args`;
  return 'struct args';
}

/** C's usual arithmetic conversions on 64-bit values: unsigned only when both are unsigned. */
function arith(l: SizedType, r: SizedType): SizedType {
  const ls = l.kind === 'int' && l.signed;
  const rs = r.kind === 'int' && r.signed;
  return ls || rs ? I64 : U64;
}

function argKind(t: SizedType): ArgKind {
  switch (t.kind) {
    case 'int':
      return 'integer';
    case 'bool':
      return 'bool';
    case 'pointer':
      return 'pointer';
    case 'buffer':
      return 'buffer';
    case 'none':
    case 'void':
      return 'none';
    default:
      return 'other';
  }
}

function describe(e: A.Expression): string {
  return e.kind === 'Call' ? `${e.name}()` : e.kind;
}

function describeType(t: A.Typeof): string {
  const ty = t.type;
  if (!ty) return 'typeof';
  if (ty.kind === 'NamedType') return ty.name;
  if (ty.kind === 'RecordType') return `${ty.keyword} ${ty.name}`;
  return ty.kind;
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

export function signalNumber(name: string): number | undefined {
  const n = name.startsWith('SIG') ? name : `SIG${name}`;
  return SIGNALS[n];
}

/** C's integer type names, by width and sign (`(int *)arg0`). */
const C_INTS: Readonly<Record<string, readonly [8 | 16 | 32 | 64, boolean]>> = {
  'signed char': [8, true], 'unsigned char': [8, false],
  short: [16, true], 'short int': [16, true], 'unsigned short': [16, false], 'unsigned short int': [16, false],
  int: [32, true], signed: [32, true], 'signed int': [32, true], unsigned: [32, false], 'unsigned int': [32, false],
  long: [64, true], 'long int': [64, true], 'unsigned long': [64, false], 'unsigned long int': [64, false],
  'long long': [64, true], 'long long int': [64, true], 'unsigned long long': [64, false], 'unsigned long long int': [64, false],
};

/** Where the C library's headers give this machine's syscall numbers (`#define __NR_read 0`). */
const UNISTD_HEADERS = ['/usr/include/x86_64-linux-gnu/asm/unistd_64.h', '/usr/include/aarch64-linux-gnu/asm/unistd.h', '/usr/include/asm/unistd_64.h', '/usr/include/asm-generic/unistd.h'];

let syscallTable: Map<string, bigint> | undefined;

/** `__NR_*` constants from the system's headers (bpftrace gets them by including <syscall.h>); empty without them. */
function syscallNumbers(): Map<string, bigint> {
  if (syscallTable) return syscallTable;
  syscallTable = new Map();
  for (const path of UNISTD_HEADERS) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/^#define\s+(__NR_\w+)\s+(\d+)\s*$/gm)) syscallTable.set(m[1]!, BigInt(m[2]!));
    if (syscallTable.size > 0) break;
  }
  return syscallTable;
}
