// Reading a user map out of the kernel into a MapSnapshot: keys decoded by their types, per-CPU aggregation
// slots merged, hist/lhist bucket entries gathered under their key.
import type { BpfMap } from '../kernel/map.js';
import type { MapDef, UserMapInfo } from '../lang/codegen/artifact.js';
import { roundUp, structLayout, type SizedType } from '../lang/types.js';
import { decodeValue, readI64, readU64, type DecodeContext } from './decode.js';
import {
  emptyAggregate,
  mergeAvg,
  mergeCount,
  mergeHist,
  mergeLhist,
  mergeMinMax,
  mergeSum,
  mergeTseriesSlots,
  none,
  tuple,
  type Aggregate,
  type MapEntry,
  type TseriesAggregate,
  type MapSnapshot,
  type MapValue,
  type Value,
} from './value/index.js';

/** The printable name of a map (`@x`, `@`). */
export function mapDisplayName(def: MapDef): string {
  return def.user?.name ?? def.name;
}

function decodeKey(info: UserMapInfo, key: Uint8Array, ctx: DecodeContext): Value {
  const types = info.keyTypes;
  if (types.length === 0) return none;
  if (types.length === 1) return decodeValue(types[0]!, key, 0, ctx);
  const layout = structLayout(types);
  return tuple(...types.map((t, i) => decodeValue(t, key, layout.offsets[i]!, ctx)));
}

function slotsOf(map: BpfMap, raw: Uint8Array): Uint8Array[] {
  return map.isPerCpu ? map.splitPerCpu(raw) : [raw];
}

function aggregateTemplate(t: SizedType): Aggregate | undefined {
  switch (t.kind) {
    case 'count':
      return { kind: 'count', value: 0n };
    case 'sum':
      return { kind: 'sum', value: 0n, signed: t.signed };
    case 'min':
    case 'max':
      return { kind: t.kind, value: 0n, signed: t.signed, isSet: false };
    case 'avg':
    case 'stats':
      return { kind: t.kind, total: 0n, count: 0n, signed: t.signed };
    case 'hist':
      return { kind: 'hist', bits: t.bits, buckets: [] };
    case 'lhist':
      return { kind: 'lhist', min: t.min, max: t.max, step: t.step, buckets: [] };
    case 'tseries':
      return {
        kind: 'tseries',
        intervalNs: BigInt(t.intervalNs),
        numIntervals: t.numIntervals,
        agg: t.agg,
        signed: t.signed,
        points: new Map(),
      };
    default:
      return undefined;
  }
}

function mergeSlots(t: SizedType, slots: readonly Uint8Array[], ctx: DecodeContext): MapValue {
  switch (t.kind) {
    case 'count':
      return mergeCount(slots.map((s) => readU64(s, 0)));
    case 'sum':
      return mergeSum(slots.map((s) => readU64(s, 0)), t.signed);
    case 'min':
    case 'max':
      return mergeMinMax(t.kind, slots.map((s) => ({ value: readI64(s, 0), isSet: readU64(s, 8) !== 0n })), t.signed);
    case 'avg':
    case 'stats':
      return mergeAvg(t.kind, slots.map((s) => ({ total: readI64(s, 0), count: readU64(s, 8) })), t.signed);
    default:
      return decodeValue(t, slots[0]!, 0, ctx);
  }
}

/**
 * A tseries map holds one entry per (key, bucket); each bucket's per-CPU slots reduce to the value of its
 * latest interval. A bucket no CPU wrote in a known interval (epoch 0) still counts, as interval 0 holding
 * 0, as it does in bpftrace: so a zero()ed series has only interval 0 and prints no rows, and a series whose
 * interval 0 is real (a clock that starts at 0) shows 0 there.
 */
