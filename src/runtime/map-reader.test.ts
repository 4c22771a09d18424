import { describe, expect, it } from 'vitest';
import type { BpfMap } from '../kernel/map.js';
import type { MapDef } from '../lang/codegen/artifact.js';
import { U64, string as stringType } from '../lang/types.js';
import { MapType } from '../sys/uapi.js';
import { encodeUint } from './decode.js';
import { readUserMap } from './map-reader.js';
import { formatMap, mapText } from './output/index.js';
import { str, uint } from './value/index.js';

// A stand-in for a kernel map: its entries as the kernel would return them, per-CPU slots back to back.
function fakeMap(entries: [Uint8Array, Uint8Array][], perCpu: boolean, valueSize: number): BpfMap {
  return {
    isPerCpu: perCpu,
    readAll: () => entries,
    splitPerCpu(raw: Uint8Array): Uint8Array[] {
      const slot = Math.ceil(valueSize / 8) * 8;
      const out: Uint8Array[] = [];
      for (let at = 0; at + slot <= raw.byteLength; at += slot) out.push(raw.slice(at, at + valueSize));
      return out;
    },
  } as unknown as BpfMap;
}

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};

function keyStr(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(s));
  return out;
}

describe('readUserMap', () => {
  it('sums count() slots across CPUs and decodes string keys', () => {
    const def: MapDef = {
      name: '@',
      type: MapType.PERCPU_HASH,
      keySize: 8,
      valueSize: 8,
      maxEntries: 16,
      user: { name: '@', keyTypes: [stringType(8)], keyBytes: 8, valueType: { kind: 'count' }, aggregation: 'count' },
    };
    const map = fakeMap(
      [
        [keyStr('bash', 8), cat(encodeUint(2n, 8), encodeUint(3n, 8))],
        [keyStr('cat', 8), cat(encodeUint(1n, 8), encodeUint(0n, 8))],
      ],
      true,
      8,
    );
    const snap = readUserMap(def, map);
    expect(snap.entries).toEqual([
      { key: str('bash', 8), value: { kind: 'count', value: 5n } },
      { key: str('cat', 8), value: { kind: 'count', value: 1n } },
    ]);
    expect(mapText('@', formatMap(snap))).toBe('@[cat]: 1\n@[bash]: 5\n');
  });

  it('gathers hist buckets stored as (key, bucket) entries', () => {
    const def: MapDef = {
      name: '@h',
      type: MapType.PERCPU_HASH,
      keySize: 8,
      valueSize: 8,
      maxEntries: 16,
      user: { name: '@h', keyTypes: [], keyBytes: 0, valueType: { kind: 'hist', bits: 0 }, aggregation: 'hist' },
    };
    // Bucket 1 (the value 0) and bucket 3 (values 2..3), as histBucketIndex numbers them, on two CPUs.
    const map = fakeMap(
      [
        [encodeUint(1n, 8), cat(encodeUint(1n, 8), encodeUint(1n, 8))],
        [encodeUint(3n, 8), cat(encodeUint(0n, 8), encodeUint(4n, 8))],
      ],
      true,
      8,
    );
    const snap = readUserMap(def, map);
    expect(snap.scalar).toBe(true);
    expect(snap.entries).toEqual([{ key: { kind: 'none' }, value: { kind: 'hist', bits: 0, buckets: [0n, 2n, 0n, 4n] } }]);
  });

  it('merges min() by its isSet flag and decodes plain values', () => {
    const minDef: MapDef = {
      name: '@m',
      type: MapType.PERCPU_HASH,
      keySize: 8,
      valueSize: 16,
      maxEntries: 16,
      user: { name: '@m', keyTypes: [U64], keyBytes: 8, valueType: { kind: 'min', signed: true }, aggregation: 'min' },
    };
    const slot = (v: bigint, set: boolean): Uint8Array => cat(encodeUint(v, 8), encodeUint(set ? 1n : 0n, 8));
    const minMap = fakeMap([[encodeUint(7n, 8), cat(slot(-3n, true), slot(0n, false))]], true, 16);
    expect(readUserMap(minDef, minMap).entries).toEqual([{ key: uint(7), value: { kind: 'min', value: -3n, signed: true, isSet: true } }]);

    const valDef: MapDef = {
      name: '@v',
      type: MapType.HASH,
      keySize: 8,
      valueSize: 8,
      maxEntries: 16,
      user: { name: '@v', keyTypes: [], keyBytes: 0, valueType: U64, aggregation: 'value' },
    };
    const valMap = fakeMap([[encodeUint(0n, 8), encodeUint(42n, 8)]], false, 8);
    expect(mapText('@v', formatMap(readUserMap(valDef, valMap)))).toBe('@v: 42\n');
  });
});
