import { describe, expect, it } from 'vitest';
import { int, str, tuple, uint, type MapSnapshot, type Value } from '../value/index.js';
import { formatMap, formatMapForPrint, sortEntries } from './format-map.js';

function snap(entries: [Value, MapSnapshot['entries'][number]['value']][]): MapSnapshot {
  return { name: '@', scalar: false, entries: entries.map(([key, value]) => ({ key, value })) };
}

// Ordering rules from master src/types_format.cpp format(map) and sort_by_key.
describe('map ordering', () => {
  it('orders integer values ascending, keeping map order on ties', () => {
    const m = snap([
      [str('a'), int(5)],
      [str('b'), int(-1)],
      [str('c'), int(5)],
      [str('d'), int(2)],
    ]);
    expect(sortEntries(m).map((e) => (e.key.kind === 'string' ? e.key.value : ''))).toEqual(['b', 'd', 'a', 'c']);
  });

  it('orders min/max values as unsigned, as bpftrace compares them', () => {
    const m = snap([
      [str('neg'), { kind: 'min', value: -1n, signed: true, isSet: true }],
      [str('pos'), { kind: 'min', value: 3n, signed: true, isSet: true }],
    ]);
    expect(sortEntries(m).map((e) => (e.key.kind === 'string' ? e.key.value : ''))).toEqual(['pos', 'neg']);
  });

  it('orders other maps by key: integer fields signed, strings bytewise, tuples field by field', () => {
    const m = snap([
      [tuple(int(2), str('a')), str('x')],
      [tuple(int(1), str('b')), str('x')],
      [tuple(int(1), str('ab')), str('x')],
      [tuple(int(-3), str('z')), str('x')],
    ]);
    expect(sortEntries(m).map((e) => (e.key.kind === 'tuple' ? e.key.elements.map((f) => (f.kind === 'int' ? String(f.value) : f.kind === 'string' ? f.value : '')).join(',') : ''))).toEqual([
      '-3,z', '1,ab', '1,b', '2,a',
    ]);
    // An unsigned 64-bit key is compared as signed: the largest value sorts first.
    const u = snap([
      [uint(1), str('x')],
      [uint(0xffffffffffffffffn), str('y')],
    ]);
    expect(sortEntries(u).map((e) => (e.key.kind === 'int' ? e.key.value : 0n))).toEqual([0xffffffffffffffffn, 1n]);
  });

  it('keeps the last `top` entries', () => {
    const m = snap([1, 2, 3, 4].map((i): [Value, Value] => [int(i), int(i * 10)]));
    expect(sortEntries(m, 2).map((e) => (e.value.kind === 'int' ? e.value.value : 0n))).toEqual([30n, 40n]);
    expect(sortEntries(m, 10)).toHaveLength(4);
  });

  it('orders histograms by total count, ties in key-byte order', () => {
    const h = (n: bigint) => ({ kind: 'hist' as const, bits: 0, buckets: [0n, n] });
    const m = snap([
      [int(256), h(1n)],
      [int(1), h(1n)],
      [int(7), h(0n)],
    ]);
    // Little-endian bytes put 256 (00 01 ...) before 1 (01 00 ...).
    expect(sortEntries(m).map((e) => (e.key.kind === 'int' ? e.key.value : 0n))).toEqual([7n, 256n, 1n]);
  });
});

describe('formatMap', () => {
  it('returns the value of a scalar map and nothing for an empty one', () => {
    expect(formatMap({ name: '@', scalar: true, entries: [{ key: tuple(), value: { kind: 'count', value: 3n } }] })).toEqual({
      kind: 'primitive',
      value: uint(3),
    });
    expect(formatMap({ name: '@', scalar: true, entries: [] })).toEqual({ kind: 'ordered-map', entries: [] });
  });

  it('divides by div and truncates like C (avg keeps its own division first)', () => {
    const m = snap([[str('a'), { kind: 'avg', total: -25n, count: 2n, signed: true }]]);
    const out = formatMap(m, { div: 5 });
    expect(out).toEqual({ kind: 'stats', value: { kind: 'ordered-map', entries: [[str('a'), { kind: 'primitive', value: int(-2) }]] } });
  });

  it('prints an empty scalar hist map as nothing even through print()', () => {
    const out = formatMapForPrint({ name: '@', scalar: true, entries: [], zeroValue: { kind: 'hist', bits: 0, buckets: [] } });
    expect(out).toEqual({ kind: 'ordered-map', entries: [] });
  });
});
