// User-space probe expansion on real binaries: globs on the path, the provider, the probe name and the symbol,
// and -p PID with no path (every file the process maps). Each expanded probe is loaded, attached and fired by
// the test's own workload.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import type { CompileOptions } from '../../src/lang/index.js';
import { gcc, startWorkload, type Workload } from '../support/kernel-testkit.js';
import { compileOk, load, sumPerCpu, type Loaded } from './harness.js';

let loaded: Loaded | undefined;
let workload: Workload | undefined;
let dir: string | undefined;
afterEach(() => {
  loaded?.close();
  loaded = undefined;
  workload?.close();
  workload = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function build(fixture: string, name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'bpfkit-user-probes-'));
  const binary = join(dir, name);
  gcc(['-O2', '-o', binary, join(import.meta.dirname, '../fixtures/uprobe', fixture)]);
  return binary;
}

function count(l: Loaded, map: string): bigint {
  const m = l.maps.get(map)!;
  // Keyless counts are per-CPU arrays keyed by a u32 0.
  return sumPerCpu(m.lookupPerCpu(new Uint8Array(m.spec.keySize)) ?? []);
}

/** Starts the workload, compiles the script for its pid (PID in the source), attaches, lets it run. */
async function traceRun(binary: string, args: string[], script: string, options: (pid: number) => CompileOptions = () => ({})): Promise<Loaded> {
  workload = await startWorkload(binary, args);
  const pid = workload.pid;
  loaded = load(compileOk(script.replaceAll('PID', String(pid)), options(pid)));
  await workload.go();
  return loaded;
}

describe('usdt wildcards', () => {
  it('matches probe names and providers by glob in one binary', async () => {
    const binary = build('usdt.c', 'usdt-a');
    const l = await traceRun(binary, ['4'], `usdt:${binary}:bpfk*:t?ck /pid == PID/ { @n = count(); @probe[probe] = 1; }`);
    expect(l.artifact.probes.map((p) => p.probe)).toEqual([`usdt:${binary}:bpfkit:tick`]);
    expect(count(l, '@n')).toBe(4n);
  });

  it('matches every probe of the files a path glob names', () => {
    build('usdt.c', 'usdt-glob1');
    build('usdt.c', 'usdt-glob2');
    const art = compileOk(`usdt:${dir}/usdt-glob*:* { @n = count(); }`);
    expect(art.probes.map((p) => p.probe)).toEqual([`usdt:${dir}/usdt-glob1:bpfkit:tick`, `usdt:${dir}/usdt-glob2:bpfkit:tick`]);
  });

  it('with -p and no path, finds the probe in the files the process maps', async () => {
    const binary = build('usdt.c', 'usdt-p');
    const l = await traceRun(binary, ['3'], `usdt:::tick /pid == PID/ { @n = count(); }`, (pid) => ({ pid }));
    expect(l.artifact.probes.map((p) => p.probe)).toEqual([`usdt:${binary}:bpfkit:tick`]);
    expect(count(l, '@n')).toBe(3n);
  });
});

describe('uprobe wildcards', () => {
  it('expands a symbol glob to the functions it matches and fires them', async () => {
    const binary = build('structs.c', 'structs-u');
    const l = await traceRun(binary, ['2'], `uprobe:${binary}:tak? /pid == PID/ { @n = count(); }`);
    expect(l.artifact.probes.map((p) => p.probe)).toEqual([`uprobe:${binary}:take`]);
    expect(count(l, '@n')).toBe(1n);
  });

  it('matches C++ functions by their demangled names', async () => {
    dir ??= mkdtempSync(join(tmpdir(), 'bpfkit-user-probes-'));
    const binary = join(dir, 'cpp');
    execFileSync('g++', ['-O2', '-o', binary, join(import.meta.dirname, '../fixtures/uprobe/cpp.cc')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const l = await traceRun(binary, ['5'], `uprobe:${binary}:"ns::Counter::bu*" /pid == PID/ { @n = count(); @sum = sum(arg1); }`);
    expect(l.artifact.probes.map((p) => p.probe)).toEqual([`uprobe:${binary}:_ZN2ns7Counter4bumpEl`]);
    expect(count(l, '@n')).toBe(5n);
    expect(count(l, '@sum')).toBe(0n + 1n + 2n + 3n + 4n);
  });

  it('with -p and a `*` path, searches every file the process maps', async () => {
    const binary = build('structs.c', 'structs-p');
    const l = await traceRun(binary, ['2'], `uprobe:*:tak? /pid == PID/ { @n = count(); }`, (pid) => ({ pid }));
    expect(l.artifact.probes.map((p) => p.probe)).toContain(`uprobe:${binary}:take`);
    expect(count(l, '@n')).toBe(1n);
  });
});
