// Resource allocation: one kernel map per user map (layout by its key and value types and aggregation kind),
// the internal maps (ring buffer, event-loss counter, scratch, stack traces), and an event id with its wire
// layout for every call that sends a record to user space.
import { MapType } from '../../sys/uapi.js';
import type * as A from '../ast/index.js';
import type { Node } from '../ast/node.js';
import { walk } from '../walk.js';
import {
  EVENT_LOSS_MAP,
  GLOBALS_LAYOUT,
  GLOBALS_MAP,
  JOIN_ARG_SIZE,
  JOIN_MAX_ARGS,
  RINGBUF_MAP,
  SCRATCH_MAP,
  STACK_MAP_PREFIX,
  STACK_BUILD_ID_FLAG,
  STACK_BUILD_ID_FRAME_SIZE,
  stackMapName,
  eventLayout,
  type EventDef,
  type MapDef,
} from '../codegen/artifact.js';
import { I64, U64, isAggregation, promote, roundUp, sizeOf, structLayout, tuple, widen, type SizedType } from '../types.js';
import type { CompileContext } from './context.js';
import { sourceSite, type SourceSite } from '../diagnostics.js';

/** The map types a declaration can name (bpftrace's). */
export const DECLARED_MAP_TYPES: Readonly<Record<string, MapDef['type']>> = {
  hash: MapType.HASH,
  lruhash: MapType.LRU_HASH,
  percpuhash: MapType.PERCPU_HASH,
  percpulruhash: MapType.LRU_PERCPU_HASH,
};

/** Aggregations whose keyless maps are per-CPU arrays (see allocateResources). */
const SCALAR_ARRAY_AGGREGATIONS: ReadonlySet<string> = new Set(['count', 'sum', 'min', 'max', 'avg', 'stats']);

/** A node's range, then the macro calls it was expanded from (innermost first). */
export function sourceSites(ctx: CompileContext, node: Node): SourceSite[] {
  return [node.range, ...(ctx.expansions.get(node) ?? [])].map(sourceSite);
}

/** Bytes of a map's key before any hist bucket (keyless maps use a u64 0). */
export function keyBytes(keys: readonly SizedType[]): number {
  if (keys.length === 0) return 8;
  if (keys.length === 1) return sizeOf(keys[0]!);
  return structLayout(keys).size;
}

export function keyType(keys: readonly SizedType[]): SizedType {
  return keys.length === 0 ? U64 : keys.length === 1 ? keys[0]! : tuple(keys);
}

export function allocateResources(ctx: CompileContext): void {
  const maps: MapDef[] = [];
  const maxEntries = Math.max(1, ctx.config.maxMapKeys);
  const names = [...ctx.types.mapValues.keys()].sort();
  const decls = new Map<string, A.MapDecl>();
  for (const item of ctx.program.items) if (item.kind === 'MapDecl') decls.set(item.name, item);
  for (const name of names) {
    const value = ctx.types.mapValues.get(name)!;
    const keys = ctx.types.mapKeys.get(name) ?? [];
    const kb = keyBytes(keys);
    const agg = isAggregation(value) ? value.kind : 'value';
    let type: MapDef['type'] = MapType.HASH;
    let keySize = kb;
    let valueSize = Math.max(1, sizeOf(value));
    if (agg === 'hist' || agg === 'lhist' || agg === 'tseries') {
      type = MapType.PERCPU_HASH;
      keySize = roundUp(kb, 8) + 8;
      valueSize = agg === 'tseries' ? 24 : 8;
    } else if (agg !== 'value') {
      type = MapType.PERCPU_HASH;
    }
    // `let @m = lruhash(100);` picks the kernel map type and its size.
    const decl = decls.get(name);
    const declared = decl === undefined ? undefined : DECLARED_MAP_TYPES[decl.mapType];
    if (declared !== undefined) type = declared;
    // A keyless count/sum/min/max/avg/stats map is a one-slot per-CPU array: the verifier inlines an array
    // lookup, where a hash lookup is a helper call that hashes the key. An array slot always exists, so each
    // CPU's value ends with a u64 written flag (set by every update, and by zero()) that tells a slot never
    // written (or deleted, or cleared) from one that holds zeros.
    const scalarArray = keys.length === 0 && declared === undefined && SCALAR_ARRAY_AGGREGATIONS.has(agg);
    let presentOffset: number | undefined;
    if (scalarArray) {
      type = MapType.PERCPU_ARRAY;
      keySize = 4;
      presentOffset = roundUp(valueSize, 8);
      valueSize = presentOffset + 8;
    }
    maps.push({
      name,
      type,
      keySize,
      valueSize,
      maxEntries:
        decl !== undefined ? Math.max(1, Number(decl.maxEntries)) : keys.length === 0 && agg !== 'hist' && agg !== 'lhist' && agg !== 'tseries' ? 1 : maxEntries,
      user: { name, keyTypes: keys, keyBytes: scalarArray ? 4 : kb, valueType: value, aggregation: agg, presentOffset },
    });
  }
  maps.push({ name: RINGBUF_MAP, type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: ctx.config.perfRbPages * 4096, user: undefined });
  maps.push({ name: GLOBALS_MAP, type: MapType.ARRAY, keySize: 4, valueSize: GLOBALS_LAYOUT.size, maxEntries: 1, user: undefined });
  maps.push({ name: EVENT_LOSS_MAP, type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, user: undefined });
  // The scratch map's value size is set by the code generator once it knows the largest frame.
  maps.push({ name: SCRATCH_MAP, type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: Math.max(1, ctx.options.cpus ?? 1), user: undefined });

  const events: EventDef[] = [];
  const eventOf = new Map<Node, number>();
  const stackDepths = new Set<string>();
  for (const probe of ctx.program.probes) {
    walk(probe, {
      enter: (n) => {
        if (n.kind === 'Call') {
          const def = eventFor(ctx, n as A.Call, events.length);
          if (def) {
            events.push(def);
            eventOf.set(n, def.id);
          }
        }
        const t = typeAnywhere(ctx, n);
        if (t?.kind === 'stack') stackDepths.add(stackMapName(t).slice(STACK_MAP_PREFIX.length));
        return undefined;
      },
    });
  }
  for (const s of [...stackDepths].sort()) {
    const depth = Number(s.slice(1));
    // `b` maps hold build_id stacks (see stackMapName): bigger frames and the build-id flag.
    const buildId = s.startsWith('b');
    maps.push({
      name: `${STACK_MAP_PREFIX}${s}`, type: MapType.STACK_TRACE, keySize: 4, valueSize: (buildId ? STACK_BUILD_ID_FRAME_SIZE : 8) * depth, maxEntries: 4096,
      ...(buildId ? { flags: STACK_BUILD_ID_FLAG } : {}), user: undefined,
    });
  }
  ctx.resources = { maps, events, eventOf };
}

