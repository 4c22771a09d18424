// From a map snapshot to what gets printed: bpftrace's ordering, print()'s `top` and `div`,
// histogram buckets, and avg/stats results.
import {
  average,
  int,
  isAggregate,
  record,
  uint,
  none,
  type Aggregate,
  type IntValue,
  type TseriesAggregate,
  type MapEntry,
  type MapSnapshot,
  type MapValue,
  type Value,
} from '../value/index.js';
import { buildLinearHistogram, buildLog2Histogram } from './hist.js';
import { valueText } from './primitive-text.js';
import {
  primitive,
  type HistogramOutput,
  type OrderedMapOutput,
  type OutputValue,
  type TimeSeriesOutput,
} from './model.js';

export interface FormatMapOptions {
  /** print(@m, top): keep only the last `top` entries after sorting (the largest); 0 keeps all. */
  readonly top?: number;
  /** print(@m, top, div): integer-divide values (and hist counts) by `div`; 0 means 1. */
  readonly div?: number;
}

// Integer division as the C++ does it for a value of this width and signedness.
function divideInt(v: IntValue, div: bigint): IntValue {
  if (div === 1n) return v;
  if (v.signed) {
    // The divisor is converted to the value's own width first (int32 / (int32)div).
    const d = BigInt.asIntN(v.bits, div);
    return int(d === 0n ? 0n : v.value / d, true, v.bits);
  }
  return uint(v.value / div, v.bits);
}

function divide(value: bigint, signed: boolean, div: bigint): bigint {
  const v = signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value);
  return v / div;
}

/** The printed value of one map slot; `stats` tells the caller to wrap the map as a stats map. */
export function formatSlot(
  value: MapValue,
  div = 1n,
): { value: Value | HistogramOutput | TimeSeriesOutput; stats: boolean } {
  if (!isAggregate(value)) {
    return { value: value.kind === 'int' ? divideInt(value, div) : value, stats: false };
  }
  if (value.kind === 'tseries') return { value: buildTimeSeries(value, latestWindow([value])), stats: false };
  return formatAggregate(value, div);
}

function formatAggregate(
  agg: Exclude<Aggregate, TseriesAggregate>,
  div: bigint,
): { value: Value | HistogramOutput; stats: boolean } {
  switch (agg.kind) {
    case 'count':
      return { value: uint(agg.value / div), stats: false };
    case 'sum':
    case 'min':
    case 'max':
      return { value: int(divide(agg.value, agg.signed, div), agg.signed), stats: false };
    case 'avg':
      return { value: int(divide(average(agg), agg.signed, div), agg.signed), stats: true };
    case 'stats':
      return {
        value: record([
          { name: 'count', value: int(agg.count, agg.signed) },
          { name: 'average', value: int(divide(average(agg), agg.signed, div), agg.signed) },
          { name: 'total', value: int(agg.total, agg.signed) },
        ]),
        stats: true,
      };
    case 'hist':
      return { value: buildLog2Histogram(agg.buckets, agg.bits, div), stats: false };
    case 'lhist':
      return { value: buildLinearHistogram(agg.buckets, agg.min, agg.max, agg.step), stats: false };
  }
}

function bucketTotal(agg: Aggregate): bigint {
  if (agg.kind !== 'hist' && agg.kind !== 'lhist') return 0n;
  let total = 0n;
  for (const c of agg.buckets) total += c;
  return total;
}

// The number each entry is ordered by, for maps ordered by value.
function valueSortKey(value: MapValue): bigint | null {
  if (!isAggregate(value)) {
    if (value.kind === 'int') return value.signed ? BigInt.asIntN(64, value.value) : BigInt.asUintN(64, value.value);
    return null;
  }
  switch (value.kind) {
    case 'count':
      return value.value;
    case 'sum':
      return value.signed ? BigInt.asIntN(64, value.value) : BigInt.asUintN(64, value.value);
    case 'min':
    case 'max':
      // bpftrace compares min/max as unsigned even when the values are signed.
      return BigInt.asUintN(64, value.value);
    case 'avg':
    case 'stats':
      return average(value);
    case 'hist':
    case 'lhist':
      return bucketTotal(value);
    case 'tseries':
      return null;
  }
}

