// How long /proc/kallsyms takes to load into KernelSymbols, beside the raw read alone, and lookup rates.
import { closeSync, openSync, readSync } from 'node:fs';
import { openElf, resolveLibrary } from '../src/elf/index.js';
import { KernelSymbols } from '../src/symbols/index.js';

function rawRead(): Buffer {
  const fd = openSync('/proc/kallsyms', 'r');
  const buf = Buffer.allocUnsafe(16 << 20);
  let total = 0;
  for (let n; (n = readSync(fd, buf, total, buf.length - total, null)) > 0; ) total += n;
  closeSync(fd);
  return buf.subarray(0, total);
}

function timed<T>(f: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

const runs = 5;
const loads: number[] = [];
const loadCpu: number[] = [];
const raws: number[] = [];
const rawCpu: number[] = [];
const parses: number[] = [];
let syms: KernelSymbols | undefined;
for (let i = 0; i < runs; i++) {
  const raw = timed(rawRead);
  raws.push(raw.wallMs);
  rawCpu.push(raw.cpuMs);
  parses.push(timed(() => KernelSymbols.parse(raw.value)).cpuMs);
  const load = timed(() => KernelSymbols.load());
  loads.push(load.wallMs);
  loadCpu.push(load.cpuMs);
  syms = load.value;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
if (!syms) throw new Error('no runs');
console.log(`kallsyms: ${syms.count} symbols, ${syms.modules().length} modules`);
console.log(`raw read of /proc/kallsyms (the kernel formatting it): median ${median(raws).toFixed(1)} ms wall, ${median(rawCpu).toFixed(1)} ms CPU`);
console.log(`parse of those bytes alone: median ${median(parses).toFixed(1)} ms CPU`);
console.log(`KernelSymbols.load(): median ${median(loads).toFixed(1)} ms wall, ${median(loadCpu).toFixed(1)} ms CPU (CPU ratio to raw read ${(median(loadCpu) / median(rawCpu)).toFixed(2)})`);

const all = syms;
const addrs: bigint[] = [];
for (let k = 0; k < all.count; k += 7) addrs.push(all.symbolAt(k).address + 3n);
const lookups = (): { value: number; wallMs: number; cpuMs: number } =>
  timed(() => {
    let hits = 0;
    for (const a of addrs) if (all.lookup(a)) hits++;
    return hits;
  });
const cold = lookups();
lookups();
const warm = lookups();
console.log(`address lookups: ${addrs.length}, ${((cold.cpuMs * 1e6) / addrs.length).toFixed(0)} ns CPU each on the first pass, ${((warm.cpuMs * 1e6) / addrs.length).toFixed(0)} ns warm`);
const names = ['schedule', 'do_sys_openat2', 'vfs_read', 'no_such_symbol_at_all'];
const byName = timed(() => names.map((n) => all.address(n)));
const byNameWarm = timed(() => names.map((n) => all.address(n)));
console.log(`name lookups (byte scan): ${((byName.cpuMs * 1000) / names.length).toFixed(0)} us CPU each cold, ${((byNameWarm.cpuMs * 1000) / names.length).toFixed(0)} us warm`);

// ELF symbol tables: one name lookup (compares bytes in place) and the full decoded table, for libc and for node.
for (const path of [resolveLibrary('libc.so.6') ?? '/lib/x86_64-linux-gnu/libc.so.6', process.execPath]) {
  const one = timed(() => openElf(path).symbolFileOffset(path === process.execPath ? 'uv_run' : 'malloc'));
  const all = timed(() => openElf(path).symbols().length);
  console.log(`${path}: open + one symbolFileOffset ${one.cpuMs.toFixed(1)} ms CPU; all ${all.value} symbols ${all.cpuMs.toFixed(1)} ms CPU`);
}
