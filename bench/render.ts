// How long the output side takes for big maps: formatting (sort, top/div, buckets) and rendering
// to text and JSON. ENTRIES changes the size of the count map (default 100,000).
import {
  JsonOutput,
  TextOutput,
  formatMap,
  histBucketCount,
  histBucketIndex,
  int,
  str,
  tuple,
  type MapSnapshot,
  type OutputSink,
} from '../src/runtime/index.js';

const entries = Number(process.env['ENTRIES'] ?? 100_000);

// Counts the bytes written instead of keeping them, so the figure is the renderer's own cost.
class CountingSink implements OutputSink {
  bytes = 0;
  stdout(text: string): void {
    this.bytes += text.length;
  }
  stderr(text: string): void {
    this.bytes += text.length;
  }
}

const runs = Number(process.env['RUNS'] ?? 5);

// The best of several runs, since other work on the machine only ever adds time. Wall time and
// this process's CPU time (user + system, which includes the garbage collector's threads).
function time<T>(label: string, f: () => T): T {
  let bestWall = Infinity;
  let bestCpu = Infinity;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    result = f();
    bestWall = Math.min(bestWall, Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpu);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
  }
  console.log(`${label.padEnd(44)} ${bestWall.toFixed(1).padStart(8)} ms wall ${bestCpu.toFixed(1).padStart(8)} ms cpu`);
  return result;
}

// A yardstick for this machine: sorting as many plain numbers as the map has entries.
time(`yardstick: sort ${entries} numbers`, () => {
  const a = Array.from({ length: entries }, (_, i) => (i * 7919) % entries);
  return a.sort((x, y) => x - y);
});

const countMap: MapSnapshot = {
  name: '@',
  scalar: false,
  entries: Array.from({ length: entries }, (_, i) => ({
    key: tuple(str(`comm-${(i * 7919) % entries}`), int(i)),
    value: { kind: 'count' as const, value: BigInt((i * 104729) % 1000) },
  })),
};

const stringMap: MapSnapshot = {
  name: '@bykey',
  scalar: false,
  entries: Array.from({ length: entries }, (_, i) => ({
    key: tuple(int((i * 7919) % entries), str(`k${i % 97}`)),
    value: str(`v${i}`),
  })),
};

const histKeys = Math.max(1, Math.floor(entries / 10));
const histMap: MapSnapshot = {
  name: '@lat',
  scalar: false,
  entries: Array.from({ length: histKeys }, (_, i) => {
    const buckets = new Array<bigint>(histBucketCount(0)).fill(0n);
    for (let j = 0; j < 20; j++) buckets[histBucketIndex(BigInt((i * 31 + j * 977) % 1_000_000), 0)]! += 1n;
    return { key: int(i), value: { kind: 'hist' as const, bits: 0, buckets } };
  }),
};

console.log(`count map: ${entries} entries; string-valued map: ${entries}; hist map: ${histKeys} keys`);
for (const [label, m] of [
  ['count map', countMap],
  ['string-valued map (sorted by key)', stringMap],
  ['hist map', histMap],
] as const) {
  const formatted = time(`${label}: formatMap`, () => formatMap(m));
  const text = new CountingSink();
  time(`${label}: text`, () => new TextOutput(text).map(m.name, formatted));
  const json = new CountingSink();
  time(`${label}: json`, () => new JsonOutput(json).map(m.name, formatted));
  text.bytes /= runs;
  json.bytes /= runs;
  console.log(`${''.padEnd(44)} text ${(text.bytes / 1e6).toFixed(1)} MB, json ${(json.bytes / 1e6).toFixed(1)} MB`);
}
