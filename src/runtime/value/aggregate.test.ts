import { describe, expect, it } from 'vitest';
import {
  AggregateMergeError,
  average,
  emptyAggregate,
  histBucketCount,
  histBucketIndex,
  lhistBucketCount,
  lhistBucketIndex,
  mergeAggregates,
  mergeAvg,
  mergeBuckets,
  mergeCount,
  mergeMinMax,
  mergeSum,
} from './aggregate.js';

describe('hist bucket numbering (master src/ast/passes/codegen_llvm.cpp createLog2Function)', () => {
  it('matches the worked example: 225 with k = 2 is bucket 28', () => {
    expect(histBucketIndex(225n, 2)).toBe(28);
  });

  it('puts negatives in 0, small values one per bucket, then powers of two', () => {
    expect([-5n, -1n, 0n, 1n, 2n, 3n, 4n, 7n, 8n, 1023n, 1024n].map((v) => histBucketIndex(v, 0))).toEqual([
      0, 0, 1, 2, 3, 3, 4, 4, 5, 11, 12,
    ]);
    // k = 3: 0..7 one per bucket (1..8), then 8 buckets per power of two.
    expect([0n, 7n, 8n, 9n, 15n, 16n, 17n, 18n].map((v) => histBucketIndex(v, 3))).toEqual([1, 8, 9, 10, 16, 17, 17, 18]);
  });

  it('sizes the bucket array to hold the largest int64', () => {
    expect(histBucketCount(0)).toBe(histBucketIndex(0x7fffffffffffffffn, 0) + 1);
    expect(histBucketIndex(0x7fffffffffffffffn, 0)).toBe(64);
  });
});

describe('lhist bucket numbering (master createLinearFunction)', () => {
  it('uses 0 below min, one bucket per step, and the last for max and above', () => {
    // min 5, max 25, step 4: index 1 + (v - 5) / 4 inside, 1 + (25 - 5) / 4 = 6 at max and above.
    expect([-3n, 4n, 5n, 8n, 9n, 24n, 25n, 26n, 1000n].map((v) => lhistBucketIndex(v, 5, 25, 4))).toEqual([
      0, 0, 1, 1, 2, 5, 6, 6, 6,
    ]);
    expect(lhistBucketCount(5, 25, 4)).toBe(7);
  });
});

describe('per-CPU merges', () => {
  it('sums counts and sums, wrapping at 64 bits', () => {
    expect(mergeCount([1n, 2n, 3n]).value).toBe(6n);
    expect(mergeCount([0xffffffffffffffffn, 2n]).value).toBe(1n);
    expect(mergeSum([10n, -20n], true).value).toBe(-10n);
    expect(mergeSum([0xfffffffffffffff6n, 5n], true).value).toBe(-5n);
  });

  it('ignores CPUs without a min/max value', () => {
    const slots = [
      { value: 0n, isSet: false },
      { value: 5n, isSet: true },
      { value: -4n, isSet: true },
    ];
    expect(mergeMinMax('min', slots, true)).toEqual({ kind: 'min', value: -4n, signed: true, isSet: true });
    expect(mergeMinMax('max', slots, true).value).toBe(5n);
    expect(mergeMinMax('max', [{ value: 9n, isSet: false }], true)).toMatchObject({ value: 0n, isSet: false });
  });

  // master src/util/stats.h stats_value: per-CPU totals and counts are summed, then the signed
  // total is divided by the count in C++ (truncating toward zero); no entries give 0.
  it('averages by integer division truncating toward zero', () => {
    // -19 / 3 = -6.33...: -6, where flooring would give -7.
    expect(average(mergeAvg('stats', [{ total: -23n, count: 2n }, { total: 0n, count: 0n }, { total: 4n, count: 1n }], true))).toBe(-6n);
    // -20 / 6 = -3.33...: -3.
    expect(average(mergeAvg('avg', [{ total: -20n, count: 6n }], true))).toBe(-3n);
    expect(average(mergeAvg('avg', [], true))).toBe(0n);
  });

  it('adds buckets element-wise across CPUs of different lengths', () => {
    expect(mergeBuckets([[1n, 2n], [0n, 1n, 5n], []])).toEqual([1n, 3n, 5n]);
  });

  it('merges two aggregations of the same shape and refuses others', () => {
    expect(mergeAggregates({ kind: 'count', value: 2n }, { kind: 'count', value: 3n })).toEqual({ kind: 'count', value: 5n });
    expect(
      mergeAggregates({ kind: 'hist', bits: 0, buckets: [1n] }, { kind: 'hist', bits: 0, buckets: [0n, 2n] }),
    ).toEqual({ kind: 'hist', bits: 0, buckets: [1n, 2n] });
    expect(() => mergeAggregates({ kind: 'hist', bits: 0, buckets: [] }, { kind: 'hist', bits: 1, buckets: [] })).toThrow(
      AggregateMergeError,
    );
    expect(() => mergeAggregates({ kind: 'count', value: 1n }, { kind: 'sum', value: 1n, signed: true })).toThrow(
      'Cannot merge aggregations: count with sum',
    );
  });

  it('gives each aggregation its empty value', () => {
    expect(emptyAggregate({ kind: 'stats', total: 5n, count: 1n, signed: false })).toEqual({
      kind: 'stats', total: 0n, count: 0n, signed: false,
    });
  });
});
