// The BPF ring buffer consumer: records are read in place from the kernel's mapping, wake-ups come through epoll on
// one of koffi's worker threads so Node's event loop stays free.
//
// Layout (kernel/bpf/ringbuf.c): page 0 holds consumer_pos, which user space owns and maps read-write; page 1 holds
// producer_pos; the data area follows and is mapped twice in a row, so a record that wraps past the end still reads
// as one contiguous run of bytes. Each record starts with an 8-byte header: u32 length with BUSY (bit 31, still being
// written) and DISCARD (bit 30) flags, then u32 page offset; records are padded to 8 bytes.
import { MapMode, MapType, Prot, sys, type Mapping } from '../sys/index.js';
import { EpollLoop } from './epoll-loop.js';

const PAGE_SIZE = 4096; // x86_64; the ring buffer's page layout follows the kernel's page size
const HEADER_SIZE = 8;
const BUSY_BIT = 0x80000000;
const DISCARD_BIT = 0x40000000;
const LEN_MASK = 0x3fffffff;
// Space is handed back to producers every this many records (and at the end of each poll).
const RELEASE_EVERY = 64;

/** A ring buffer map as the reader needs it (a BpfMap from createMap fits). */
export interface RingBufMap {
  readonly fd: number;
  readonly spec: { readonly type: number; readonly maxEntries: number };
}

/** Called with each record's bytes, a view into the mapping that is valid only during the call. */
export type RecordCallback = (record: Uint8Array) => void;

export interface RingBufStartOptions {
  /** How long one epoll wait lasts before checking for stop() (ms); a shorter one makes stop() quicker. */
  readonly waitMs?: number;
}

export class RingBufReader {
  /** Size of the data area in bytes (the map's max_entries, a power of two). */
  readonly size: number;
  /** Records delivered so far. */
  records = 0;
  /** Discarded records skipped so far. */
  discarded = 0;

  private readonly mapFd: number;
  private readonly mask: number;
  private consumerMap: Mapping | undefined;
  private producerMap: Mapping | undefined;
  private readonly consumerPos: BigUint64Array;
  private readonly producerPos: BigUint64Array;
  private readonly data: Uint8Array;
  private readonly header: Uint32Array;
  private readonly waiter = new EpollLoop('ring buffer reader');

  constructor(map: RingBufMap) {
    if (map.spec.type !== MapType.RINGBUF) throw new TypeError(`Cannot read map fd ${map.fd} as a ring buffer: its type is ${map.spec.type}, not BPF_MAP_TYPE_RINGBUF`);
    this.mapFd = map.fd;
    this.size = map.spec.maxEntries;
    this.mask = this.size - 1;
    const s = sys();
    this.consumerMap = s.mmap(PAGE_SIZE, Prot.READ | Prot.WRITE, MapMode.SHARED, map.fd, 0);
    try {
      this.producerMap = s.mmap(PAGE_SIZE + 2 * this.size, Prot.READ, MapMode.SHARED, map.fd, PAGE_SIZE);
    } catch (e) {
      s.munmap(this.consumerMap);
      throw e;
    }
    const c = this.consumerMap.bytes;
    const p = this.producerMap.bytes;
    // Aligned 8-byte typed-array accesses compile to single loads and stores; on x86_64 those are atomic and
    // ordered (TSO), which is the acquire/release pairing the kernel's smp_store_release/smp_load_acquire expects.
    this.consumerPos = new BigUint64Array(c.buffer, c.byteOffset, 1);
    this.producerPos = new BigUint64Array(p.buffer, p.byteOffset, 1);
    this.data = p.subarray(PAGE_SIZE);
    this.header = new Uint32Array(this.data.buffer, this.data.byteOffset, this.data.byteLength >>> 2);
  }

  /** Bytes written by producers and not yet consumed (including records still being written). */
  pending(): number {
    this.check();
    return Number(this.producerPos[0]! - this.consumerPos[0]!);
  }

  /**
   * Delivers every committed record available now, in order, and frees their space; stops at a record still being
   * written. Returns how many records it delivered. A throwing callback stops the drain after that record.
   */
  poll(onRecord: RecordCallback): number {
    this.check();
    const start = Number(this.consumerPos[0]!);
    let cons = start;
    let released = start;
    let prod = Number(this.producerPos[0]!);
    let n = 0;
    let seen = 0;
    try {
      while (cons < prod) {
        const at = cons & this.mask;
        const word = this.header[at >>> 2]!;
        if (word & BUSY_BIT) break;
        const len = word & LEN_MASK;
        // Counted as consumed even if the callback throws, so a bad record is not delivered again; the kernel
        // learns of it only when consumer_pos is written, after the callback is done with the bytes.
        cons += (len + HEADER_SIZE + 7) & ~7;
        if (word & DISCARD_BIT) {
          this.discarded++;
        } else {
          n++;
          this.records++;
          onRecord(this.data.subarray(at + HEADER_SIZE, at + HEADER_SIZE + len));
        }
        // Writing consumer_pos takes a BigInt; once per record would cost more than the record itself.
        if (++seen % RELEASE_EVERY === 0) {
          this.consumerPos[0] = BigInt(cons);
          released = cons;
        }
        if (cons >= prod) prod = Number(this.producerPos[0]!);
      }
    } finally {
      // Compared by position, not by a count bumped after the callback: a callback that throws on the first
      // record must still hand its space back, or the next poll delivers that record a second time.
      if (cons !== released) this.consumerPos[0] = BigInt(cons);
    }
    return n;
  }

  /**
   * Waits for records with epoll (off the event loop) and delivers them until stop(). The promise settles when the
   * loop ends: resolved after stop(), rejected if a callback throws.
   */
  start(onRecord: RecordCallback, opts: RingBufStartOptions = {}): Promise<void> {
    this.check();
    // After close() there is nothing left to drain; the loop has already been told to end.
    return this.waiter.start([this.mapFd], opts.waitMs ?? 100, () => {
      if (this.producerMap) this.poll(onRecord);
    });
  }

  /** Ends the loop started by start(), after it delivers what is already committed. */
  stop(): Promise<void> {
    return this.waiter.stop();
  }

  /** Unmaps the buffer and closes the epoll fd (the map itself belongs to the caller). Call stop() first. */
  close(): void {
    this.waiter.close();
    const s = sys();
    if (this.producerMap) s.munmap(this.producerMap);
    if (this.consumerMap) s.munmap(this.consumerMap);
    this.producerMap = undefined;
    this.consumerMap = undefined;
  }

  private check(): void {
    if (!this.producerMap) throw new Error('Cannot read the ring buffer: the reader is closed');
  }
}
