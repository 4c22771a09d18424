// cpufreq's reading of the cpufreq driver's current frequencies, from a made-up sysfs tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentFrequencies } from './cpufreq.js';

describe('currentFrequencies', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads scaling_cur_freq of each CPU that has one, skipping the rest', () => {
    root = mkdtempSync(join(tmpdir(), 'bpfkit-cpufreq-'));
    for (const [cpu, khz] of [['cpu0', '2400000\n'], ['cpu3', '800000\n']] as const) {
      mkdirSync(join(root, cpu, 'cpufreq'), { recursive: true });
      writeFileSync(join(root, cpu, 'cpufreq', 'scaling_cur_freq'), khz);
    }
    mkdirSync(join(root, 'cpu1'));
    mkdirSync(join(root, 'cpufreq'));
    mkdirSync(join(root, 'cpuidle'));
    expect([...currentFrequencies(root)]).toEqual([
      [0, 2400000],
      [3, 800000],
    ]);
  });

  it('finds none where there is no CPU directory', () => {
    root = mkdtempSync(join(tmpdir(), 'bpfkit-cpufreq-'));
    expect(currentFrequencies(join(root, 'missing')).size).toBe(0);
  });
});
