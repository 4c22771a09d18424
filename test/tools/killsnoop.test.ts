// killsnoop end to end: the test process sends signal 0 to itself and to a pid that does not exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, removeBundle, runCommand, skipReason, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping killsnoop tests: ${skip}`);

describe.skipIf(skip !== false)('killsnoop', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('shows the signal, target and result of kill() calls', async () => {
    // A pid above pid_max (4194304) can never exist, so kill() fails with ESRCH (3).
    let shPid = 0;
    const r = await traceWhile(b, ['killsnoop', '-n', 'sh'], async () => {
      shPid = await runCommand('/bin/sh', ['-c', 'kill -0 $$; kill -15 4194400 2>/dev/null; true']);
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^PID\s+COMM\s+SIG TPID\s+RESULT$/);
    const rows = lines.map((l) => l.split(/\s+/)).filter((c) => c[0] === String(shPid));
    expect(rows).toEqual([
      [String(shPid), 'sh', '0', String(shPid), '0'],
      [String(shPid), 'sh', '15', '4194400', '-3'],
    ]);
  });

  it('-x keeps failures only', async () => {
    let shPid = 0;
    const r = await traceWhile(b, ['killsnoop', '-x', '-n', 'sh'], async () => {
      shPid = await runCommand('/bin/sh', ['-c', 'kill -0 $$; kill -1 4194401 2>/dev/null; true']);
    });
    const rows = r.stdout.split('\n').map((l) => l.split(/\s+/)).filter((c) => c[0] === String(shPid));
    expect(rows).toEqual([[String(shPid), 'sh', '1', '4194401', '-3']]);
  });
});
