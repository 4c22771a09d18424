import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openElf } from '../../elf/index.js';
import { MapType, ProgType } from '../../sys/index.js';
import { createMap } from '../map.js';
import { loadProgram } from '../program.js';
import { RingBufReader } from '../ringbuf.js';
import { AttachError, attachUprobe, closeAllLinks, type UprobeOptions } from './index.js';
import { ctxValueProgram, gcc, startWorkload } from '../../../test/support/kernel-testkit.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/uprobe');
// x86_64 struct pt_regs: the first argument arrives in rdi, the return value leaves in rax.
const PT_REGS_DI = 112;
const PT_REGS_AX = 80;
const N = 25;

describe('attachUprobe', () => {
  let dir: string;
  const owned: { close(): void }[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfkit-uprobe-'));
    gcc(['-O2', '-shared', '-fPIC', '-o', join(dir, 'libuprobelib.so'), join(FIXTURES, 'lib.c')]);
    const link = ['-L', dir, '-luprobelib', `-Wl,-rpath,${dir}`];
    gcc(['-O2', '-pie', '-fPIE', '-o', join(dir, 'pie'), join(FIXTURES, 'target.c'), ...link]);
    gcc(['-O2', '-no-pie', '-fno-pie', '-o', join(dir, 'nopie'), join(FIXTURES, 'target.c'), ...link]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  /** Attaches a program that records one pt_regs slot per hit, runs the workload, and returns the values in order. */
  async function record(binary: string, probe: Omit<UprobeOptions, 'pid'>, regOffset: number, everyProcess = false): Promise<bigint[]> {
    const ring = createMap({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 * 4 });
    owned.push(ring);
    const prog = loadProgram({ name: 'uprobe_val', type: ProgType.KPROBE, insns: ctxValueProgram(regOffset, ring.fd) });
    owned.push(prog);
    const reader = new RingBufReader(ring);
    owned.push(reader);
    const w = await startWorkload(join(dir, binary), [String(N)]);
    owned.push(w);
    expect(w.firstLine).toBe('ready');
    // Without a pid the probe fires in every process running the file: only this test runs it (from a temp dir).
    const link = attachUprobe(prog, everyProcess ? probe : { ...probe, pid: w.pid });
    expect(link.kind).toBe(probe.retprobe ? 'uretprobe' : 'uprobe');
    await w.go();
    link.close();
    const values: bigint[] = [];
    reader.poll((r) => values.push(new DataView(r.buffer, r.byteOffset, 8).getBigInt64(0, true)));
    return values;
  }

  const args = Array.from({ length: N }, (_, i) => BigInt(i * 7));
  const sums = Array.from({ length: N }, (_, i) => BigInt(i * 7 + 1000));

  for (const binary of ['pie', 'nopie']) {
    it(`reads the argument of every call in a ${binary} binary (uprobe by symbol)`, async () => {
      expect(await record(binary, { path: join(dir, binary), symbol: 'uprobe_add' }, PT_REGS_DI)).toEqual(args);
    });

    it(`reads the return value of every call in a ${binary} binary (uretprobe)`, async () => {
      expect(await record(binary, { path: join(dir, binary), symbol: 'uprobe_add', retprobe: true }, PT_REGS_AX)).toEqual(sums);
    });
  }

  it('attaches by file offset, and to every process running the file when no pid is given', async () => {
    const path = join(dir, 'pie');
    const offset = openElf(path).symbolFileOffset('uprobe_add');
    expect(await record('pie', { path, offset }, PT_REGS_DI, true)).toEqual(args);
  });

  it('probes a function of a shared library the binary links, by argument and return value', async () => {
    const lib = join(dir, 'libuprobelib.so');
    expect(await record('pie', { path: lib, symbol: 'uprobe_lib_mul' }, PT_REGS_DI)).toEqual(Array.from({ length: N }, (_, i) => BigInt(i)));
    // By library name: found among the libraries the process has mapped.
    expect(await record('pie', { path: 'libuprobelib', symbol: 'uprobe_lib_mul', retprobe: true }, PT_REGS_AX)).toEqual(
      Array.from({ length: N }, (_, i) => BigInt(i * 3)),
    );
  });

  it('says which symbol is missing before asking the kernel', () => {
    const ring = createMap({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    owned.push(ring);
    const prog = loadProgram({ type: ProgType.KPROBE, insns: ctxValueProgram(PT_REGS_DI, ring.fd) });
    owned.push(prog);
    let caught: unknown;
    try {
      attachUprobe(prog, { path: '/bin/bash', symbol: 'nosuch' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AttachError);
    expect((caught as Error).message).toBe('Cannot attach uprobe to /bin/bash:nosuch: symbol not found');
  });
});