/**
 * The bytes a key has in the kernel map, near enough to order keys as bpftrace's std::map of raw
 * keys does (it iterates hist and tseries maps in that order): integers little-endian at their
 * width, strings NUL-terminated, tuples field after field.
 */
function keyBytes(key: Value, out: number[] = []): number[] {
  switch (key.kind) {
    case 'int': {
      let v = BigInt.asUintN(key.bits, key.value);
      for (let i = 0; i < key.bits / 8; i++) {
        out.push(Number(v & 0xffn));
        v >>= 8n;
      }
      break;
    }
    case 'bool':
      out.push(key.value ? 1 : 0);
      break;
    case 'string':
      out.push(...Buffer.from(key.value, 'utf8'), 0);
      break;
    case 'buffer':
      out.push(...key.bytes);
      break;
    case 'symbol': {
      let v = BigInt.asUintN(64, key.numeric);
      for (let i = 0; i < 8; i++) {
        out.push(Number(v & 0xffn));
        v >>= 8n;
      }
      break;
    }
    case 'tuple':
      for (const e of key.elements) keyBytes(e, out);
      break;
    default:
      out.push(...Buffer.from(valueText(key), 'utf8'));
  }
  return out;
}

function byKeyBytes(entries: readonly MapEntry[]): MapEntry[] {
  const keyed = entries.map((e, i) => ({ e, i, k: Buffer.from(keyBytes(e.key)) }));
  keyed.sort((a, b) => Buffer.compare(a.k, b.k) || a.i - b.i);
  return keyed.map((x) => x.e);
}

type KeyPart = bigint | string | null;

// The parts of a key bpftrace orders by: integers (compared as signed at their width) and
// strings (compared bytewise); other kinds of key field do not take part.
function keySortParts(key: Value): KeyPart[] {
  const fields = key.kind === 'tuple' ? key.elements : [key];
  return fields.map((f) => {
    if (f.kind === 'int') return BigInt.asIntN(f.bits, f.value);
    // UTF-16 order, which is UTF-8 byte order except between astral and high BMP characters.
    if (f.kind === 'string') return f.value;
    return null;
  });
}

