import { afterEach, describe, expect, it } from 'vitest';
import { MapType, ProgType } from '../sys/index.js';
import { onlineCpus } from './cpus.js';
import { attachTracepoint, closeAllLinks } from './link/index.js';
import { markedCall, markedCalls, perfSequenceProgram, pinToCpu } from '../../test/support/kernel-testkit.js';
import { createMap } from './map.js';
import { PerfBufReader } from './perfbuf.js';
import { loadProgram } from './program.js';

const u64 = (r: Uint8Array): bigint => new DataView(r.buffer, r.byteOffset, r.byteLength).getBigUint64(0, true);

describe('PerfBufReader', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  function setup(pageCount: number): PerfBufReader {
    const counter = createMap({ name: 'seq', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(counter);
    const events = createMap({ name: 'events', type: MapType.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: Math.max(...onlineCpus()) + 1 });
    owned.push(events);
    const prog = loadProgram({ name: 'pb_seq', type: ProgType.TRACEPOINT, insns: perfSequenceProgram(markedCalls(), counter.fd, events.fd) });
    owned.push(prog);
    attachTracepoint(prog, 'syscalls', 'sys_enter_getpgid');
    const reader = new PerfBufReader(events, { pageCount });
    owned.push(reader);
    return reader;
  }

  it('delivers N samples in order on one CPU with none lost', () => {
    const restore = pinToCpu(0);
    try {
      const reader = setup(16);
      const n = 1000; // 1000 * 24 bytes fit in 64 KiB
      for (let i = 0; i < n; i++) markedCall();
      const seen: bigint[] = [];
      const cpus = new Set<number>();
      reader.poll((data, cpu) => {
        seen.push(u64(data));
        cpus.add(cpu);
      });
      expect(seen).toEqual(Array.from({ length: n }, (_, i) => BigInt(i)));
      expect([...cpus]).toEqual([0]);
      expect(reader.lost).toBe(0);
    } finally {
      restore();
    }
  });

  it('counts lost samples when a tiny ring overflows: received + lost = produced', () => {
    const restore = pinToCpu(0);
    try {
      const reader = setup(1); // 4 KiB: about 170 samples of 24 bytes
      const n = 1000;
      for (let i = 0; i < n; i++) markedCall();
      const seen: bigint[] = [];
      reader.poll((data) => seen.push(u64(data)));
      // The kernel reports a loss in the next record it can write, so write some after making room.
      for (let i = 0; i < 10; i++) markedCall();
      reader.poll((data) => seen.push(u64(data)));
      expect(reader.lost).toBeGreaterThan(0);
      expect(seen.length + reader.lost).toBe(n + 10);
      // What arrived is in order, and the first samples are the ones that fit.
      expect(seen.slice(0, 5)).toEqual([0n, 1n, 2n, 3n, 4n]);
      for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!).toBe(true);
      expect(seen.at(-1)).toBe(BigInt(n + 9));
    } finally {
      restore();
    }
  });

  it('delivers samples through the epoll loop', async () => {
    const reader = setup(8);
    const seen: bigint[] = [];
    const done = reader.start((data) => seen.push(u64(data)), { waitMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 30; i++) markedCall();
    for (let i = 0; i < 200 && seen.length < 30; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await reader.stop();
    await done;
    // Samples from two CPUs may interleave: compare as a set.
    expect([...seen].sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(i)));
  });
});
