// The perf buffer reader, for kernels or programs without ring buffers: one perf ring per CPU, fed by
// bpf_perf_event_output through a BPF_MAP_TYPE_PERF_EVENT_ARRAY whose slot for each CPU holds that CPU's event fd.
//
// Each ring is a metadata page (struct perf_event_mmap_page: data_head at 1024, data_tail at 1032, data_offset at
// 1040, data_size at 1048) and 2^n data pages. Records are a perf_event_header {u32 type, u16 misc, u16 size}
// and a body: PERF_RECORD_SAMPLE with PERF_SAMPLE_RAW carries u32 size then the bytes; PERF_RECORD_LOST carries
// u64 id then u64 lost. The data area is mapped once, so a record that wraps is copied out whole.
import { MapMode, MapType, PerfAttrFlag, PerfRecord, PerfIoctl, PerfSampleType, PerfSwId, PerfType, Prot, sys, type Mapping } from '../sys/index.js';
import { onlineCpus } from './cpus.js';
import { EpollLoop } from './epoll-loop.js';
import { openPerfEvent } from './perf-event.js';

const PAGE_SIZE = 4096;
const HEADER_SIZE = 8;

/** A perf event array map as the reader needs it (a BpfMap from createMap fits). */
export interface PerfEventArrayMap {
  readonly fd: number;
  readonly spec: { readonly type: number; readonly maxEntries: number };
  update(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): unknown;
}

export interface PerfBufOptions {
  /** Data pages per CPU, a power of two (default 8: 32 KiB). */
  readonly pageCount?: number;
  /** CPUs to open rings on (default: every online CPU). */
  readonly cpus?: readonly number[];
  /** Wake the reader after this many samples (default 1). */
  readonly wakeupEvents?: number;
}

/** Called with a sample's raw bytes (padded by the kernel to keep records 8-byte aligned) and its CPU. */
export type SampleCallback = (data: Uint8Array, cpu: number) => void;

interface CpuRing {
  readonly cpu: number;
  readonly fd: number;
  readonly mapping: Mapping;
  readonly head: BigUint64Array;
  readonly tail: BigUint64Array;
  readonly data: Uint8Array;
  readonly view: DataView;
}

export class PerfBufReader {
  /** Samples delivered so far. */
  records = 0;
  /** Samples the kernel dropped because a ring was full (from PERF_RECORD_LOST). */
  lost = 0;

  private readonly map: PerfEventArrayMap;
  private rings: CpuRing[] = [];
  private readonly waiter = new EpollLoop('perf buffer reader');
  private scratch = new Uint8Array(256);

