// A map as read from the kernel at one moment: what print(@m) and the exit-time dump consume.
import type { Aggregate } from './aggregate.js';
import type { Value } from './value.js';

export type MapValue = Aggregate | Value;

export interface MapEntry {
  /** The key: one value, or a tuple for `@m[a, b]`. Ignored for scalar maps. */
  readonly key: Value;
  /** Per-CPU aggregations must already be merged (see aggregate.ts). */
  readonly value: MapValue;
}

export interface MapSnapshot {
  /** With the `@`: `@`, `@bytes`. */
  readonly name: string;
  /** True for maps used without keys (`@x = 1`); their single entry's key is ignored. */
  readonly scalar: boolean;
  /**
   * The entries in the order the kernel's map iteration returned them. Printing sorts stably,
   * so entries that compare equal keep this order, as they do in bpftrace for small maps.
   */
  readonly entries: readonly MapEntry[];
  /**
   * The value of an all-zero slot of the map's value type, decoded by the reader (for an
   * aggregation, its empty value). It stands for the value type when the map holds nothing:
   * print() shows it for an empty scalar map, and an empty avg/stats map still prints as a stats
   * map in JSON (`{"type": "stats", "data": {"@x": {}}}`). Always set it.
   */
  readonly zeroValue?: MapValue;
}

export function isAggregate(v: MapValue): v is Aggregate {
  switch (v.kind) {
    case 'count':
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
    case 'hist':
    case 'lhist':
    case 'tseries':
      return true;
    default:
      return false;
  }
}