function compareKeyParts(a: KeyPart[], b: KeyPart[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === null || y === null) continue;
    if (typeof x === typeof y && x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * The entries in print order: hist/lhist maps by their total count, count/sum/min/max/avg/stats
 * and integer maps by value, all other maps by key. Ascending; stable. `top` keeps the last ones.
 */
export function sortEntries(snapshot: MapSnapshot, top = 0): MapEntry[] {
  let entries = snapshot.entries;
  const first = entries[0];
  // Histogram maps are read in key order before being ordered by count, which decides ties.
  if (first !== undefined && (first.value.kind === 'hist' || first.value.kind === 'lhist')) entries = byKeyBytes(entries);
  let sorted: MapEntry[];
  if (first !== undefined && valueSortKey(first.value) !== null) {
    const keyed = entries.map((e, i) => ({ e, i, k: valueSortKey(e.value) ?? 0n }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i));
    sorted = keyed.map((x) => x.e);
  } else {
    const keyed = entries.map((e, i) => ({ e, i, k: keySortParts(e.key) }));
    keyed.sort((a, b) => compareKeyParts(a.k, b.k) || a.i - b.i);
    sorted = keyed.map((x) => x.e);
  }
  if (top > 0 && sorted.length > top) sorted = sorted.slice(sorted.length - top);
  return sorted;
}

function toOutput(v: Value | HistogramOutput | TimeSeriesOutput): OutputValue {
  return v.kind === 'histogram' || v.kind === 'time-series' ? v : primitive(v);
}

/** The intervals (inclusive) a map's time series are shown over. */
export interface TseriesWindow {
  readonly first: bigint;
  readonly last: bigint;
}

// The intervals every series of a map is shown over: the last `numIntervals` up to the most
// recent interval any key has.
export function latestWindow(series: readonly TseriesAggregate[]): TseriesWindow {
  let last = -1n;
  for (const s of series) for (const epoch of s.points.keys()) if (epoch > last) last = epoch;
  if (last < 0n) last = 0xffffffffffffffffn;
  const n = BigInt(series[0]?.numIntervals ?? 1);
  // Unsigned arithmetic as in bpftrace: when the latest interval is younger than the window, the window's
  // start wraps past the end and the series shows nothing (a zero()ed map has only interval 0).
  return { first: BigInt.asUintN(64, last - n + 1n), last };
}

/** One series over the window, starting at its first interval with data. */
export function buildTimeSeries(agg: TseriesAggregate, window: TseriesWindow): TimeSeriesOutput {
  let firstWithData = window.last;
  for (const epoch of agg.points.keys()) {
    if (epoch >= window.first && epoch < firstWithData) firstWithData = epoch;
  }
  const points: [bigint, Value][] = [];
  for (let epoch = window.first; epoch <= window.last; epoch++) {
    if (epoch < firstWithData) continue;
    const v = agg.points.get(epoch);
    points.push([epoch * agg.intervalNs, v === undefined ? none : int(v, agg.signed)]);
  }
  return { kind: 'time-series', points };
}

function formatTseriesMap(snapshot: MapSnapshot): OutputValue {
  const entries = byKeyBytes(snapshot.entries);
  const series = entries.map((e) => e.value).filter((v): v is TseriesAggregate => v.kind === 'tseries');
  const window = latestWindow(series);
  const out: [Value, OutputValue][] = [];
  for (const entry of entries) {
    if (entry.value.kind !== 'tseries') continue;
    const ts = buildTimeSeries(entry.value, window);
    if (snapshot.scalar) return ts;
    out.push([entry.key, ts]);
  }
  return { kind: 'ordered-map', entries: out };
}

/**
 * The printed form of a whole map, as the exit-time dump prints it: a scalar map gives its one
 * value (or an empty ordered map when it holds nothing); a keyed map gives an ordered map; avg and
 * stats maps come wrapped as stats.
 */
export function formatMap(snapshot: MapSnapshot, options: FormatMapOptions = {}): OutputValue {
  if ((snapshot.entries[0]?.value ?? snapshot.zeroValue)?.kind === 'tseries') return formatTseriesMap(snapshot);
  const div = BigInt(options.div && options.div > 0 ? options.div : 1);
  const entries = sortEntries(snapshot, options.top ?? 0);
  const out: [Value, OutputValue][] = [];
  let stats = false;
  for (const entry of entries) {
    const slot = formatSlot(entry.value, div);
    stats = slot.stats;
    if (snapshot.scalar) {
      const v = toOutput(slot.value);
      return slot.stats && v.kind === 'primitive' ? { kind: 'stats', value: v } : v;
    }
    out.push([entry.key, toOutput(slot.value)]);
  }
  if (out.length === 0 && isStatsKind(snapshot.zeroValue)) stats = true;
  const map: OrderedMapOutput = { kind: 'ordered-map', entries: out };
  return stats ? { kind: 'stats', value: map } : map;
}

function isStatsKind(v: MapValue | undefined): boolean {
  return v !== undefined && (v.kind === 'avg' || v.kind === 'stats');
}

/**
 * The printed form for print(@m): like formatMap, except that a scalar map holding nothing prints
 * its zero value (`@: 0`, `@: { .count = 0, .average = 0, .total = 0 }`), as bpftrace does.
 * Scalar hist/lhist maps holding nothing still print nothing.
 */
export function formatMapForPrint(snapshot: MapSnapshot, options: FormatMapOptions = {}): OutputValue {
  const result = formatMap(snapshot, options);
  if (!snapshot.scalar) return result;
  const empty =
    (result.kind === 'ordered-map' && result.entries.length === 0) ||
    (result.kind === 'stats' && result.value.kind === 'ordered-map' && result.value.entries.length === 0);
  if (!empty) return result;
  const zero = snapshot.zeroValue ?? uint(0);
  if (zero.kind === 'hist' || zero.kind === 'lhist' || zero.kind === 'tseries') return result;
  const slot = formatSlot(zero);
  const v = toOutput(slot.value);
  return slot.stats && v.kind === 'primitive' ? { kind: 'stats', value: v } : v;
}
