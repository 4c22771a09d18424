import { closeSync, openSync, readSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MapType, ProgType } from '../../sys/index.js';
import { havePerfEventAttach } from '../features.js';
import { onlineCpus } from '../cpus.js';
import { createMap, type BpfMap } from '../map.js';
import { loadProgram } from '../program.js';
import { AttachError, attachPerfEvent, closeAllLinks, openLinkCount } from './index.js';
import { kernelSymbols } from '../../symbols/index.js';
import { countProgram, stackSampleProgram } from '../../../test/support/kernel-testkit.js';

const MAX_STACK_DEPTH = 127;

// VMs without a virtual PMU refuse hardware events (ENOENT here).
const hardware = havePerfEventAttach(true);
const noHardware = hardware.ok ? undefined : hardware.reason;
if (noHardware) console.log(`skipping the hardware perf event test: ${noHardware}`);

const u64 = (b: Uint8Array, at: number): bigint => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at, true);

describe('attachPerfEvent', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  function setup(): { stacks: BpfMap; counter: BpfMap; prog: ReturnType<typeof loadProgram> } {
    const stacks = createMap({ name: 'stacks', type: MapType.STACK_TRACE, keySize: 4, valueSize: 8 * MAX_STACK_DEPTH, maxEntries: 1024 });
    owned.push(stacks);
    const counter = createMap({ name: 'samples', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(counter);
    const prog = loadProgram({ name: 'profile', type: ProgType.PERF_EVENT, insns: stackSampleProgram(process.pid, stacks.fd, counter.fd) });
    owned.push(prog);
    return { stacks, counter, prog };
  }

  it('samples cpu-clock at 99 Hz on every CPU and collects kernel stacks that symbolize against kallsyms', () => {
    const { stacks, counter, prog } = setup();
    const links = attachPerfEvent(prog, { type: 'software', event: 'cpu-clock', frequency: 99 });
    expect(links.map((l) => l.description)).toEqual(onlineCpus().map((c) => `software:cpu-clock cpu ${c}`));

    // Syscall-heavy work: reading /dev/zero spends its time in the kernel clearing the buffer.
    const fd = openSync('/dev/zero', 'r');
    const buf = Buffer.alloc(1 << 20);
    const sampled = (): bigint => u64(counter.lookup(new Uint8Array(4))!, 0);
    try {
      const deadline = Date.now() + 10_000;
      while (sampled() < 5n && Date.now() < deadline) for (let i = 0; i < 50; i++) readSync(fd, buf, 0, buf.length, null);
    } finally {
      closeSync(fd);
    }
    for (const l of links) l.close();
    expect(sampled()).toBeGreaterThanOrEqual(5n);

    const kallsyms = kernelSymbols();
    const names = new Set<string>();
    for (const key of stacks.keys()) {
      const frames = stacks.lookup(key);
      if (!frames) continue;
      for (let at = 0; at < frames.byteLength; at += 8) {
        const ip = u64(frames, at);
        if (ip === 0n) break;
        const name = kallsyms.lookup(ip)?.name;
        if (name) names.add(name);
      }
    }
    // The read path must show up by name: some frame of the read system call.
    expect([...names].some((n) => /read|clear_user|iov_iter|zero/.test(n))).toBe(true);
  });

  it('samples by period on chosen CPUs, one link each', () => {
    const { prog } = setup();
    const links = attachPerfEvent(prog, { type: 'software', event: 'task-clock', period: 1_000_000, cpus: [0] });
    expect(links).toHaveLength(1);
    expect(links[0]!.description).toBe('software:task-clock cpu 0');
    for (const l of links) l.close();
    expect(openLinkCount()).toBe(0);
  });

  it('follows one process on any CPU when given a pid, by period of task-clock nanoseconds', () => {
    const counter = createMap({ name: 'samples', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(counter);
    const prog = loadProgram({ name: 'task_count', type: ProgType.PERF_EVENT, insns: countProgram({ pid: process.pid }, counter.fd) });
    owned.push(prog);
    const links = attachPerfEvent(prog, { type: 'software', event: 'task-clock', period: 1_000_000, pid: process.pid });
    expect(links.map((l) => l.description)).toEqual([`software:task-clock pid ${process.pid}`]);
    const sampled = (): bigint => u64(counter.lookup(new Uint8Array(4))!, 0);
    // A sample per millisecond of this process's CPU time: spin until some arrive.
    const deadline = Date.now() + 10_000;
    let x = 0;
    while (sampled() < 10n && Date.now() < deadline) for (let i = 0; i < 1e6; i++) x += i;
    for (const l of links) l.close();
    expect(x).toBeGreaterThan(0);
    expect(sampled()).toBeGreaterThanOrEqual(10n);
  });

  it('names an unknown event and refuses frequency with period', () => {
    const { prog } = setup();
    expect(() => attachPerfEvent(prog, { type: 'software', event: 'nonsense' })).toThrow(/unknown software event nonsense/);
    expect(() => attachPerfEvent(prog, { type: 'software', event: 'cpu-clock', frequency: 99, period: 10 })).toThrow(AttachError);
  });

  it.skipIf(noHardware !== undefined)('samples hardware cycles on every CPU', () => {
    const { prog } = setup();
    const links = attachPerfEvent(prog, { type: 'hardware', event: 'cycles', frequency: 99 });
    expect(links).toHaveLength(onlineCpus().length);
    for (const l of links) l.close();
  });

  it.skipIf(noHardware === undefined)('reports a missing hardware PMU as a typed error naming the event', () => {
    const { prog } = setup();
    let caught: unknown;
    try {
      attachPerfEvent(prog, { type: 'hardware', event: 'cycles', frequency: 99 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AttachError);
    expect((caught as Error).message).toMatch(/^Cannot attach perf_event to hardware:cycles cpu \d+: E[A-Z]+: this machine/);
    expect(openLinkCount()).toBe(0);
  });
});
