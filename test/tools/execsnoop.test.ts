// execsnoop end to end: the test spawns a command with known arguments, and a shell whose exec fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, removeBundle, runCommand, skipReason, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping execsnoop tests: ${skip}`);

describe.skipIf(skip !== false)('execsnoop', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('shows a spawned command with its pid, parent and exact arguments', async () => {
    const marker = `bpfkit-execsnoop-${process.pid}`;
    let pid = 0;
    const r = await traceWhile(b, ['execsnoop', '-n', 'echo'], async () => {
      pid = await runCommand('/bin/echo', ['hello', marker, 'two  spaces']);
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^PID\s+PPID\s+ARGS$/);
    const mine = lines.filter((l) => l.includes(marker));
    // Arguments are joined with single spaces, as bpftrace's join() prints them.
    expect(mine).toEqual([`${String(pid).padEnd(7)} ${String(process.pid).padEnd(7)} /bin/echo hello ${marker} two  spaces`]);
  });

  it('-x shows a failed exec with its error; -T adds the time', async () => {
    const missing = `/nonexistent/bpfkit-execsnoop-${process.pid}`;
    let shPid = 0;
    const r = await traceWhile(b, ['execsnoop', '-xT'], async () => {
      shPid = await runCommand('/bin/sh', ['-c', `exec ${missing} arg1 arg2`]);
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+PID\s+PPID\s+RET ARGS$/);
    const mine = lines.filter((l) => l.endsWith(`${missing} arg1 arg2`)).map((l) => l.trim().split(/\s+/));
    expect(mine).toHaveLength(1);
    expect(mine[0]![0]).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(mine[0]!.slice(1)).toEqual([String(shPid), String(process.pid), '-2', missing, 'arg1', 'arg2']);
    // The successful exec of sh itself is not shown with -x.
    expect(lines.some((l) => l.includes('/bin/sh -c'))).toBe(false);
  });
});
