import { describe, expect, it } from 'vitest';
import { collapseBpftraceJson, collapseBpftraceText } from './bpftrace.js';
import { CollapseFormatError } from '../errors.js';

const entries = (m: Map<string, number>): [string, number][] => [...m.entries()];

describe('collapseBpftraceText', () => {
  it('reads a map keyed by one kernel stack, dropping offsets', () => {
    const text = '@[\n        schedule+45\n        do_nanosleep+0x3a\n]: 12\n@[\n        schedule+45\n        do_poll+100\n]: 3\n';
    expect(entries(collapseBpftraceText(text))).toEqual([
      ['do_nanosleep;schedule', 12],
      ['do_poll;schedule', 3],
    ]);
  });

  it('drops the file and line of debug-info frames and the mark of inlined ones', () => {
    const text = '@[\n        [inlined] clock_now@/src/app.c:12\n        tick+24@/src/app.c:40\n        main+9@/src/app.c:71\n]: 5\n';
    expect(entries(collapseBpftraceText(text, { map: '@' }))).toEqual([['main;tick;clock_now', 5]]);
  });

  it('keeps offsets when asked and merges equal stacks', () => {
    const text = '@s[\n        f+1\n        g+2\n]: 1\n@s[\n        f+1\n        g+2\n]: 2\n@other[x]: 9\n';
    expect(entries(collapseBpftraceText(text, { keepOffsets: true, map: 's' }))).toEqual([['g+2;f+1', 3]]);
  });

  it('puts values before stacks, e.g. @[comm, pid, ustack]', () => {
    const text = '@[bash, 42, \n        read+4\n        main+9\n]: 5\n';
    expect(entries(collapseBpftraceText(text))).toEqual([['bash;42;main;read', 5]]);
  });

  it('reads an empty kstack as bpftrace 0.17 prints it (nothing) without marking the ustack as kernel', () => {
    const text = '@[, \n    PlatformWorkerThread(void*)+401\n    start_thread+773\n, node]: 1\n';
    expect(entries(collapseBpftraceText(text, { kernel: true }))).toEqual([['node;start_thread;PlatformWorkerThread(void*)', 1]]);
  });

  it('reads perf-mode stacks (address, symbol, module)', () => {
    const text = '@[\n\tffffffff8100a1b2 schedule+45 ([kernel.kallsyms])\n\tffffffff8100c3d4 do_idle+12 ([kernel.kallsyms])\n]: 2\n';
    expect(entries(collapseBpftraceText(text))).toEqual([['do_idle;schedule', 2]]);
  });

  it('skips lines that are not map entries', () => {
    expect(entries(collapseBpftraceText('Attaching 1 probe...\n\n@[bash]: 3\n'))).toEqual([['bash', 3]]);
  });
});

describe('collapseBpftraceJson', () => {
  it('reads one pretty-printed document or one message per line', () => {
    const doc = '{"type": "map", "data": {\n  "@": {\n    "\\nf\\ng\\n": 2}\n}}';
    expect(entries(collapseBpftraceJson(doc))).toEqual([['g;f', 2]]);
    const nd = '{"type": "attached_probes", "data": {"probes": 1}}\n{"type": "map", "data": {"@": {"\\nf\\n,bash": 4}}}\n';
    expect(entries(collapseBpftraceJson(nd, { kernel: true }))).toEqual([['bash;f_[k]', 4]]);
  });

  it('ignores maps whose values are not counts', () => {
    const nd = '{"type": "map", "data": {"@h": {"\\nf\\n": [1, 2]}}}\n';
    expect(entries(collapseBpftraceJson(nd))).toEqual([]);
  });

  it('reports the line of broken JSON', () => {
    expect(() => collapseBpftraceJson('{"type": "map", "data": {}}\n{oops\n')).toThrow(CollapseFormatError);
    expect(() => collapseBpftraceJson('{"type": "map", "data": {}}\n{oops\n')).toThrow(/line 2/);
  });
});
