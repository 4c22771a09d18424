// CPU sets from sysfs: per-CPU map values have one slot per possible CPU; perf buffers open one ring per online CPU.
import { readFileSync } from 'node:fs';

/** Parses a kernel CPU list such as "0-3,8,10-11" into CPU numbers. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [lo, hi] = part.split('-');
    const a = Number(lo);
    const b = hi === undefined ? a : Number(hi);
    if (!Number.isInteger(a) || !Number.isInteger(b) || b < a) throw new Error(`Cannot parse CPU list: ${JSON.stringify(text)}`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

let possible: number[] | undefined;
let online: number[] | undefined;

/** The possible CPUs (/sys/devices/system/cpu/possible); their count is the number of per-CPU value slots. */
export function possibleCpus(): readonly number[] {
  possible ??= parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
  return possible;
}

/** The online CPUs (/sys/devices/system/cpu/online). */
export function onlineCpus(): readonly number[] {
  online ??= parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
  return online;
}
