// opensnoop end to end: a failed open of a path that does not exist shows up with ENOENT, and -x hides successes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, removeBundle, runCommand, skipReason, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping opensnoop tests: ${skip}`);

describe.skipIf(skip !== false)('opensnoop', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('shows a failed open with its error and a good one with its fd', async () => {
    const missingPath = `/tmp/bpfkit-opensnoop-missing-${process.pid}`;
    let badPid = 0;
    let goodPid = 0;
    const r = await traceWhile(b, ['opensnoop', '-n', 'cat'], async () => {
      badPid = await runCommand('cat', [missingPath]);
      goodPid = await runCommand('cat', ['/etc/hostname']);
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^PID\s+COMM\s+FD ERR PATH$/);
    const bad = lines.filter((l) => l.endsWith(` ${missingPath}`)).map((l) => l.split(/\s+/));
    expect(bad).toEqual([[String(badPid), 'cat', '-1', '2', missingPath]]);
    const good = lines.filter((l) => l.endsWith(' /etc/hostname')).map((l) => l.split(/\s+/));
    expect(good).toHaveLength(1);
    expect(good[0]!.slice(0, 2)).toEqual([String(goodPid), 'cat']);
    expect(Number(good[0]![2])).toBeGreaterThanOrEqual(3);
    expect(good[0]![3]).toBe('0');
  });

  it('-x shows only failed opens; -T adds a time column', async () => {
    const missingPath = `/tmp/bpfkit-opensnoop-x-${process.pid}`;
    let pid = 0;
    const r = await traceWhile(b, ['opensnoop', '-xT', '-n', 'cat'], async () => {
      pid = await runCommand('cat', ['/etc/hostname', missingPath]);
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME\(s\)\s+PID\s+COMM\s+FD ERR PATH$/);
    const rows = lines.slice(1).filter((l) => l !== '').map((l) => l.trim().split(/\s+/));
    expect(rows.every((c) => c[4] !== '0')).toBe(true);
    expect(rows.some((c) => c[5] === '/etc/hostname')).toBe(false);
    const mine = rows.filter((c) => c[5] === missingPath);
    expect(mine).toHaveLength(1);
    expect(mine[0]![0]).toMatch(/^\d+\.\d{6}$/);
    expect(mine[0]!.slice(1)).toEqual([String(pid), 'cat', '-1', '2', missingPath]);
  });
});
