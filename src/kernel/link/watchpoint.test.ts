import { afterEach, describe, expect, it } from 'vitest';
import { MapType, ProgType, sys } from '../../sys/index.js';
import { countProgram } from '../../../test/support/kernel-testkit.js';
import { haveHardwareBreakpoints } from '../features.js';
import { createMap } from '../map.js';
import { loadProgram } from '../program.js';
import { AttachError, attachWatchpoint, closeAllLinks } from './index.js';

const breakpoints = haveHardwareBreakpoints();
if (!breakpoints.ok) console.log(`skipping the watchpoint tests: ${breakpoints.reason}`);

const u64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);

describe.skipIf(!breakpoints.ok)('attachWatchpoint', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  it('fires on each write to the watched bytes of this process, and not on reads or other bytes', () => {
    const counter = createMap({ name: 'writes', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(counter);
    const prog = loadProgram({ name: 'writes', type: ProgType.PERF_EVENT, insns: countProgram({ pid: process.pid }, counter.fd) });
    owned.push(prog);
    // Memory outside V8's heap, so nothing but this test touches it and it never moves.
    const watched = Buffer.alloc(64);
    const address = (sys().address(watched) + 7n) & ~7n;
    const at = Number(address - sys().address(watched));
    // One 32-bit store per write (Buffer's writeUInt32LE stores byte by byte, four hits each).
    const word = new Uint32Array(watched.buffer, watched.byteOffset + at, 3);
    const link = attachWatchpoint(prog, { address, length: 4, mode: 'w', pid: process.pid });
    expect(link.kind).toBe('watchpoint');
    for (let i = 0; i < 9; i++) word[0] = i;
    let sum = 0;
    for (let i = 0; i < 5; i++) sum += word[0]! + word[2]!;
    word[2] = 1;
    link.close();
    word[0] = 99;
    expect(sum).toBe(40);
    expect(u64(counter.lookup(new Uint8Array(4))!)).toBe(9n);
  });

  it('names a mode the hardware has no breakpoint for', () => {
    const counter = createMap({ name: 'unused', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(counter);
    const prog = loadProgram({ name: 'none', type: ProgType.PERF_EVENT, insns: countProgram({ pid: process.pid }, counter.fd) });
    owned.push(prog);
    expect(() => attachWatchpoint(prog, { address: 0x1000n, length: 4, mode: 'q' })).toThrow(AttachError);
    expect(() => attachWatchpoint(prog, { address: 0x1000n, length: 4, mode: 'q' })).toThrow(/invalid mode q/);
  });
});
