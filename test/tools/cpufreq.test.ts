// cpufreq end to end. This kind of VM has no cpufreq driver, so power:cpu_frequency never fires and no CPU
// reports a current frequency: the tool must run, print its header and end after its duration with no
// histogram. The sampling itself is checked with the lines the tool writes where a driver reports the
// frequencies (one @curfreq per CPU in BEGIN), added here with made-up values.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentFrequencies } from '../../src/tools/cpufreq.js';
import { bundleCli, compileFixture, histogram, removeBundle, skipReason, startGated, tool, total, until, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping cpufreq tests: ${skip}`);
const known = currentFrequencies();
if (known.size === 0) console.log('cpufreq: no CPU reports its frequency here (no cpufreq driver), so the tool counts no sample');

describe.skipIf(skip !== false)('cpufreq', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('runs for its duration and prints a histogram only for frequencies it knows', () => {
    const r = tool(b, ['cpufreq', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Sampling CPU freq system-wide & by process. Ctrl-C to end.');
    if (known.size === 0) {
      expect(lines.slice(1).filter((l) => l !== '')).toEqual([]);
    } else {
      expect(total(histogram(r.stdout, '@system_mhz:'))).toBeGreaterThan(0);
    }
  });

  it('counts each sample of a process at the frequency last set for its CPU', async () => {
    const spin = compileFixture(b, 'spin');
    const w = startGated(spin, []);
    await until(() => w.stdout().includes('spinning'));
    const program = tool(b, ['cpufreq', '-p', String(w.pid), '-F', '49', '1', '--program']).stdout;
    // Every CPU at 2.4 GHz: each sample falls in [2400, 2600) MHz.
    const seeds = Array.from({ length: availableParallelism() }, (_, cpu) => `  @curfreq[${cpu}] = 2400000;`).join('\n');
    const seeded = program.replace(/^(BEGIN\n\{\n.*\n)/, `$1${seeds}\n`);
    expect(seeded).not.toBe(program);
    const r = spawnSync(process.execPath, [b.cli, '-q', '-e', seeded], { encoding: 'utf8', timeout: 60_000 });
    await w.finish();
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const mine = histogram(r.stdout, '@process_mhz[spin]:');
    expect(total(mine)).toBeGreaterThan(0);
    expect([...mine].filter(([, n]) => n > 0).map(([bucket]) => bucket)).toEqual(['[2400, 2600)']);
    const system = histogram(r.stdout, '@system_mhz:');
    expect([...system].filter(([, n]) => n > 0)).toEqual([['[2400, 2600)', total(mine)]]);
  });
});