/** A node's type in the first expanded probe that has it. */
function typeAnywhere(ctx: CompileContext, n: Node): SizedType | undefined {
  for (const m of ctx.types.nodeTypes.values()) {
    const t = m.get(n);
    if (t) return t;
  }
  return undefined;
}

/** A node's type promoted over every expanded probe (wildcard tracepoints may differ in field widths). */
export function typeAcross(ctx: CompileContext, n: Node): SizedType {
  let out: SizedType | undefined;
  for (const m of ctx.types.nodeTypes.values()) {
    const t = m.get(n);
    if (!t) continue;
    out = out === undefined ? t : (promote(out, t) ?? out);
  }
  return out ?? I64;
}

/** Wire type for a value: integers travel as 64-bit, as bpftrace's printf does; structs as records. */
function wireType(t: SizedType, ctx?: CompileContext): SizedType {
  if (t.kind === 'cstruct' && ctx) return recordOf(ctx, t);
  if (t.kind === 'int') return widen(t);
  if (t.kind === 'bool') return t;
  return t;
}

/** A struct value as the record it is sent as: its fields in order, their widths kept. */
function recordOf(ctx: CompileContext, t: SizedType): SizedType {
  if (t.kind !== 'cstruct') return t;
  const fields = ctx.scriptTypes().fields(t) ?? [];
  return { kind: 'record', name: t.name, fields: fields.map((f) => ({ name: f.name, type: recordOf(ctx, f.field.type) })) };
}

function eventFor(ctx: CompileContext, c: A.Call, id: number): EventDef | undefined {
  const args = c.args as A.Expression[];
  switch (c.name) {
    case 'printf':
    case 'errorf':
    case 'warnf':
    case 'system':
    case 'cat':
    case 'debugf': {
      const fmt = args[0];
      if (fmt?.kind !== 'StringLiteral') return undefined;
      const types = args.slice(1).map((a) => wireType(typeAcross(ctx, a), ctx));
      const layout = eventLayout(types);
      const locations = c.name === 'errorf' || c.name === 'warnf' ? sourceSites(ctx, c) : [];
      return { id, kind: c.name, format: fmt.value, args: layout.args, size: layout.size, locations };
    }
    case 'print': {
      const a = args[0];
      if (!a) return undefined;
      if (a.kind === 'MapRef') {
        const layout = eventLayout([I64, I64]);
        return { id, kind: 'print_map', map: a.name, args: layout.args, size: layout.size };
      }
      const layout = eventLayout([wireType(typeAcross(ctx, a), ctx)]);
      return { id, kind: 'print_value', args: [layout.args[0]!], size: layout.size };
    }
    case 'clear':
    case 'zero': {
      const a = args[0];
      if (a?.kind !== 'MapRef') return undefined;
      return { id, kind: c.name, map: a.name, args: [], size: 8 };
    }
    case 'exit': {
      const layout = eventLayout([I64]);
      return { id, kind: 'exit', args: [layout.args[0]!], size: layout.size };
    }
    case 'join': {
      const sep = args[1];
      const layout = eventLayout([U64, { kind: 'array', element: { kind: 'string', size: JOIN_ARG_SIZE }, length: JOIN_MAX_ARGS }]);
      return { id, kind: 'join', separator: sep?.kind === 'StringLiteral' ? sep.value : ' ', args: [layout.args[0]!, layout.args[1]!], size: layout.size };
    }
    case 'time': {
      const f = args[0];
      return { id, kind: 'time', format: f?.kind === 'StringLiteral' ? f.value : '%H:%M:%S\n', args: [], size: 8 };
    }
    default:
      return undefined;
  }
}
