import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCpuList, possibleCpus } from './cpus.js';

describe('CPU lists', () => {
  it('parses ranges and single CPUs', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('0')).toEqual([0]);
    expect(() => parseCpuList('3-1')).toThrow(/Cannot parse CPU list/);
  });

  it('reads the possible CPUs from sysfs', () => {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8');
    expect(possibleCpus()).toEqual(parseCpuList(text));
    expect(possibleCpus().length).toBeGreaterThan(0);
  });
});