  constructor(map: PerfEventArrayMap, opts: PerfBufOptions = {}) {
    if (map.spec.type !== MapType.PERF_EVENT_ARRAY) {
      throw new TypeError(`Cannot read map fd ${map.fd} as a perf buffer: its type is ${map.spec.type}, not BPF_MAP_TYPE_PERF_EVENT_ARRAY`);
    }
    const pageCount = opts.pageCount ?? 8;
    if (pageCount < 1 || (pageCount & (pageCount - 1)) !== 0) throw new RangeError(`Perf buffer page count ${pageCount} is not a power of two`);
    this.map = map;
    const s = sys();
    try {
      for (const cpu of opts.cpus ?? onlineCpus()) {
        if (cpu >= map.spec.maxEntries) throw new RangeError(`Cannot open a perf ring for CPU ${cpu}: the map has ${map.spec.maxEntries} slots`);
        const fd = openPerfEvent(
          {
            type: PerfType.SOFTWARE,
            config: BigInt(PerfSwId.BPF_OUTPUT),
            samplePeriod: 1n,
            sampleType: PerfSampleType.RAW,
            wakeupEvents: opts.wakeupEvents ?? 1,
            flags: PerfAttrFlag.DISABLED,
          },
          -1,
          cpu,
        );
        let mapping: Mapping;
        try {
          mapping = s.mmap((1 + pageCount) * PAGE_SIZE, Prot.READ | Prot.WRITE, MapMode.SHARED, fd, 0);
        } catch (e) {
          s.close(fd);
          throw e;
        }
        const meta = new DataView(mapping.bytes.buffer, mapping.bytes.byteOffset, PAGE_SIZE);
        // data_offset/data_size are zero on kernels before 4.1, where the data starts at the second page.
        const dataOffset = Number(meta.getBigUint64(1040, true)) || PAGE_SIZE;
        const dataSize = Number(meta.getBigUint64(1048, true)) || pageCount * PAGE_SIZE;
        const data = mapping.bytes.subarray(dataOffset, dataOffset + dataSize);
        const words = new BigUint64Array(mapping.bytes.buffer, mapping.bytes.byteOffset, PAGE_SIZE / 8);
        this.rings.push({
          cpu,
          fd,
          mapping,
          head: words.subarray(1024 / 8, 1024 / 8 + 1),
          tail: words.subarray(1032 / 8, 1032 / 8 + 1),
          data,
          view: new DataView(data.buffer, data.byteOffset, data.byteLength),
        });
        map.update(u32(cpu), u32(fd));
        s.ioctl(fd, PerfIoctl.ENABLE, 0);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Delivers every record available now on every CPU; returns how many samples it delivered. */
  poll(onSample: SampleCallback): number {
    let n = 0;
    for (const ring of this.rings) n += this.drain(ring, onSample);
    return n;
  }

  private drain(ring: CpuRing, onSample: SampleCallback): number {
    const size = ring.data.byteLength;
    let tail = Number(ring.tail[0]!);
    const head = Number(ring.head[0]!);
    let n = 0;
    try {
      while (tail < head) {
        const at = tail % size;
        // Records are 8-byte aligned and the data area a multiple of 8, so a header never straddles the end.
        const type = ring.view.getUint32(at, true);
        const recSize = ring.view.getUint16(at + 6, true);
        if (recSize < HEADER_SIZE) break; // a torn header: never expected, but never loop on it
        // Consumed even if the callback throws; the kernel sees data_tail only after the callback is done.
        const start = tail + HEADER_SIZE;
        tail += recSize;
        if (type === PerfRecord.LOST) {
          const body = this.body(ring, start, recSize - HEADER_SIZE);
          this.lost += Number(new DataView(body.buffer, body.byteOffset, body.byteLength).getBigUint64(8, true));
        } else if (type === PerfRecord.SAMPLE) {
          const body = this.body(ring, start, recSize - HEADER_SIZE);
          const rawSize = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, true);
          n++;
          this.records++;
          onSample(body.subarray(4, 4 + rawSize), ring.cpu);
        }
      }
    } finally {
      ring.tail[0] = BigInt(tail);
    }
    return n;
  }

  /** The bytes of a record body: a view into the ring, or a copy when the record wraps past the end. */
  private body(ring: CpuRing, start: number, len: number): Uint8Array {
    const size = ring.data.byteLength;
    const from = start % size;
    if (from + len <= size) return ring.data.subarray(from, from + len);
    if (this.scratch.byteLength < len) this.scratch = new Uint8Array(len * 2);
    const first = size - from;
    this.scratch.set(ring.data.subarray(from, size), 0);
    this.scratch.set(ring.data.subarray(0, len - first), first);
    return this.scratch.subarray(0, len);
  }

  /** Waits with epoll off the event loop and delivers samples until stop(); rejects if a callback throws. */
  start(onSample: SampleCallback, opts: { readonly waitMs?: number } = {}): Promise<void> {
    // After close() there are no rings, so the last drain delivers nothing.
    return this.waiter.start(
      this.rings.map((r) => r.fd),
      opts.waitMs ?? 100,
      () => this.poll(onSample),
    );
  }

  stop(): Promise<void> {
    return this.waiter.stop();
  }

  /** Removes the rings from the map, unmaps and closes them. The map belongs to the caller. */
  close(): void {
    this.waiter.close();
    const s = sys();
    for (const ring of this.rings) {
      try {
        this.map.delete(u32(ring.cpu));
      } catch {
        // The slot may already be gone (the map closed first); the ring is released below either way.
      }
      s.munmap(ring.mapping);
      s.close(ring.fd);
    }
    this.rings = [];
  }
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}
