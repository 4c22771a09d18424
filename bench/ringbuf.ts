// Ring buffer consumer throughput: 64-byte records produced in the kernel by a socket-filter program run with
// BPF_PROG_TEST_RUN (repeat=N runs it N times in one system call), consumed by RingBufReader.
//
//   node scripts/run-ts.mjs bench/ringbuf.ts [records=2000000]
//
// Two runs: "batched" produces a chunk that fits the ring, then drains it (no drops: the consumer's own rate);
// "concurrent" produces on a libuv worker thread while the main thread drains (the producer outruns the consumer,
// and the program counts what the full ring refused).
import koffi from 'koffi';
import { ringbufFloodProgram } from '../test/support/kernel-testkit.js';
import { createMap, type BpfMap } from '../src/kernel/map.js';
import { loadProgram } from '../src/kernel/program.js';
import { RingBufReader } from '../src/kernel/ringbuf.js';
import { encodeAttr, TestRunAttr } from '../src/sys/bpf-attr.js';
import { BpfCmd, MapType, ProgType, SYS_bpf, sys } from '../src/sys/index.js';

const total = Number(process.argv[2] ?? 2_000_000);
const RING_SIZE = 16 << 20;
const CHUNK = 100_000; // 100k records of 72 bytes (header included) fill 7.2 MB of the 16 MiB ring
const packet = new Uint8Array(64); // test runs of socket filters need at least an Ethernet header of input

const counters = (m: BpfMap): { produced: number; dropped: number } => {
  const read = (k: number): number => {
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, k, true);
    return Number(new DataView(m.lookup(key)!.buffer).getBigUint64(0, true));
  };
  return { produced: read(0), dropped: read(1) };
};

function setup(): { counter: BpfMap; ring: BpfMap; prog: ReturnType<typeof loadProgram>; reader: RingBufReader } {
  const counter = createMap({ name: 'flood_count', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
  const ring = createMap({ name: 'flood_ring', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: RING_SIZE });
  const prog = loadProgram({ name: 'flood', type: ProgType.SOCKET_FILTER, insns: ringbufFloodProgram(counter.fd, ring.fd) });
  return { counter, ring, prog, reader: new RingBufReader(ring) };
}

function teardown(s: ReturnType<typeof setup>): void {
  s.reader.close();
  s.prog.close();
  s.ring.close();
  s.counter.close();
}

function report(mode: string, produced: number, consumed: number, dropped: number, seconds: number, extra = ''): void {
  const rate = consumed / seconds;
  console.log(
    `${mode.padEnd(10)} produced ${produced}  consumed ${consumed}  dropped ${dropped}  ` +
      `${(rate / 1e6).toFixed(2)} M records/s  ${((rate * 64) / 2 ** 20).toFixed(0)} MiB/s of payload${extra}`,
  );
}

// ---- batched ----
{
  const s = setup();
  let consumed = 0;
  let checksum = 0;
  let consumeNs = 0n;
  const onRecord = (r: Uint8Array): void => {
    consumed++;
    // Touch the payload, as a real consumer would (the first u64 is the sequence number; its low half is enough).
    checksum += r[0]! | (r[1]! << 8) | (r[2]! << 16) | (r[3]! << 24);
  };
  for (let done = 0; done < total; done += CHUNK) {
    s.prog.testRun({ dataIn: packet, repeat: Math.min(CHUNK, total - done) });
    const t0 = process.hrtime.bigint();
    s.reader.poll(onRecord);
    consumeNs += process.hrtime.bigint() - t0;
  }
  const { produced, dropped } = counters(s.counter);
  // The low 32 bits of sequence numbers 0..produced-1, summed.
  const expected = (produced * (produced - 1)) / 2;
  report('batched', produced, consumed, dropped, Number(consumeNs) / 1e9, checksum === expected ? '  (sequence checksum ok)' : '  (SEQUENCE CHECKSUM MISMATCH)');
  teardown(s);
}

// ---- concurrent ----
{
  const s = setup();
  const libc = koffi.load('libc.so.6');
  const syscall = libc.func('long syscall(long nr, long cmd, void *attr, long size)');
  const attr = encodeAttr(TestRunAttr, { progFd: s.prog.fd, dataIn: sys().address(packet), dataSizeIn: packet.byteLength, repeat: total });
  let producing = true;
  let failed: unknown;
  const t0 = process.hrtime.bigint();
  syscall.async(SYS_bpf, BpfCmd.PROG_TEST_RUN, attr, attr.byteLength, (err: unknown, r: number) => {
    if (err || Number(r) < 0) failed = err ?? new Error(`BPF_PROG_TEST_RUN failed: ${r}`);
    producing = false;
  });
  let consumed = 0;
  const onRecord = (): void => {
    consumed++;
  };
  // Drain in slices, yielding to the event loop so the completion callback can run.
  await new Promise<void>((resolve) => {
    const slice = (): void => {
      for (let i = 0; i < 1000; i++) s.reader.poll(onRecord);
      if (producing) setImmediate(slice);
      else resolve();
    };
    slice();
  });
  s.reader.poll(onRecord);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (failed) throw failed;
  const { produced, dropped } = counters(s.counter);
  const check = consumed + dropped === produced ? 'consumed + dropped = produced' : 'COUNTS DISAGREE';
  report('concurrent', produced, consumed, dropped, seconds, `  (producer ${(produced / seconds / 1e6).toFixed(2)} M/s; ${check})`);
  teardown(s);
}
