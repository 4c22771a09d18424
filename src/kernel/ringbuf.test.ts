import { afterEach, describe, expect, it } from 'vitest';
import { MapType, ProgType } from '../sys/index.js';
import { attachTracepoint, closeAllLinks } from './link/index.js';
import { markedCall, markedCalls, ringbufDiscardProgram, ringbufSequenceProgram } from '../../test/support/kernel-testkit.js';
import { createMap } from './map.js';
import { loadProgram } from './program.js';
import { RingBufReader } from './ringbuf.js';

const u64 = (r: Uint8Array, at = 0): bigint => new DataView(r.buffer, r.byteOffset, r.byteLength).getBigUint64(at, true);

describe('RingBufReader', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  function setup(program: typeof ringbufSequenceProgram, ringSize = 64 * 1024): RingBufReader {
    const counter = createMap({ name: 'seq', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(counter);
    const ring = createMap({ name: 'ring', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: ringSize });
    owned.push(ring);
    const prog = loadProgram({ name: 'rb_seq', type: ProgType.TRACEPOINT, insns: program(markedCalls(), counter.fd, ring.fd) });
    owned.push(prog);
    attachTracepoint(prog, 'syscalls', 'sys_enter_getpgid');
    const reader = new RingBufReader(ring);
    owned.push(reader);
    return reader;
  }

  it('delivers N records in order with none lost, read in place from the mapping', () => {
    const reader = setup(ringbufSequenceProgram);
    const n = 2000; // 2000 * 16 bytes is half the ring: nothing can be dropped
    for (let i = 0; i < n; i++) markedCall();
    const seen: bigint[] = [];
    const sizes = new Set<number>();
    const delivered = reader.poll((r) => {
      sizes.add(r.byteLength);
      seen.push(u64(r));
    });
    expect(delivered).toBe(n);
    expect([...sizes]).toEqual([8]);
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => BigInt(i)));
    expect(reader.pending()).toBe(0);
    expect(reader.poll(() => undefined)).toBe(0);
  });

  it('keeps delivering across many wraps of a small ring when drained as it goes', () => {
    const reader = setup(ringbufSequenceProgram, 4096);
    const seen: bigint[] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) markedCall(); // 100 * 16 bytes fit in 4 KiB
      reader.poll((r) => seen.push(u64(r)));
    }
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => BigInt(i)));
    expect(reader.records).toBe(5000);
  });

  it('reads records that straddle the end of the ring whole, through the double mapping', () => {
    // 24-byte records (16 of data, 8 of header) do not divide 4 KiB: every few rounds one wraps past the end.
    const reader = setup(ringbufDiscardProgram, 4096);
    const seen: [bigint, bigint][] = [];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 50; i++) markedCall();
      reader.poll((r) => seen.push([u64(r, 0), u64(r, 8)]));
    }
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => [BigInt(2 * i), BigInt(6 * i)]));
  });

  it('hands back the space of a record whose callback threw, so no poll delivers it twice', () => {
    const reader = setup(ringbufSequenceProgram);
    for (let i = 0; i < 3; i++) markedCall();
    const stop = new Error('stop after this record');
    const seen: bigint[] = [];
    // Thrown on the first record of each poll: the way the session yields to the event loop mid-batch.
    for (let polls = 0; polls < 3; polls++) {
      expect(() => reader.poll((r) => {
        seen.push(u64(r));
        throw stop;
      })).toThrow(stop);
    }
    expect(seen).toEqual([0n, 1n, 2n]);
    expect(reader.pending()).toBe(0);
    expect(reader.poll(() => undefined)).toBe(0);
  });

  it('skips discarded records', () => {
    const reader = setup(ringbufDiscardProgram);
    for (let i = 0; i < 100; i++) markedCall();
    const seen: [bigint, bigint][] = [];
    reader.poll((r) => seen.push([u64(r, 0), u64(r, 8)]));
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => [BigInt(2 * i), BigInt(6 * i)]));
    expect(reader.discarded).toBe(50);
  });

  it('wakes through epoll without blocking the event loop and delivers until stopped', async () => {
    const reader = setup(ringbufSequenceProgram);
    const seen: bigint[] = [];
    const done = reader.start((r) => seen.push(u64(r)), { waitMs: 50 });
    // Produce in timer callbacks: the event loop must be free for them to run while the reader waits.
    for (let batch = 0; batch < 5; batch++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 10; i++) markedCall();
    }
    for (let i = 0; i < 200 && seen.length < 50; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await reader.stop();
    await done;
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
  });

  it('refuses a map that is not a ring buffer', () => {
    const m = createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(m);
    expect(() => new RingBufReader(m)).toThrow(/not BPF_MAP_TYPE_RINGBUF/);
  });
});
