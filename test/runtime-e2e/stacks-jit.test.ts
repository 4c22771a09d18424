// JIT frames: node --perf-basic-prof writes /tmp/perf-PID.map, and ustack names JavaScript functions from it,
// while the process runs and after it has exited (the map file stays behind).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfkit, prepare, ROOT, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping JIT stack tests: ${skip}`);

const WORKLOAD = join(ROOT, 'test/fixtures/stacks/jit.js');
// V8 names optimized code `JS:*name`, baseline/interpreted `JS:^name` / `JS:~name`, then the script position.
const HOT_FRAME = /^\t[0-9a-f]+ JS:[*~^]?bpfkitHotLoop file:\/\/\S*jit\.js:\d+:\d+\+\d+ \(\/tmp\/perf-(\d+)\.map\)$/m;

describe.skipIf(skip !== false)('ustack of a JIT runtime', () => {
  let tools: Tools;
  const perfMaps: string[] = [];

  beforeAll(async () => {
    tools = await prepare();
  }, 120_000);

  afterAll(() => {
    for (const file of perfMaps) rmSync(file, { force: true });
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('names a hot JavaScript function from perf-PID.map while node runs', () => {
    // Every sample's innermost frame is printed as it arrives, while node is still running.
    const r = bpfkit(tools, [
      '-c', `${process.execPath} --perf-basic-prof ${WORKLOAD} 10`,
      '-e', `profile:hz:499 /pid == cpid/ { printf("%s", ustack(perf, 1)); } interval:s:3 { exit(); }`,
    ]);
    const m = HOT_FRAME.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    perfMaps.push(`/tmp/perf-${m![1]}.map`);
  });

  it('names it in map keys printed after node has exited', () => {
    const r = bpfkit(tools, [
      '-c', `${process.execPath} --perf-basic-prof ${WORKLOAD} 2`,
      '-e', `profile:hz:499 /pid == cpid/ { @[ustack(perf, 1)] = count(); } END { printf("cpid %d\\n", cpid); }`,
    ]);
    const cpid = /^cpid (\d+)$/m.exec(r.stdout);
    expect(cpid, r.stdout + r.stderr).not.toBeNull();
    perfMaps.push(`/tmp/perf-${cpid![1]}.map`);
    const m = HOT_FRAME.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![1]).toBe(cpid![1]);
  });
});
