// `bpfkit flamegraph` and `bpfkit collapse` as users run them (the CLI bundled from source by scripts/run-ts.mjs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFlameGraph } from '../../src/flamegraph/index.js';
import { checkXml } from './xml-check.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
let dir: string;

function bpfkit(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'src/cli/main.ts', ...args], {
    input: input ?? '',
    encoding: 'utf8',
    cwd: new URL('../../', import.meta.url).pathname,
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^npm warn.*\n/gm, '') };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpfkit-fg-cli-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('bpfkit flamegraph', () => {
  it('reads stdin and accepts flamegraph.pl spellings and abbreviations', () => {
    const input = readFileSync(join(fixtures, 'cpu.folded'), 'utf8');
    const r = bpfkit(['flamegraph', '--title=CPU', '--color', 'java', '--inv', '-width', '800', '--minwidth', '0.5%'], input);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(checkXml(r.stdout).errors).toEqual([]);
    const expected = renderFlameGraph(input, { title: 'CPU', colors: 'java', inverted: true, width: 800, minWidth: '0.5%' });
    expect(r.stdout).toBe(expected);
  });

  it('draws a differential from two files with --diff', () => {
    const r = bpfkit(['flamegraph', '--diff', join(fixtures, 'before.folded'), join(fixtures, 'after.folded')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('<title>paint (35 samples, 29.17%; +20.83%)</title>');
  });

  it('writes and reuses a consistent palette with --cp', () => {
    const palette = join(dir, 'palette.map');
    writeFileSync(palette, 'main->rgb(1,2,3)\n');
    const r = bpfkit(['flamegraph', '--cp', '--palette-file', palette], 'app;main;work 120\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/<title>main [^<]*<\/title><rect [^>]*fill="rgb\(1,2,3\)"/);
    expect(readFileSync(palette, 'utf8')).toMatch(/^->rgb\(.*\napp->rgb\(.*\nmain->rgb\(1,2,3\)\nwork->rgb\(/);
  });

  it('reports bad options and missing files without a stack trace', () => {
    const bad = bpfkit(['flamegraph', '--colors', 'pink']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Unknown palette: pink');
    const ambiguous = bpfkit(['flamegraph', '--c', 'x']);
    expect(ambiguous.stderr).toContain('Option --c is ambiguous');
    const missing = bpfkit(['flamegraph', join(dir, 'nope.folded')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read .*nope.folded: no such file/);
    expect(missing.stderr).not.toContain('    at ');
  });

  it('exits 2 with an error picture when there are no stacks', () => {
    const r = bpfkit(['flamegraph'], 'garbage\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Ignored 1 lines with invalid format');
    expect(r.stdout).toContain('No valid input');
  });

  it('documents its options in --help', () => {
    const r = bpfkit(['flamegraph', '--help']);
    expect(r.status).toBe(0);
    for (const o of ['--title', '--minwidth', '--colors', '--cp', '--inverted', '--flamechart', '--negate', '--notes'])
      expect(r.stdout).toContain(o);
  });
});

describe('bpfkit collapse', () => {
  it('collapses perf script output', () => {
    const r = bpfkit(['collapse', 'perf', '--all', join(fixtures, 'perf-script.txt')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(new URL('./golden/perf-script.folded', import.meta.url), 'utf8'));
  });

  it('collapses bpftrace maps from stdin, text and JSON alike', () => {
    const text = bpfkit(['collapse', 'bpftrace', '--kernel'], readFileSync(join(fixtures, 'bpftrace-map.txt'), 'utf8'));
    const json = bpfkit(['collapse', 'json', '--kernel', '--map', '@'], readFileSync(join(fixtures, 'bpftrace-map.ndjson'), 'utf8'));
    expect(text.status).toBe(0);
    expect(json.status).toBe(0);
    expect(text.stdout).toContain('swapper/1;secondary_startup_64_no_verify_[k];');
    expect(json.stdout).toBe(readFileSync(new URL('./golden/bpftrace-map-json.folded', import.meta.url), 'utf8'));
  });

  it('rejects an unknown format', () => {
    const r = bpfkit(['collapse', 'dtrace']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Unknown format: dtrace');
  });
});
