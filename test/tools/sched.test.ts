// The scheduler and syscall tools end to end, on a fixture that makes a known number of nanosleep() calls
// once released, so that each tool can be filtered to its pid and count what it did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, compileFixture, histogram, removeBundle, skipReason, startGated, total, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping scheduler tool tests: ${skip}`);

// x86_64's syscall number of clock_nanosleep, which glibc's nanosleep() calls.
const CLOCK_NANOSLEEP = 230;
const NAPS = 40;

describe.skipIf(skip !== false)('scheduler tools', () => {
  let b: Bundle;
  let naps: string;
  beforeAll(async () => {
    b = await bundleCli();
    naps = compileFixture(b, 'naps');
  });
  afterAll(() => removeBundle(b));

  async function traceNaps(tool: string, args: string[]): Promise<{ stdout: string; stderr: string; pid: number }> {
    const w = startGated(naps, [String(NAPS), '2000']);
    const r = await traceWhile(b, [tool, '-p', String(w.pid), ...args], async () => {
      await w.go();
      await w.finish();
    });
    return { stdout: r.stdout, stderr: r.stderr, pid: w.pid };
  }

  it('syscount counts exactly the fixture’s clock_nanosleep calls', async () => {
    const r = await traceNaps('syscount', []);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`@calls[${CLOCK_NANOSLEEP}]: ${NAPS}\n`);
  });

  it('syscount -L adds the time summed per syscall', async () => {
    const r = await traceNaps('syscount', ['-L']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`@calls[${CLOCK_NANOSLEEP}]: ${NAPS}\n`);
    const m = new RegExp(`@usecs\\[${CLOCK_NANOSLEEP}\\]: (\\d+)`).exec(r.stdout);
    expect(m).not.toBeNull();
    // Each nap asked for 2 ms, and a sleep never ends early.
    expect(Number(m![1])).toBeGreaterThanOrEqual(NAPS * 2000);
  });

  it('syscount -P counts by process name', async () => {
    const r = await traceNaps('syscount', ['-P']);
    expect(r.stderr).toBe('');
    const m = /@calls\[naps\]: (\d+)/.exec(r.stdout);
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(NAPS);
  });

  it('runqlat sees a run queue wait for every wakeup from a nap', async () => {
    const r = await traceNaps('runqlat', []);
    expect(r.stderr).toBe('');
    // One wakeup per nap, and maybe a few more (the release, preemption).
    expect(total(histogram(r.stdout, '@usecs:'))).toBeGreaterThanOrEqual(NAPS);
  });

  it('cpudist sees the fixture leave the CPU at every nap', async () => {
    const r = await traceNaps('cpudist', []);
    expect(r.stderr).toBe('');
    expect(total(histogram(r.stdout, '@usecs:'))).toBeGreaterThanOrEqual(NAPS);
  });

  it('cpudist -O puts every nap of 2 ms in the [2ms, 4ms) off-CPU bucket or above', async () => {
    const r = await traceNaps('cpudist', ['-O', '-m']);
    expect(r.stderr).toBe('');
    const h = histogram(r.stdout, '@msecs:');
    let atLeast2 = 0;
    for (const [bucket, n] of h) if (/^\[(\d+)/.exec(bucket) && Number(/^\[(\d+)/.exec(bucket)![1]) >= 2) atLeast2 += n;
    expect(atLeast2).toBeGreaterThanOrEqual(NAPS - 1);
  });

  it('offcputime sums the naps under the kernel stack of nanosleep', async () => {
    const r = await traceNaps('offcputime', ['-K']);
    expect(r.stderr).toBe('');
    const entries = r.stdout.split('@us[').slice(1);
    const nap = entries.filter((e) => e.includes('do_nanosleep') && /, naps\]: \d+/.test(e));
    expect(nap).toHaveLength(1);
    const us = Number(/, naps\]: (\d+)/.exec(nap[0]!)![1]);
    expect(us).toBeGreaterThanOrEqual(NAPS * 2000);
  });
});
