import { describe, expect, it } from 'vitest';
import { Helper } from '../../isa/helpers.js';
import { compile } from '../compile.js';
import { helperChecked } from './runtime-errors.js';

describe('run-time error checks', () => {
  it('check helper failures by warning level, as bpftrace does', () => {
    expect([0, 1, 2].map((l) => helperChecked(l as 0 | 1 | 2, Helper.map_update_elem))).toEqual([false, true, true]);
    expect([0, 1, 2].map((l) => helperChecked(l as 0 | 1 | 2, Helper.probe_read_user))).toEqual([false, false, true]);
    expect([0, 1, 2].map((l) => helperChecked(l as 0 | 1 | 2, Helper.map_lookup_elem))).toEqual([false, false, true]);
  });

  it('give each failing place one event with its source site and macro expansions', () => {
    const src = 'macro put(k) { @a[k] = 1; } begin { put(1); put(2); @b[1] = 2; $x = @b[3]; }';
    const events = (level: 0 | 1 | 2) => compile(src, 'stdin', { warningLevel: level, btf: () => undefined }).artifact!.events.filter((e) => e.kind === 'runtime_error');
    const one = events(1);
    // Two macro expansions and the direct @b update; the read of @b is checked only at level 2.
    expect(one.map((e) => [e.helper, e.locations.map((l) => l.location)])).toEqual([
      ['map_update_elem', ['stdin:1:16-25', 'stdin:1:37-43']],
      ['map_update_elem', ['stdin:1:16-25', 'stdin:1:45-51']],
      ['map_update_elem', ['stdin:1:53-62']],
    ]);
    expect(events(2).map((e) => e.helper)).toEqual(['map_update_elem', 'map_update_elem', 'map_update_elem', 'map_lookup_elem']);
    expect(events(0)).toEqual([]);
  });
});
