import { describe, expect, it } from 'vitest';
import { collapsePerf } from './perf.js';

const sample = (header: string, frames: string[]): string => `${header}\n${frames.map((f) => `\t${f}`).join('\n')}\n\n`;

describe('collapsePerf', () => {
  it('folds a sample root first with the process name, summing periods', () => {
    const text =
      sample('app 10/11 [000] 1.0: 250 cycles: ', ['ffff0001 leaf+0x1 (/usr/bin/app)', 'ffff0002 main+0x2 (/usr/bin/app)']) +
      sample('app 10/11 [000] 1.1: 250 cycles: ', ['ffff0001 leaf+0x1 (/usr/bin/app)', 'ffff0002 main+0x2 (/usr/bin/app)']);
    expect([...collapsePerf(text).counts]).toEqual([['app;main;leaf', 500]]);
  });

  it('names process and thread with --tid, marks kernel frames, expands inlined chains', () => {
    const text = sample('my app 10/11 [000] 1.0: 1 cycles: ', [
      'ffffffff81000001 schedule+0x5 ([kernel.kallsyms])',
      '7f0000000001 inner->outer+0x10 (/usr/lib/libx.so)',
    ]);
    expect([...collapsePerf(text, { tid: true, kernel: true }).counts]).toEqual([['my_app-10/11;inner;outer_[i];schedule_[k]', 1]]);
  });

  it('names unknown symbols after their module, with addresses when asked', () => {
    const text = sample('app 10 [000] 1.0: 1 cycles: ', ['7f01 [unknown] (/usr/lib/libc.so.6)', '7f02 [unknown] ([unknown])']);
    expect([...collapsePerf(text).counts]).toEqual([['app;[unknown];[libc.so.6]', 1]]);
    expect([...collapsePerf(text, { addrs: true }).counts]).toEqual([['app;[unknown <7f02>];[libc.so.6 <7f01>]', 1]]);
  });

  it('keeps only the first event unless a filter is given', () => {
    const text =
      sample('app 10 [000] 1.0: 1 cycles: ', ['1 a+0x1 (/x)']) + sample('app 10 [000] 1.0: 1 faults: ', ['1 b+0x1 (/x)']);
    const result = collapsePerf(text);
    expect([...result.counts]).toEqual([['app;a', 1]]);
    expect(result.filteredEvent).toBe('cycles');
    expect([...collapsePerf(text, { eventFilter: 'faults' }).counts]).toEqual([['app;b', 1]]);
  });

  it('reports lines it does not understand', () => {
    expect(collapsePerf('garbage line\n').unrecognized).toEqual(['garbage line']);
  });
});
