// End to end: keyless count/sum/min/max/avg/stats maps are one-slot per-CPU arrays. Written from two CPUs (the
// workload pinned to each in turn), they read back in probes as totals over the CPUs and print as before; a
// slot never written, deleted or cleared does not print, a zero()ed one prints 0, and delete() says whether
// there was something to delete.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfkit, prepare, skipReason, type Tools } from './harness.js';

const skip = skipReason() || (spawnSync('taskset', ['-c', '0', 'true']).status !== 0 ? 'taskset is missing' : false);
if (skip) console.log(`skipping scalar map end-to-end tests: ${skip}`);

const twoCpus = (spawnSync('nproc').stdout?.toString().trim() ?? '1') !== '1';

describe.skipIf(skip !== false)('keyless aggregation maps end to end', () => {
  let tools: Tools;
  let script: string;
  beforeAll(async () => {
    tools = await prepare();
    script = join(tools.dir, 'two-cpus.sh');
    const second = twoCpus ? 1 : 0;
    writeFileSync(script, `#!/bin/sh\ntaskset -c 0 ${tools.workload} getpid 3\ntaskset -c ${second} ${tools.workload} getpid 4\n`);
    chmodSync(script, 0o755);
  });
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('merges the CPUs in probes and when printing, and deletes, clears and zeroes as a hash map did', () => {
    const program =
      'tracepoint:syscalls:sys_enter_getpid /comm == "workload"/ { ' +
      '@c = count(); @s = sum(cpu + 1); @mn = min(cpu + 10); @mx = max(cpu + 10); @a = avg(cpu * 7); @st = stats(cpu); ' +
      '@z = count(); @d = count(); @cl = sum(1); if (pid == 0) { @never = count(); } ' +
      'if (@c > 6) { printf("seen %d events\\n", @c); } } ' +
      'end { $a = delete(@d); $b = delete(@d); printf("delete=%d again=%d c=%d s=%d mn=%d mx=%d a=%d\\n", $a, $b, @c, @s, @mn, @mx, @a); ' +
      'zero(@z); zero(@never); clear(@cl); }';
    const r = bpfkit(tools, ['-q', '-c', script, '-e', program]);
    expect(r.stderr).toBe('');
    // 3 events on CPU 0, then 4 on CPU 1 (or CPU 0 again on a one-CPU machine).
    const c1 = twoCpus ? 1 : 0;
    const s = 3 * 1 + 4 * (c1 + 1);
    const a = Math.floor((4 * c1 * 7) / 7);
    const st = `{ .count = 7, .average = ${Math.floor((4 * c1) / 7)}, .total = ${4 * c1} }`;
    expect(r.stdout).toBe(
      'seen 7 events\n' +
        `delete=1 again=0 c=7 s=${s} mn=10 mx=${10 + c1} a=${a}\n\n\n` +
        `@a: ${a}\n@c: 7\n@mn: 10\n@mx: ${10 + c1}\n@s: ${s}\n@st: ${st}\n@z: 0\n`,
    );
  });

  it('iterates a keyless map once when it was written, not at all after delete()', () => {
    const r = bpfkit(tools, ['-q', '-e', 'begin { @ = count(); for ($kv : @) { print($kv); } @s = sum(3); delete(@s); for ($kv : @s) { print($kv); } exit(); }']);
    expect(r.stdout).toBe('(0, 1)\n\n\n@: 1\n');
  });

  it('prints the same maps as JSON', () => {
    const program = 'begin { @c = count(); @c = count(); @m = max(-3); @e = count(); clear(@e); @z = sum(4); zero(@z); exit(); }';
    const r = bpfkit(tools, ['-q', '-f', 'json', '-e', program]);
    expect(r.stdout).toBe('{"type": "map", "data": {"@c": 2}}\n{"type": "map", "data": {"@m": -3}}\n{"type": "map", "data": {"@z": 0}}\n');
  });
});
