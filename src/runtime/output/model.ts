// What renderers consume: a primitive value, or one of the shapes a map prints as. Map
// formatting (sorting, top/div, histogram buckets) happens once in format-map.ts, so the text
// and JSON renderers (and any later one) only lay things out.
import type { Value } from '../value/index.js';

export interface PrimitiveOutput {
  readonly kind: 'primitive';
  readonly value: Value;
}

/**
 * `labels[i]` is the exclusive upper bound of bucket i; when `counts` is one longer than
 * `labels`, the last bucket has no upper bound. `lowerBound` is the first bucket's lower bound,
 * or null when the first bucket is unbounded below.
 */
export interface HistogramOutput {
  readonly kind: 'histogram';
  readonly lowerBound: Value | null;
  readonly labels: readonly Value[];
  readonly counts: readonly bigint[];
}

export interface OrderedMapOutput {
  readonly kind: 'ordered-map';
  readonly entries: readonly (readonly [Value, OutputValue])[];
}

/** avg() and stats() results: printed like any map, but typed "stats" in JSON. */
export interface StatsOutput {
  readonly kind: 'stats';
  readonly value: OrderedMapOutput | PrimitiveOutput;
}

/** A tseries: one point per interval from the first with data, `none` where an interval has none. */
export interface TimeSeriesOutput {
  readonly kind: 'time-series';
  /** Interval start (ns since the Unix epoch) and value. */
  readonly points: readonly (readonly [bigint, Value])[];
}

export type OutputValue = PrimitiveOutput | HistogramOutput | OrderedMapOutput | StatsOutput | TimeSeriesOutput;

export function primitive(value: Value): PrimitiveOutput {
  return { kind: 'primitive', value };
}
