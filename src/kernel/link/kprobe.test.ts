import { afterEach, describe, expect, it } from 'vitest';
import { MapType, ProgType, sys } from '../../sys/index.js';
import { UnsupportedFeatureError } from '../errors.js';
import { createMap, type BpfMap } from '../map.js';
import { loadProgram } from '../program.js';
import { haveKprobes } from '../features.js';
import { attachKprobe, closeAllLinks } from './index.js';
import { countProgram } from '../../../test/support/kernel-testkit.js';

const kprobes = haveKprobes();
const missing = !kprobes.ok;
if (missing) console.log(`skipping kprobe attach tests: ${kprobes.reason}`);

describe('attachKprobe', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  function setup(): { map: BpfMap; prog: ReturnType<typeof loadProgram> } {
    const map = createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(map);
    const prog = loadProgram({ type: ProgType.KPROBE, insns: countProgram({ pid: process.pid }, map.fd) });
    owned.push(prog);
    return { map, prog };
  }

  it.skipIf(!missing)('says kprobes are unavailable, with a typed error, when the kernel has no kprobe PMU', () => {
    const { prog } = setup();
    let caught: unknown;
    try {
      attachKprobe(prog, '__x64_sys_getpid');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnsupportedFeatureError);
    expect((caught as Error).message).toBe('kprobes are not available on this kernel (CONFIG_KPROBES is not set)');
  });

  it.skipIf(missing)('kprobe and kretprobe on __x64_sys_getpid count exactly this process calls', () => {
    const a = setup();
    const b = setup();
    const l1 = attachKprobe(a.prog, '__x64_sys_getpid');
    const l2 = attachKprobe(b.prog, '__x64_sys_getpid', { retprobe: true });
    for (let i = 0; i < 30; i++) sys().getpid();
    l1.close();
    l2.close();
    const read = (m: BpfMap): bigint => new DataView(m.lookup(new Uint8Array(4))!.buffer).getBigUint64(0, true);
    expect(read(a.map)).toBe(30n);
    expect(read(b.map)).toBe(30n);
  });
});
