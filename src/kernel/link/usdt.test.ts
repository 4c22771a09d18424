import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MapType, ProgType } from '../../sys/index.js';
import { createMap } from '../map.js';
import { loadProgram } from '../program.js';
import { RingBufReader } from '../ringbuf.js';
import { AttachError, attachUsdt, closeAllLinks, usdtLocations } from './index.js';
import { ctxValueProgram, gcc, startWorkload } from '../../../test/support/kernel-testkit.js';

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/uprobe');
const N = 20;

// x86_64 struct pt_regs offsets of the registers a USDT argument may sit in (64-bit names and their narrower aliases).
const PT_REGS: Record<string, number> = {
  r15: 0, r14: 8, r13: 16, r12: 24, rbp: 32, rbx: 40, r11: 48, r10: 56, r9: 64, r8: 72,
  rax: 80, rcx: 88, rdx: 96, rsi: 104, rdi: 112,
  eax: 80, ecx: 88, edx: 96, esi: 104, edi: 112, ebx: 40, ebp: 32,
};

const haveSdt = existsSync('/usr/include/x86_64-linux-gnu/sys/sdt.h') || existsSync('/usr/include/sys/sdt.h');
if (!haveSdt) console.log('skipping USDT tests: <sys/sdt.h> is missing (apt-get install systemtap-sdt-dev)');

describe.skipIf(!haveSdt)('attachUsdt', () => {
  let dir: string;
  let binary: string;
  const owned: { close(): void }[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfkit-usdt-'));
    binary = join(dir, 'usdt');
    gcc(['-O2', '-o', binary, join(FIXTURES, 'usdt.c')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  it('leaves a semaphore-guarded probe silent when nothing is attached', async () => {
    const w = await startWorkload(binary, [String(N)]);
    owned.push(w);
    expect(w.firstLine).toBe('semaphore 0');
    expect(await w.go()).toBe('fired 0\n');
  });

  it('sets the semaphore through the uprobe reference counter and reads the argument at every firing', async () => {
    const [loc] = usdtLocations(binary, 'bpfkit', 'tick');
    expect(loc).toBeDefined();
    expect(loc!.semaphoreFileOffset).toBeGreaterThan(0n);
    const arg = loc!.args[0]!;
    // Full argument codegen belongs to the compiler; this fixture's argument is a register at -O2.
    expect(arg.kind).toBe('reg');
    const offset = PT_REGS[arg.reg!];
    expect(offset).toBeDefined();

    const ring = createMap({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 * 4 });
    owned.push(ring);
    const prog = loadProgram({ name: 'usdt_arg', type: ProgType.KPROBE, insns: ctxValueProgram(offset!, ring.fd) });
    owned.push(prog);
    const reader = new RingBufReader(ring);
    owned.push(reader);

    const w = await startWorkload(binary, [String(N)]);
    owned.push(w);
    expect(w.firstLine).toBe('semaphore 0');
    const link = attachUsdt(prog, { path: binary, provider: 'bpfkit', name: 'tick', pid: w.pid });
    expect(link.kind).toBe('usdt');
    expect(link.description).toBe(`${binary}:bpfkit:tick`);
    expect(await w.go()).toBe(`fired ${N}\n`);
    link.close();
    const values: bigint[] = [];
    reader.poll((r) => values.push(new DataView(r.buffer, r.byteOffset, 8).getBigInt64(0, true)));
    expect(values).toEqual(Array.from({ length: N }, (_, i) => BigInt(i * 5)));
  });

  it('names a missing probe', () => {
    const ring = createMap({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    owned.push(ring);
    const prog = loadProgram({ type: ProgType.KPROBE, insns: ctxValueProgram(80, ring.fd) });
    owned.push(prog);
    expect(() => attachUsdt(prog, { path: binary, provider: 'bpfkit', name: 'nosuch' })).toThrow(AttachError);
    expect(() => attachUsdt(prog, { path: binary, provider: 'bpfkit', name: 'nosuch' })).toThrow(/bpfkit:nosuch: no such USDT probe/);
  });
});
