// Macro expansion: replaces calls of the script's `macro name(...) { ... }` (and bare names of zero-argument
// macros) with a copy of the macro's body: `x` parameters take the argument expression, `$x` and `@x`
// parameters name the caller's variable or map, and the body's own variables are renamed apart (hygiene).
import * as A from '../ast/index.js';
import { Node } from '../ast/node.js';
import type { CompileContext } from './context.js';
import { parse } from '../parser.js';

const MAX_DEPTH = 50;

/**
 * The parts of bpftrace's standard library that are macros over what the compiler already knows. It is parsed
 * as `stdlib/base.bt`, the name bpftrace's messages give (assert's errorf is at line 6, column 5, as there).
 */
const STDLIB_FILE = 'stdlib/base.bt';
const STDLIB = `// bpfkit's standard library: macros with bpftrace's names, over the builtins.
// assert(cond, msg) ends the script with exit code 1 when cond is false.
macro assert(cond, msg)
{
  if (!cond) {
    errorf("assert failed: %s", msg);
    exit(1);
  }
}
macro ppid(task) { task->real_parent->pid }
macro ppid() { curtask->real_parent->pid }
macro leader_tid(task) { task->group_leader->pid }
macro leader_tid() { curtask->group_leader->pid }
macro pcomm(task) { task->real_parent->comm }
macro pcomm() { curtask->real_parent->comm }
macro leader_comm(task) { task->group_leader->comm }
macro leader_comm() { curtask->group_leader->comm }
// container_of(ptr, typeof(T), member): the T whose member ptr points to.
macro container_of(ptr, type, member)
{
  $vptr = (void *)ptr;
  (type *)($vptr - offsetof(type, member))
}
`;

let stdlib: A.Macro[] | undefined;

function stdlibMacros(): A.Macro[] {
  stdlib ??= parse(STDLIB, STDLIB_FILE).program.items.filter((i): i is A.Macro => i.kind === 'Macro');
  return stdlib;
}

const CALLABLE_BUILTINS = new Set([
  'comm', 'cpu', 'ncpus', 'cgroup', 'curtask', 'elapsed', 'func', 'gid', 'uid', 'jiffies', 'probe', 'rand', 'retval',
  'cpid', 'usermode', 'numaid', 'username', 'probetype', 'config',
]);

