import { describe, expect, it } from 'vitest';
import { ATTACH_KINDS, PROBED_MAP_TYPES, PROBED_PROG_TYPES, mapTypeName, progTypeName } from '../kernel/features.js';
import { infoReport } from './info.js';

describe('bpfkit --info', () => {
  it('lists the system facts and one row per probed item, each yes or no with a reason', () => {
    const text = infoReport();
    for (const heading of ['System', 'Program types', 'Map types', 'Attach kinds', 'Other']) expect(text.split('\n')).toContain(heading);
    for (const label of ['kernel release', 'BTF', 'lockdown', 'unprivileged_bpf_disabled', 'JIT']) expect(text).toMatch(new RegExp(`^  ${label} +\\S`, 'm'));
    const names = [...PROBED_PROG_TYPES.map(progTypeName), ...PROBED_MAP_TYPES.map(mapTypeName), ...ATTACH_KINDS.map(([n]) => n)];
    for (const name of names) {
      const re = new RegExp(`^  ${name.replace(/[()]/g, '\\$&')} +(yes|no \\(.+\\))$`, 'm');
      expect(text, name).toMatch(re);
    }
  });
});
