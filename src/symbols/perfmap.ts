// /tmp/perf-PID.map: symbols a JIT (V8 --perf-basic-prof, the JVM's perf-map-agent, ...) writes for code it generated.
import { readFileSync } from 'node:fs';

export interface PerfMapEntry {
  start: bigint;
  size: bigint;
  name: string;
}

/** Lines are "START SIZE NAME" with hex numbers (an optional 0x is accepted); malformed lines are skipped, as perf does. */
export function parsePerfMap(text: string): PerfMapEntry[] {
  const out: PerfMapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:0x)?([0-9a-fA-F]+)\s+(?:0x)?([0-9a-fA-F]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    out.push({ start: BigInt(`0x${m[1]}`), size: BigInt(`0x${m[2]}`), name: (m[3] ?? '').trimEnd() });
  }
  return out;
}

/** The perf map of a process, or undefined when it has none. */
export function readPerfMap(pid: number, dir = '/tmp'): PerfMapEntry[] | undefined {
  let text: string;
  try {
    text = readFileSync(`${dir}/perf-${pid}.map`, 'utf8');
  } catch {
    return undefined;
  }
  return parsePerfMap(text);
}