function readTseries(
  info: UserMapInfo,
  template: TseriesAggregate,
  map: BpfMap,
  raw: readonly [Uint8Array, Uint8Array][],
  ctx: DecodeContext,
): MapEntry[] {
  const groups = new Map<string, { key: Uint8Array; points: Map<bigint, bigint> }>();
  for (const [key, value] of raw) {
    const prefix = key.subarray(0, info.keyBytes);
    const id = Buffer.from(prefix).toString('hex');
    let g = groups.get(id);
    if (!g) {
      g = { key: prefix.slice(), points: new Map() };
      groups.set(id, g);
    }
    const slots = slotsOf(map, value).map((s) => ({ value: readI64(s, 0), meta: readU64(s, 8), epoch: readU64(s, 16) }));
    const reduced = mergeTseriesSlots(slots, template.agg, template.signed) ?? { epoch: 0n, value: 0n };
    // The first bucket read for an interval keeps it.
    if (!g.points.has(reduced.epoch)) g.points.set(reduced.epoch, reduced.value);
  }
  return [...groups.values()].map((g) => ({ key: decodeKey(info, g.key, ctx), value: { ...template, points: g.points } }));
}

/** Reads every entry of a user map now. */
export function readUserMap(def: MapDef, map: BpfMap, ctx: DecodeContext = {}): MapSnapshot {
  const info = def.user!;
  const name = mapDisplayName(def);
  const scalar = info.keyTypes.length === 0;
  const vt = info.valueType;
  const template = aggregateTemplate(vt);
  const zeroValue: MapValue = template ?? decodeValue(vt, new Uint8Array(Math.max(8, def.valueSize)), 0, ctx);
  const raw = map.readAll();
  const entries: MapEntry[] = [];
  if (vt.kind === 'hist' || vt.kind === 'lhist') {
    const bucketAt = roundUp(info.keyBytes, 8);
    const groups = new Map<string, { key: Uint8Array; buckets: bigint[] }>();
    for (const [key, value] of raw) {
      const prefix = key.subarray(0, info.keyBytes);
      const id = Buffer.from(prefix).toString('hex');
      let g = groups.get(id);
      if (!g) {
        g = { key: prefix.slice(), buckets: [] };
        groups.set(id, g);
      }
      const bucket = Number(readU64(key, bucketAt));
      let count = 0n;
      for (const s of slotsOf(map, value)) count += readU64(s, 0);
      while (g.buckets.length <= bucket) g.buckets.push(0n);
      g.buckets[bucket] = BigInt.asUintN(64, g.buckets[bucket]! + count);
    }
    for (const g of groups.values()) {
      const agg = vt.kind === 'hist' ? mergeHist(vt.bits, [g.buckets]) : mergeLhist(vt, [g.buckets]);
      entries.push({ key: decodeKey(info, g.key, ctx), value: agg });
    }
  } else if (template?.kind === 'tseries') {
    entries.push(...readTseries(info, template, map, raw, ctx));
  } else {
    for (const [key, value] of raw) {
      const slots = slotsOf(map, value);
      if (info.presentOffset !== undefined && !anyWritten(slots, info.presentOffset)) continue;
      entries.push({ key: decodeKey(info, key, ctx), value: mergeSlots(vt, slots, ctx) });
    }
  }
  return { name, scalar, entries, zeroValue: template ? emptyAggregate(template) : zeroValue };
}

/** Whether any CPU's slot of a one-slot per-CPU array map has its written flag set. */
function anyWritten(slots: readonly Uint8Array[], presentOffset: number): boolean {
  return slots.some((s) => readU64(s, presentOffset) !== 0n);
}

/** clear(@m): removes every entry (a one-slot array's slots are zeroed, which marks them unwritten). */
export function clearUserMap(map: BpfMap): void {
  map.clear();
}

/**
 * zero(@m): every entry's value becomes zero, its key kept. A one-slot array that was written keeps its
 * written flag, so it still prints (as 0).
 */
export function zeroUserMap(def: MapDef, map: BpfMap): void {
  const present = def.user?.presentOffset;
  if (present === undefined) {
    map.zero();
    return;
  }
  const key = new Uint8Array(def.keySize);
  const slots = map.lookupPerCpu(key);
  if (slots === undefined || !anyWritten(slots, present)) return;
  const value = new Uint8Array(def.valueSize);
  new DataView(value.buffer).setBigUint64(present, 1n, true);
  map.update(key, value);
}
