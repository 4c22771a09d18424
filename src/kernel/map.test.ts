import { existsSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { call, exit, ldMapFd, mov64Imm, mov64Reg } from '../isa/encode.js';
import { BpfCmd, Errno, MapType, PerfSwId, PerfType, ProgType, setSys, sys, SysError, UpdateFlags } from '../sys/index.js';
import { possibleCpus } from './cpus.js';
import { openPerfEvent } from './perf-event.js';
import { loadProgram } from './program.js';
import { type BpfMap, createMap, openPinnedMap, sanitizeObjectName, sumU64, sumU64Fields } from './map.js';

const HELPER_GET_STACKID = 27;

const open: BpfMap[] = [];
function make(...args: Parameters<typeof createMap>): BpfMap {
  const m = createMap(...args);
  open.push(m);
  return m;
}
afterEach(() => {
  for (const m of open.splice(0)) m.close();
});

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const u64 = (n: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
};
const readU64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('names', () => {
  it('keeps 15 characters of [A-Za-z0-9_.]', () => {
    expect(sanitizeObjectName('@count-by/comm and more')).toBe('_count_by_comm_');
    expect(sanitizeObjectName('ok.name_1')).toBe('ok.name_1');
  });

  it('gives the sanitized name to the kernel', () => {
    const m = make({ name: 'my map:with-dashes', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
    expect(m.info()).toMatchObject({ name: 'my_map_with_das', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
  });
});

describe('hash and array maps', () => {
  it('updates, looks up, deletes and iterates a hash', () => {
    const m = make({ name: 'h', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 16 });
    for (let i = 1; i <= 5; i++) m.update(u32(i), u64(BigInt(i * 100)));
    expect(readU64(m.lookup(u32(3)) ?? new Uint8Array(8))).toBe(300n);
    expect(m.lookup(u32(9))).toBeUndefined();
    expect(m.delete(u32(3))).toBe(true);
    expect(m.delete(u32(3))).toBe(false);
    const seen = new Map([...m.entries()].map(([k, v]) => [readU32(k), readU64(v)]));
    expect([...seen.entries()].sort((a, b) => a[0] - b[0])).toEqual([[1, 100n], [2, 200n], [4, 400n], [5, 500n]]);
    expect([...m.keys()].length).toBe(4);
  });

  it('honours NOEXIST and EXIST', () => {
    const m = make({ name: 'flags', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
    m.update(u32(1), u64(1n), UpdateFlags.NOEXIST);
    expect(() => m.update(u32(1), u64(2n), UpdateFlags.NOEXIST)).toThrow(/EEXIST/);
    expect(() => m.update(u32(2), u64(2n), UpdateFlags.EXIST)).toThrow(/ENOENT/);
  });

  it('reads an array, which has every index', () => {
    const m = make({ name: 'arr', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 3 });
    m.update(u32(1), u64(7n));
    expect([...m.entries()].map(([k, v]) => [readU32(k), readU64(v)])).toEqual([[0, 0n], [1, 7n], [2, 0n]]);
  });

  it('rejects keys of the wrong size before the kernel sees them', () => {
    const m = make({ name: 'sz', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
    expect(() => m.lookup(new Uint8Array(8))).toThrow(/Key for map sz is 8 bytes/);
  });

  it('names the map and errno when the kernel refuses to create it', () => {
    let err: unknown;
    try {
      make({ name: 'bad', type: MapType.HASH, keySize: 0, valueSize: 8, maxEntries: 4 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SysError);
    expect((err as SysError).code).toBe('EINVAL');
    expect((err as SysError).message).toMatch(/^Cannot create map bad: EINVAL/);
  });
});

describe('per-CPU maps', () => {
  const ncpu = possibleCpus().length;

  for (const [label, type] of [['percpu_hash', MapType.PERCPU_HASH], ['percpu_array', MapType.PERCPU_ARRAY], ['lru_percpu_hash', MapType.LRU_PERCPU_HASH]] as const) {
    it(`${label}: one value per possible CPU, summed`, () => {
      const m = make({ name: label, type, keySize: 4, valueSize: 8, maxEntries: 4 });
      const perCpu = possibleCpus().map((_, i) => u64(BigInt(10 * (i + 1))));
      m.updatePerCpu(u32(1), perCpu);
      const back = m.lookupPerCpu(u32(1));
      expect(back?.length).toBe(ncpu);
      expect(back?.map(readU64)).toEqual(perCpu.map(readU64));
      const expected = perCpu.reduce((s, v) => s + readU64(v), 0n);
      expect(sumU64(back ?? [])).toBe(expected);
    });
  }

  it('pads odd value sizes to 8 bytes per CPU', () => {
    const m = make({ name: 'odd', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    expect(m.valueBytes).toBe(8 * ncpu);
    m.update(u32(0), u32(0xdeadbeef));
    expect(m.lookupPerCpu(u32(0))?.map(readU32)).toEqual(possibleCpus().map(() => 0xdeadbeef));
  });

  it('sums u64 fields across CPUs', () => {
    const m = make({ name: 'hist', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 });
    m.updatePerCpu(u32(0), possibleCpus().map((_, i) => new Uint8Array([...u64(BigInt(i + 1)), ...u64(5n)])));
    const n = BigInt(ncpu);
    expect(sumU64Fields(m.lookupPerCpu(u32(0)) ?? [])).toEqual([(n * (n + 1n)) / 2n, 5n * n]);
  });
});

describe('LRU hash', () => {
  it('evicts the least recently used key when full', () => {
    // The common LRU list frees in batches per CPU; NO_COMMON_LRU is not used, so fill well past capacity.
    const cap = 64;
    const m = make({ name: 'lru', type: MapType.LRU_HASH, keySize: 4, valueSize: 8, maxEntries: cap });
    for (let i = 0; i < cap * 4; i++) m.update(u32(i), u64(BigInt(i)));
    const keys = [...m.keys()].map(readU32);
    expect(keys.length).toBeLessThanOrEqual(cap);
    // The newest key always survives; the oldest was evicted.
    expect(m.lookup(u32(cap * 4 - 1))).toBeDefined();
    expect(m.lookup(u32(0))).toBeUndefined();
  });
});

describe('batch reads', () => {
  for (const [label, type] of [['hash', MapType.HASH], ['percpu_hash', MapType.PERCPU_HASH], ['array', MapType.ARRAY]] as const) {
    it(`${label}: BPF_MAP_LOOKUP_BATCH gives the same entries as get_next_key + lookup`, () => {
      const m = make({ name: `b_${label}`, type, keySize: 4, valueSize: 8, maxEntries: 600 });
      for (let i = 0; i < 500; i++) m.update(u32(i), u64(BigInt(i * 3)));
      const norm = (rows: Array<[Uint8Array, Uint8Array]>): string[] => rows.map(([k, v]) => `${hex(k)}=${hex(v)}`).sort();
      // chunk 7 forces many rounds and ENOSPC retries on busy hash buckets.
      const batched = norm(m.lookupBatch(7));
      const walked = norm(m.readAll({ batch: false }));
      expect(batched.length).toBe(type === MapType.ARRAY ? 600 : 500);
      expect(batched).toEqual(walked);
      expect(norm(m.readAll())).toEqual(walked);
    });
  }

  it('falls back for maps without batch operations', () => {
    const m = make({ name: 'st', type: MapType.STACK_TRACE, keySize: 4, valueSize: 8 * 4, maxEntries: 8 });
    expect(() => m.readAll({ batch: true })).toThrow(SysError);
    expect(m.readAll()).toEqual([]);
  });
});

describe('other kinds', () => {
  it('holds the kernel stack a program records with bpf_get_stackid', () => {
    const m = make({ name: 'stacks', type: MapType.STACK_TRACE, keySize: 4, valueSize: 8 * 127, maxEntries: 1024 });
    expect([...m.keys()]).toEqual([]);
    // r0 = bpf_get_stackid(ctx, map, 0): a raw tracepoint program, test-run, records the bpf(2) caller's stack.
    const prog = loadProgram({
      name: 'stackid',
      type: ProgType.RAW_TRACEPOINT,
      insns: [mov64Reg(6, 1), ...ldMapFd(2, m.fd), mov64Imm(3, 0), mov64Reg(1, 6), call(HELPER_GET_STACKID), exit()],
    });
    try {
      const id = prog.testRun().retval;
      expect(id).toBeGreaterThanOrEqual(0);
      expect([...m.keys()].map(readU32)).toEqual([id]);
      const frames = m.lookup(u32(id)) ?? new Uint8Array(8);
      // Kernel text lives in the top half of the address space.
      expect(readU64(frames) >= 0xffff800000000000n).toBe(true);
      expect(m.delete(u32(id))).toBe(true);
    } finally {
      prog.close();
    }
  });

  it('creates a ring buffer map', () => {
    const m = make({ name: 'rb', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 * 4 });
    expect(m.info()).toMatchObject({ type: MapType.RINGBUF, maxEntries: 4096 * 4 });
  });

  it('stores perf event fds in a perf event array, one slot per possible CPU', () => {
    const m = make({ name: 'events', type: MapType.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: possibleCpus().length });
    expect(m.info()).toMatchObject({ type: MapType.PERF_EVENT_ARRAY, maxEntries: possibleCpus().length });
    const cpu = possibleCpus()[0] ?? 0;
    const fd = openPerfEvent({ type: PerfType.SOFTWARE, config: BigInt(PerfSwId.BPF_OUTPUT), samplePeriod: 1n }, -1, cpu);
    try {
      m.update(u32(0), u32(fd));
      expect(m.delete(u32(0))).toBe(true);
      expect(m.delete(u32(0))).toBe(false);
    } finally {
      sys().close(fd);
    }
  });
});

describe('clear and zero', () => {
  it('clear removes every key of a hash and zeroes an array', () => {
    const h = make({ name: 'ch', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 64 });
    for (let i = 0; i < 40; i++) h.update(u32(i), u64(1n));
    h.clear();
    expect([...h.keys()]).toEqual([]);
    const a = make({ name: 'ca', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
    a.update(u32(1), u64(9n));
    a.clear();
    expect(sumU64(a.lookupPerCpu(u32(1)) ?? [])).toBe(0n);
  });

  it('zero keeps the keys', () => {
    const h = make({ name: 'zh', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8 });
    h.update(u32(3), u64(5n));
    h.zero();
    expect([...h.entries()].map(([k, v]) => [readU32(k), readU64(v)])).toEqual([[3, 0n]]);
  });
});

describe('freeze and pin', () => {
  it('refuses updates from user space once frozen', () => {
    const m = make({ name: 'frozen', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    m.update(u32(0), u64(1n));
    m.freeze();
    let err: unknown;
    try {
      m.update(u32(0), u64(2n));
    } catch (e) {
      err = e;
    }
    expect((err as SysError).code).toBe('EPERM');
    expect(readU64(m.lookup(u32(0)) ?? new Uint8Array(8))).toBe(1n);
  });

  it('pins to bpffs and opens the same map again', () => {
    const path = `/sys/fs/bpf/bpfkit-test-${process.pid}/pinned`;
    const m = make({ name: 'pinme', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8 });
    try {
      m.update(u32(42), u64(4242n));
      m.pin(path);
      expect(existsSync(path)).toBe(true);
      const again = openPinnedMap(path);
      open.push(again);
      expect(again.info().id).toBe(m.info().id);
      expect(again.spec).toMatchObject({ name: 'pinme', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8 });
      expect(readU64(again.lookup(u32(42)) ?? new Uint8Array(8))).toBe(4242n);
    } finally {
      rmSync(`/sys/fs/bpf/bpfkit-test-${process.pid}`, { recursive: true, force: true });
    }
    expect(existsSync(path)).toBe(false);
  });
});

describe('batch fallback', () => {
  it('reads through get_next_key + lookup when the kernel refuses BPF_MAP_LOOKUP_BATCH', () => {
    const real = sys();
    const m = make({ name: 'fallback', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 16 });
    for (let i = 0; i < 10; i++) m.update(u32(i), u64(BigInt(i)));
    const expected = m.readAll({ batch: true }).map(([k, v]) => `${hex(k)}=${hex(v)}`).sort();
    const seen: number[] = [];
    // A kernel without batch operations: the command answers EINVAL, everything else goes to the real kernel.
    setSys(Object.create(real, {
      bpf: {
        value: (cmd: number, attr: Uint8Array): number => {
          seen.push(cmd);
          if (cmd === BpfCmd.MAP_LOOKUP_BATCH) throw new SysError('BPF_MAP_LOOKUP_BATCH', Errno.EINVAL);
          return real.bpf(cmd, attr);
        },
      },
    }));
    try {
      expect(m.readAll().map(([k, v]) => `${hex(k)}=${hex(v)}`).sort()).toEqual(expected);
    } finally {
      setSys(real);
    }
    expect(seen[0]).toBe(BpfCmd.MAP_LOOKUP_BATCH);
    expect(seen).toContain(BpfCmd.MAP_GET_NEXT_KEY);
  });
});
