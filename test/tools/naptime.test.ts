// naptime end to end: a fixture asks for sleeps of known lengths through nanosleep() and clock_nanosleep(),
// relative and absolute, and the rows must show each request read through the syscall's user pointer.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, compileFixture, removeBundle, skipReason, startGated, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping naptime test: ${skip}`);

describe.skipIf(skip !== false)('naptime', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('shows each sleep asked for, with its parent, leaving out the zero one', async () => {
    const sleeps = compileFixture(b, 'sleeps');
    const w = startGated(sleeps, []);
    // The 1.002 s sleep is the last one asked for.
    const r = await traceWhile(
      b,
      ['naptime', '-p', String(w.pid)],
      async () => {
        await w.go();
        await w.finish();
      },
      { waitFor: (out) => / 1\.002000\n/.test(out) },
    );
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Tracing sleeps. Hit Ctrl-C to end.');
    expect(lines[1]).toMatch(/^TIME\s+PPID\s+PCOMM\s+PID\s+COMM\s+SECONDS$/);
    // The fixture's parent is this test's process.
    const parent = [String(process.pid), readFileSync('/proc/self/comm', 'utf8').trim()];
    const rows = lines.slice(2).filter((l) => l !== '').map((l) => l.split(/\s+/));
    for (const row of rows) {
      expect(row[0]).toMatch(/^\d\d:\d\d:\d\d$/);
      expect(row.slice(1, 5)).toEqual([...parent, String(w.pid), 'sleeps']);
    }
    // The absolute request's deadline is the one the fixture printed.
    const deadline = w.stdout().trim();
    expect(deadline).toMatch(/^\d+\.\d{6}$/);
    expect(rows.map((row) => row[5])).toEqual(['0.123000', '0.045000', `@${deadline}`, '1.002000']);
  });
});
