// Aggregation values (count, sum, min, max, avg, stats, hist, lhist) and the per-CPU merges.
// bpfkit keeps aggregations in per-CPU maps as bpftrace does; the reader collects one slot
// per CPU and merges them here before anything is printed.

export interface CountAggregate {
  readonly kind: 'count';
  /** u64, wrapped as the kernel's 64-bit adds wrap. */
  readonly value: bigint;
}

export interface SumAggregate {
  readonly kind: 'sum';
  readonly value: bigint;
  readonly signed: boolean;
}

export interface MinMaxAggregate {
  readonly kind: 'min' | 'max';
  readonly value: bigint;
  readonly signed: boolean;
  /** False when no CPU ever stored a value (prints as 0). */
  readonly isSet: boolean;
}

/** avg() and stats() keep a running total and a count; the average is total / count, truncated. */
export interface AvgAggregate {
  readonly kind: 'avg' | 'stats';
  readonly total: bigint;
  readonly count: bigint;
  readonly signed: boolean;
}

export interface HistAggregate {
  readonly kind: 'hist';
  /** hist()'s second argument: 2**bits buckets per power of two, 0..5. */
  readonly bits: number;
  /** Counts by bucket index as `histBucketIndex` numbers them; may be shorter than the full range. */
  readonly buckets: readonly bigint[];
}

export interface LhistAggregate {
  readonly kind: 'lhist';
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** Counts by bucket index as `lhistBucketIndex` numbers them. */
  readonly buckets: readonly bigint[];
}

/** tseries()'s fourth argument; `none` keeps the most recently written value of each interval. */
export type TseriesAggFunc = 'none' | 'avg' | 'sum' | 'min' | 'max';

export interface TseriesAggregate {
  readonly kind: 'tseries';
  readonly intervalNs: bigint;
  readonly numIntervals: number;
  readonly agg: TseriesAggFunc;
  readonly signed: boolean;
  /** Value by interval number (time in ns / intervalNs), one per interval the map still holds. */
  readonly points: ReadonlyMap<bigint, bigint>;
}

export type Aggregate =
  | CountAggregate
  | SumAggregate
  | MinMaxAggregate
  | AvgAggregate
  | HistAggregate
  | LhistAggregate
  | TseriesAggregate;

export type AggregateKind = Aggregate['kind'];

export class AggregateMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AggregateMergeError';
  }
}

function wrap(value: bigint, signed: boolean): bigint {
  return signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
}

/** count(): the per-CPU counters summed. */
export function mergeCount(perCpu: readonly bigint[]): CountAggregate {
  let total = 0n;
  for (const v of perCpu) total += v;
  return { kind: 'count', value: wrap(total, false) };
}

/** sum(): the per-CPU sums summed (each slot read as signed or unsigned 64-bit). */
export function mergeSum(perCpu: readonly bigint[], signed: boolean): SumAggregate {
  let total = 0n;
  for (const v of perCpu) total += wrap(v, signed);
  return { kind: 'sum', value: wrap(total, signed), signed };
}

export interface MinMaxSlot {
  readonly value: bigint;
  readonly isSet: boolean;
}

/** min()/max(): the smallest/largest of the CPUs that hold a value. */
export function mergeMinMax(kind: 'min' | 'max', perCpu: readonly MinMaxSlot[], signed: boolean): MinMaxAggregate {
  let best = 0n;
  let isSet = false;
  for (const slot of perCpu) {
    if (!slot.isSet) continue;
    const v = wrap(slot.value, signed);
    if (!isSet || (kind === 'max' ? v > best : v < best)) best = v;
    isSet = true;
  }
  return { kind, value: best, signed, isSet };
}

export interface AvgSlot {
  readonly total: bigint;
  readonly count: bigint;
}

/** avg()/stats(): totals and counts summed across CPUs. */
export function mergeAvg(kind: 'avg' | 'stats', perCpu: readonly AvgSlot[], signed: boolean): AvgAggregate {
  let total = 0n;
  let count = 0n;
  for (const slot of perCpu) {
    total += wrap(slot.total, signed);
    count += wrap(slot.count, signed);
  }
  return { kind, total: wrap(total, signed), count: wrap(count, signed), signed };
}

/** The integer average bpftrace prints: total / count truncated toward zero, 0 with no samples. */
export function average(agg: AvgAggregate): bigint {
  if (agg.count === 0n) return 0n;
  return wrap(agg.total / agg.count, agg.signed);
}

/** Bucket arrays added element-wise; the result is as long as the longest input. */
export function mergeBuckets(perCpu: readonly (readonly bigint[])[]): bigint[] {
  let length = 0;
  for (const b of perCpu) length = Math.max(length, b.length);
  const out = new Array<bigint>(length).fill(0n);
  for (const b of perCpu) {
    for (let i = 0; i < b.length; i++) out[i] = BigInt.asUintN(64, out[i]! + b[i]!);
  }
  return out;
}

export function mergeHist(bits: number, perCpu: readonly (readonly bigint[])[]): HistAggregate {
  return { kind: 'hist', bits, buckets: mergeBuckets(perCpu) };
}

export function mergeLhist(
  args: { min: number; max: number; step: number },
  perCpu: readonly (readonly bigint[])[],
): LhistAggregate {
  return { kind: 'lhist', min: args.min, max: args.max, step: args.step, buckets: mergeBuckets(perCpu) };
}

/** One CPU's slot of a tseries bucket: the value, its interval number, and the write time or sample count. */
export interface TseriesSlot {
  readonly value: bigint;
  readonly epoch: bigint;
  /** For `none`, when the value was written (latest wins); for `avg`, the number of samples. */
  readonly meta: bigint;
}

