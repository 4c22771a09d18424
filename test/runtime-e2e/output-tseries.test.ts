// tseries maps through the whole CLI: compiled, filled by a begin probe in the kernel, printed at exit in text
// and JSON. The interval a value lands in is "now" on the kernel's TAI clock, so the checks find that interval
// in the output rather than expecting a fixed one.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfkit, prepare, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`Skipping tseries CLI tests: ${skip}`);

const DAY_MS = 86_400_000;

describe.skipIf(skip !== false)('tseries maps printed by the CLI', () => {
  let tools: Tools;
  beforeAll(async () => {
    tools = await prepare();
  }, 120_000);
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('prints the JSON points of each key, the last value written in the interval winning', () => {
    const r = bpfkit(tools, ['-q', '-f', 'json', '-e', 'BEGIN { @t["x"] = tseries(4, 1s, 3); @t["x"] = tseries(-7, 1s, 3); @t["y"] = tseries(2, 1s, 3); exit(); }']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const msg = JSON.parse(lines[0]!) as { type: string; data: { '@t': Record<string, { interval_start: string; value: number }[]> } };
    expect(msg.type).toBe('tseries');
    const series = msg.data['@t'];
    expect(Object.keys(series)).toEqual(['x', 'y']);
    expect(series['x']!.map((p) => p.value)).toEqual([-7]);
    expect(series['y']!.map((p) => p.value)).toEqual([2]);
    const start = series['x']![0]!.interval_start;
    // UTC, nanosecond fraction, on a whole second for a 1 s interval.
    expect(start).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000000$/);
    expect(Math.abs(Date.parse(start.replace(' ', 'T').slice(0, 23) + 'Z') - Date.now())).toBeLessThan(DAY_MS);
  });

  it('draws the text graph with the time of the interval and the value', () => {
    const r = bpfkit(tools, ['-q', '-e', 'BEGIN { @s = tseries(10, 1s, 2, "sum"); @s = tseries(5, 1s, 2, "sum"); exit(); }'], { env: { TZ: 'UTC' } });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('@s:');
    expect(at).toBeGreaterThanOrEqual(0);
    const graph = lines.slice(at + 1, at + 7);
    const pad = ' '.repeat(19);
    expect(graph[0]).toBe(`${pad}${'14'.padEnd(21)}${'16'.padStart(32)}`);
    expect(graph[1]).toBe(`${'hh:mm:ss.ns'.padEnd(19)}|${'_'.repeat(51)}|`);
    expect(graph[2]).toMatch(/^\d\d:\d\d:\d\d\.000000000 \| {25}\* {25}\| 15$/);
    expect(graph[3]).toBe(`${pad}v${'_'.repeat(51)}v`);
    expect(graph[4]).toBe(`${pad}${'14'.padEnd(21)}${'16'.padStart(32)}`);
  });
});
