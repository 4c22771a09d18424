// Golden files for what people review: SVGs and folded output from fixed fixtures.
// Regenerate with UPDATE_GOLDEN=1 npx vitest run test/flamegraph/golden.test.ts, then read the diff.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  collapseBpftraceJson,
  collapseBpftraceText,
  collapsePerf,
  diffFolded,
  formatFolded,
  renderFlameGraph,
} from '../../src/flamegraph/index.js';
import { checkXml } from './xml-check.js';

const update = process.env['UPDATE_GOLDEN'] === '1';
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function golden(name: string, actual: string): void {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (update || !existsSync(url)) {
    if (!update) throw new Error(`Missing golden file ${name}: run with UPDATE_GOLDEN=1`);
    writeFileSync(url, actual);
    return;
  }
  expect(actual).toBe(readFileSync(url, 'utf8'));
}

function svgGolden(name: string, svg: string): void {
  expect(checkXml(svg).errors).toEqual([]);
  golden(name, svg);
}

describe('flame graph goldens', () => {
  const cpu = fixture('cpu.folded');

  it('default flame graph', () => svgGolden('cpu.svg', renderFlameGraph(cpu)));

  it('icicle graph with the java palette and a subtitle', () =>
    svgGolden('cpu-icicle-java.svg', renderFlameGraph(cpu, { inverted: true, colors: 'java', subtitle: 'kernel frames in orange' })));

  it('reversed (merged from the leaves) with the hash key and the mem palette', () =>
    svgGolden('cpu-reverse-mem.svg', renderFlameGraph(cpu, { reverse: true, colors: 'mem', colorKey: 'hash', countName: 'bytes', width: 900 })));

  it('flame chart', () => svgGolden('cpu-flamechart.svg', renderFlameGraph(cpu, { flamechart: true, colors: 'blue' })));

  it('differential', () => {
    const diff = diffFolded(fixture('before.folded'), fixture('after.folded'));
    golden('diff.folded', diff);
    svgGolden('diff.svg', renderFlameGraph(diff, { title: 'Differential' }));
  });
});

describe('collapser goldens', () => {
  it('perf script with kernel annotations', () => {
    const result = collapsePerf(fixture('perf-script.txt'), { kernel: true, jit: true });
    expect(result.unrecognized).toEqual([]);
    golden('perf-script.folded', formatFolded(result.counts));
  });

  it('perf script with pids, only the page-faults event', () => {
    const result = collapsePerf(fixture('perf-script.txt'), { pid: true, eventFilter: 'page-faults' });
    golden('perf-script-faults.folded', formatFolded(result.counts));
  });

  it('bpftrace printed map of @[kstack, ustack, comm]', () => {
    golden('bpftrace-map.folded', formatFolded(collapseBpftraceText(fixture('bpftrace-map.txt'), { kernel: true })));
  });

  it('bpftrace JSON map of the same keys', () => {
    golden('bpftrace-map-json.folded', formatFolded(collapseBpftraceJson(fixture('bpftrace-map.ndjson'), { kernel: true, map: '@' })));
  });
});