export function expandMacros(ctx: CompileContext): void {
  const macros = new Map<string, A.Macro[]>();
  const add = (item: A.Macro) => {
    const list = macros.get(item.name) ?? [];
    // A script's macro overrides the standard library's of the same name and arity.
    if (!list.some((m) => m.params.length === item.params.length)) list.push(item);
    macros.set(item.name, list);
  };
  for (const item of ctx.program.items) if (item.kind === 'Macro') add(item);
  for (const item of stdlibMacros()) add(item);
  let counter = 0;
  const find = (name: string, arity: number): A.Macro | undefined => macros.get(name)?.find((m) => m.params.length === arity);

  const expand = (node: Node, depth: number): Node => {
    if (node.kind === 'Call') {
      const c = node as A.Call;
      const m = find(c.name, c.args.length);
      if (m) return instantiate(m, c.args, c, depth);
      // `comm()` is the builtin `comm` (bpftrace's standard library wraps builtins in macros).
      if (c.args.length === 0 && CALLABLE_BUILTINS.has(c.name)) return new A.Identifier(c.range, c.name);
      if (macros.has(c.name) && !isKnownFunction(c.name)) {
        ctx.diagnostics.error(`Call to macro '${c.name}' has the wrong number of arguments (${c.args.length} given)`, c.range);
        return node;
      }
    }
    if (node.kind === 'Identifier') {
      const m = find((node as A.Identifier).name, 0);
      if (m) return instantiate(m, [], node, depth);
    }
    rewriteChildren(node, (child) => expand(child, depth));
    return node;
  };

  const instantiate = (m: A.Macro, args: readonly Node[], site: Node, depth: number): Node => {
    if (depth >= MAX_DEPTH) {
      ctx.diagnostics.error(`Macro '${m.name}' expands recursively`, site.range);
      return site;
    }
    const id = counter++;
    const exprs = new Map<string, Node>();
    const vars = new Map<string, string>();
    const mapsByName = new Map<string, string>();
    m.params.forEach((p, i) => {
      const arg = args[i]!;
      if (p.kind === 'Identifier') exprs.set(p.name, arg);
      else if (p.kind === 'Variable') {
        if (arg.kind !== 'Variable') ctx.diagnostics.error(`Macro '${m.name}' expects a variable for ${p.name}`, arg.range);
        else vars.set(p.name, (arg as A.Variable).name);
      } else if (p.kind === 'MapRef') {
        if (arg.kind !== 'MapRef') ctx.diagnostics.error(`Macro '${m.name}' expects a map for ${p.name}`, arg.range);
        else mapsByName.set(p.name, (arg as A.MapRef).name);
      }
    });
    // Copies of the macro's own nodes remember where they were expanded (arguments keep the caller's).
    const chain = [site.range, ...(ctx.expansions.get(site) ?? [])];
    const substitute = (n: Node): Node => {
      if (n.kind === 'Identifier' && exprs.has((n as A.Identifier).name)) return clone(exprs.get((n as A.Identifier).name)!);
      // A parameter where a type is expected (`sizeof(t)`, `(t *)x`, `offsetof(t, f)`) takes a typeof() argument.
      if (n.kind === 'Typeof') {
        const t = n as A.Typeof;
        const arg = t.type?.kind === 'NamedType' ? exprs.get(t.type.name) : undefined;
        if (arg !== undefined) {
          // The argument's own nodes keep the caller's ranges; a typeof() made here is the macro's.
          if (arg.kind === 'Typeof') return clone(arg);
          const copy = new A.Typeof(t.range, undefined, clone(arg) as A.Expression);
          ctx.expansions.set(copy, chain);
          return copy;
        }
      }
      if (n.kind === 'NamedType' && exprs.has((n as A.NamedType).name)) {
        const arg = exprs.get((n as A.NamedType).name)!;
        if (arg.kind === 'Typeof' && (arg as A.Typeof).type !== undefined) return clone((arg as A.Typeof).type!);
        ctx.diagnostics.error(`Macro '${m.name}' expects a type for ${(n as A.NamedType).name}: pass typeof(...)`, arg.range);
        return n;
      }
      if (n.kind === 'Variable') {
        const v = n as A.Variable;
        const copy = clone(v) as A.Variable;
        copy.name = vars.get(v.name) ?? `${v.name}__m${id}`;
        ctx.expansions.set(copy, chain);
        return copy;
      }
      if (n.kind === 'MapRef' && mapsByName.has((n as A.MapRef).name)) {
        const copy = clone(n) as A.MapRef;
        copy.name = mapsByName.get((n as A.MapRef).name)!;
        ctx.expansions.set(copy, chain);
        return copy;
      }
      const copy = shallowClone(n);
      ctx.expansions.set(copy, chain);
      // offsetof(t, member) names its fields with words, which a parameter given a bare name replaces.
      if (copy.kind === 'Offsetof') {
        const o = copy as A.Offsetof;
        o.fields = o.fields.map((f) => {
          const arg = exprs.get(f);
          return arg?.kind === 'Identifier' ? (arg as A.Identifier).name : f;
        });
      }
      rewriteChildren(copy, substitute);
      // typeof(p) with p given typeof(T) is typeof(T) itself.
      const inner: Node | undefined = copy.kind === 'Typeof' ? (copy as A.Typeof).expr : undefined;
      if (inner?.kind === 'Typeof') return inner;
      return copy;
    };
    let body = substitute(m.body);
    // A body that is only a value (`macro cpu() { "hi" }`) expands to that value itself, so that it can stand
    // where a literal must (printf's format).
    if (body.kind === 'BlockExpr' && (body as A.BlockExpr).statements.length === 0 && (body as A.BlockExpr).tail) body = (body as A.BlockExpr).tail!;
    return expand(body, depth + 1);
  };

  for (const probe of ctx.program.probes) {
    if (probe.predicate) probe.predicate = expand(probe.predicate, 0) as A.Expression;
    probe.body = expand(probe.body, 0) as A.BlockExpr;
  }
}

/** Functions that are never macros, whatever the script defines (so that errors name the right thing). */
function isKnownFunction(name: string): boolean {
  return ['printf', 'print', 'exit', 'count', 'sum', 'hist', 'lhist', 'str'].includes(name);
}

function shallowClone<T extends Node>(n: T): T {
  const copy = Object.create(Object.getPrototypeOf(n) as object) as T;
  for (const k of Object.keys(n)) (copy as unknown as Record<string, unknown>)[k] = (n as unknown as Record<string, unknown>)[k];
  for (const k of Object.keys(copy)) {
    const v = (copy as unknown as Record<string, unknown>)[k];
    if (Array.isArray(v)) (copy as unknown as Record<string, unknown>)[k] = v.slice();
  }
  return copy;
}

function clone<T extends Node>(n: T): T {
  const copy = shallowClone(n);
  rewriteChildren(copy, (c) => clone(c));
  return copy;
}

/** Replaces every child node held in a field (or in an array field) of node with f(child). */
function rewriteChildren(node: Node, f: (child: Node) => Node): void {
  const rec = node as unknown as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    if (k === 'range') continue;
    const v = rec[k];
    if (v instanceof Node) rec[k] = f(v);
    else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] instanceof Node) v[i] = f(v[i] as Node);
    }
  }
}