/**
 * One tseries bucket across CPUs, as bpftrace reduces it: slots of the latest interval are
 * combined by the aggregation (epoch 0 means never written); null when no CPU wrote it.
 */
export function mergeTseriesSlots(
  perCpu: readonly TseriesSlot[],
  agg: TseriesAggFunc,
  signed: boolean,
): { epoch: bigint; value: bigint } | null {
  const byEpoch = new Map<bigint, { value: bigint; meta: bigint }>();
  let latest = 0n;
  for (const slot of perCpu) {
    if (slot.epoch === 0n) continue;
    if (slot.epoch > latest) latest = slot.epoch;
    const v = wrap(slot.value, signed);
    const current = byEpoch.get(slot.epoch);
    if (current === undefined) {
      byEpoch.set(slot.epoch, { value: v, meta: slot.meta });
      continue;
    }
    switch (agg) {
      case 'none':
        if (slot.meta > current.meta) byEpoch.set(slot.epoch, { value: v, meta: slot.meta });
        break;
      case 'avg':
        byEpoch.set(slot.epoch, { value: wrap(current.value + v, signed), meta: current.meta + slot.meta });
        break;
      case 'sum':
        byEpoch.set(slot.epoch, { value: wrap(current.value + v, signed), meta: current.meta });
        break;
      case 'min':
      case 'max':
        if (agg === 'min' ? v < current.value : v > current.value) byEpoch.set(slot.epoch, { value: v, meta: current.meta });
        break;
    }
  }
  if (latest === 0n) return null;
  const last = byEpoch.get(latest)!;
  const value = agg === 'avg' && last.meta !== 0n ? wrap(last.value / last.meta, signed) : last.value;
  return { epoch: latest, value };
}

/** Merges two already-merged values of the same aggregation (e.g. two CPUs, or two snapshots). */
export function mergeAggregates(a: Aggregate, b: Aggregate): Aggregate {
  switch (a.kind) {
    case 'count':
      if (b.kind === 'count') return mergeCount([a.value, b.value]);
      break;
    case 'sum':
      if (b.kind === 'sum') return mergeSum([a.value, b.value], a.signed);
      break;
    case 'min':
    case 'max':
      if (b.kind === a.kind) return mergeMinMax(a.kind, [a, b], a.signed);
      break;
    case 'avg':
    case 'stats':
      if (b.kind === a.kind) return mergeAvg(a.kind, [a, b], a.signed);
      break;
    case 'hist':
      if (b.kind === 'hist' && b.bits === a.bits) return mergeHist(a.bits, [a.buckets, b.buckets]);
      break;
    case 'lhist':
      if (b.kind === 'lhist' && b.min === a.min && b.max === a.max && b.step === a.step) {
        return mergeLhist(a, [a.buckets, b.buckets]);
      }
      break;
    case 'tseries':
      // Merged intervals no longer carry what avg and `none` need; merge the slots instead.
      throw new AggregateMergeError('Cannot merge tseries aggregations: merge their per-CPU slots with mergeTseriesSlots');
  }
  throw new AggregateMergeError(`Cannot merge aggregations: ${a.kind} with ${b.kind} of different shape`);
}

/** The value an aggregation has before any sample (what print() shows for an empty scalar map). */
export function emptyAggregate(template: Aggregate): Aggregate {
  switch (template.kind) {
    case 'count':
      return { kind: 'count', value: 0n };
    case 'sum':
      return { kind: 'sum', value: 0n, signed: template.signed };
    case 'min':
    case 'max':
      return { kind: template.kind, value: 0n, signed: template.signed, isSet: false };
    case 'avg':
    case 'stats':
      return { kind: template.kind, total: 0n, count: 0n, signed: template.signed };
    case 'hist':
      return { kind: 'hist', bits: template.bits, buckets: [] };
    case 'lhist':
      return { kind: 'lhist', min: template.min, max: template.max, step: template.step, buckets: [] };
    case 'tseries':
      return { ...template, points: new Map() };
  }
}

/**
 * The bucket hist(n, bits) puts n in, exactly as bpftrace's generated log2 function numbers it:
 * 0 for n < 0; 1 + n for 0 <= n < 2**bits; otherwise 1 + ((l + 1) << bits) + the `bits` bits
 * after the leftmost 1, where l is that bit's position minus bits.
 */
export function histBucketIndex(n: bigint, bits: number): number {
  const v = BigInt.asIntN(64, n);
  if (v < 0n) return 0;
  const k = BigInt(bits);
  const mask = (1n << k) - 1n;
  if (v <= mask) return Number(v) + 1;
  const l = BigInt(v.toString(2).length - 1) - k;
  const x = (v >> l) & mask;
  return Number(((l + 1n) << k) + x + 1n);
}

/** The number of hist buckets for `bits` (index 0 for negatives up to the one holding 2**63 - 1). */
export function histBucketCount(bits: number): number {
  return histBucketIndex((1n << 63n) - 1n, bits) + 1;
}

/**
 * The bucket lhist(n, min, max, step) puts n in, as bpftrace's generated function does:
 * 0 below min, 1 + (max - min) / step above max, else 1 + (n - min) / step (integer division).
 */
export function lhistBucketIndex(n: bigint, min: number, max: number, step: number): number {
  const v = BigInt.asIntN(64, n);
  const lo = BigInt(min);
  const hi = BigInt(max);
  const s = BigInt(step);
  if (v < lo) return 0;
  if (v > hi) return Number(1n + (hi - lo) / s);
  return Number(1n + (v - lo) / s);
}

/** The number of lhist buckets: the in-range ones plus the under- and overflow buckets. */
export function lhistBucketCount(min: number, max: number, step: number): number {
  return Math.trunc((max - min) / step) + 2;
}
