// Turning bucket counts into labelled histograms, with bpftrace's bucket labels:
// `[4, 8)`, `[1K, 2K)`, `[0]`, `(..., 0)`, `[100, ...)`.
import { int, symbol, type Value } from '../value/index.js';
import type { HistogramOutput } from './model.js';

const SUFFIXES = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

// The lower bound of log2 bucket `index` for 2**bits buckets per power of two, with a
// power-of-1024 suffix (16 -> "16", 2048 -> "2K").
function log2Label(index: number, bits: number): Value {
  const n = 1 << bits;
  const interval = index & (n - 1);
  let power = (index >> bits) - 1;
  const value = (1n << BigInt(power)) * BigInt(n + interval);
  const decade = Math.floor(power / 10);
  power -= 10 * decade;
  const text = ((1n << BigInt(power)) * BigInt(n + interval)).toString() + (SUFFIXES[decade] ?? '');
  return symbol(text, value);
}

function usedRange(counts: readonly bigint[]): [number, number] {
  let first = -1;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i]! > 0n) {
      if (first === -1) first = i;
      last = i;
    }
  }
  return [first, last];
}

/** hist(): buckets from the first to the last non-empty one, counts divided by `div`. */
export function buildLog2Histogram(buckets: readonly bigint[], bits: number, div = 1n): HistogramOutput {
  const [first, last] = usedRange(buckets);
  const labels: Value[] = [];
  const counts: bigint[] = [];
  if (first === -1) return { kind: 'histogram', lowerBound: null, labels, counts };
  const linearTop = 2 << bits;
  let lowerBound: Value | null = null;
  if (first !== 0) lowerBound = first - 1 <= linearTop ? int(first - 1) : log2Label(first - 1, bits);
  for (let i = first; i <= last; i++) {
    // Index 0 holds negatives; the first 2 * 2**bits indexes hold one value each, so
    // their upper bound is the index itself; later ones are ranges.
    labels.push(i <= linearTop ? int(i) : log2Label(i, bits));
    counts.push(buckets[i]! / div);
  }
  return { kind: 'histogram', lowerBound, labels, counts };
}

// lhist labels get K/M suffixes only when the step is a multiple of 1024, so that all
// bucket bounds of one histogram are written alike.
function linearLabel(bound: number, step: number): Value {
  const kilo = 1024;
  const mega = 1024 * 1024;
  if (step % kilo !== 0) return int(bound);
  let text: string;
  if (bound === 0) text = '0';
  else if (bound % mega === 0) text = `${bound / mega}M`;
  else if (bound % kilo === 0) text = `${bound / kilo}K`;
  else text = String(bound);
  return symbol(text, bound);
}

/** lhist(): buckets from the first to the last non-empty one. `div` does not apply, as in bpftrace. */
export function buildLinearHistogram(
  buckets: readonly bigint[],
  min: number,
  max: number,
  step: number,
): HistogramOutput {
  const [first, last] = usedRange(buckets);
  const labels: Value[] = [];
  const counts: bigint[] = [];
  if (first === -1) return { kind: 'histogram', lowerBound: null, labels, counts };
  const lowerBound = first !== 0 ? linearLabel(min + (first - 1) * step, step) : null;
  for (let i = first; i <= last; i++) {
    // The overflow bucket has no upper bound, so it gets no label.
    if (min + i * step <= max) labels.push(linearLabel(min + i * step, step));
    counts.push(buckets[i]!);
  }
  return { kind: 'histogram', lowerBound, labels, counts };
}
