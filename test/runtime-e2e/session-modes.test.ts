// End to end: the session's other ways of running a script. Bench mode (--mode bench) times each bench: probe
// with BPF_PROG_TEST_RUN and prints bpftrace's table or JSON records instead of attaching anything; an iter:
// script ends by itself once the iterator has been read through; -c's command is the process watchpoints watch.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveHardwareBreakpoints, haveIter } from '../../src/kernel/features.js';
import { bpfkit, prepare, ROOT, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping session end-to-end tests: ${skip}`);
const iter = skip ? { ok: false, reason: skip } : haveIter('task');
if (!skip && !iter.ok) console.log(`skipping the iter session tests: ${iter.reason}`);
const breakpoints = skip ? { ok: false, reason: skip } : haveHardwareBreakpoints();
if (!skip && !breakpoints.ok) console.log(`skipping the watchpoint session tests: ${breakpoints.reason}`);

// bpftrace's table: the name column is 41 wide (40 or the longest name, plus one), the time column 15.
const TABLE_HEAD = `${'Benchmark'.padEnd(41)}${'Time(ns)'.padEnd(15)}Iterations\n${'-'.repeat(66)}\n`;
const tableRow = (name: string): RegExp => new RegExp(`^${name} {${41 - name.length}}(\\d+) +(\\d+)$`);

describe.skipIf(skip !== false)('session modes end to end', () => {
  let tools: Tools;
  beforeAll(async () => {
    tools = await prepare();
  });
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('bench mode prints the table, drops output from the runs, runs end probes and prints no maps', () => {
    const r = bpfkit(tools, ['--mode', 'bench', '-e', 'begin { printf("begin\\n"); } bench:a { @ = count(); } end { printf("end\\n"); print(@); clear(@); }']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith(TABLE_HEAD)).toBe(true);
    const lines = r.stdout.slice(TABLE_HEAD.length).split('\n');
    const row = tableRow('a').exec(lines[0]!);
    expect(row).not.toBeNull();
    const iterations = Number(row![2]);
    expect(iterations).toBeGreaterThan(0);
    // The runs grow until they pass the threshold: every run counted, the last batch alone `iterations` long.
    expect(lines[1]).toBe('end');
    const total = /^@: (\d+)$/.exec(lines[2]!);
    expect(total).not.toBeNull();
    expect(Number(total![1])).toBeGreaterThanOrEqual(iterations);
    expect(lines.slice(3)).toEqual(['', '', '']);
  });

  it('bench mode in JSON prints one benchmark_result record per bench probe, in script order', () => {
    const r = bpfkit(tools, ['-q', '-f', 'json', '--mode', 'bench', '-e', 'bench:a { @a++; } bench:bb { @b++; } bench:c { @c++; }']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, { average: number; iters: number }> });
    expect(records.map((x) => x.type)).toEqual(['benchmark_result', 'benchmark_result', 'benchmark_result']);
    expect(records.map((x) => Object.keys(x.data))).toEqual([['a'], ['bb'], ['c']]);
    for (const x of records) {
      const [result] = Object.values(x.data);
      expect(Object.keys(result!)).toEqual(['average', 'iters']);
      expect(Number.isInteger(result!.average)).toBe(true);
      expect(result!.iters).toBeGreaterThan(0);
    }
  });

  it('bench mode fails a bench probe that reports an error, and still runs the others', () => {
    const r = bpfkit(tools, ['--mode', 'bench', '-e', 'bench:bad { errorf("no"); } bench:good { @ = count(); }']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("ERROR: Benchmark 'bad' failed.\n");
    const lines = r.stdout.split('\n');
    // The failed probe has no row; the table's head comes with the first row printed, which is index 0's only.
    expect(lines[0]).toMatch(tableRow('good'));
  });

  it('without --mode bench, a script of bench probes only has nothing to attach', () => {
    const r = bpfkit(tools, ['-e', 'bench:a { @ = count(); }']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'ERROR: No probes attached; use --bench to run benchmark probes.\n' });
  });

  it('rejects an unknown --mode and --bench after --mode', () => {
    expect(bpfkit(tools, ['--mode', 'fast', '-e', 'begin {}']).stderr).toBe("ERROR: USAGE: --mode can only be 'codegen', 'compiler-bench', 'bench', 'test' or 'format'.\n");
    expect(bpfkit(tools, ['--mode', 'bench', '--bench', '-e', 'begin {}']).stderr).toBe('ERROR: USAGE: --bench conflicts with existing --mode\n');
  });

  it.skipIf(!iter.ok)('an iter:task script ends once every task has been visited, without exit(), between begin and end', () => {
    const sleeper = spawnSync('sh', ['-c', 'sleep 60 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const pid = Number(sleeper.stdout.trim());
    try {
      const r = bpfkit(tools, [
        '-e',
        `begin { printf("begin\\n"); } iter:task /ctx.task->tgid == ${pid}/ { @tasks = count(); @tid = max(ctx.task->pid); } end { printf("end\\n"); }`,
      ]);
      expect(r).toEqual({ code: 0, stdout: `begin\nend\n\n\n@tasks: 1\n@tid: ${pid}\n`, stderr: 'Attached 3 probes\n' });
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it.skipIf(!breakpoints.ok)("-c's command is the only process a watchpoint watches", async () => {
    const writer = join(tools.dir, 'watch-write');
    const cc = spawnSync('gcc', ['-O1', '-o', writer, join(ROOT, 'test/fixtures/runtime/watch-write.c')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    // Another process writing the same address all the while: watched per CPU, its writes would count too.
    const other: ChildProcess = spawn(writer, ['loop'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const r = bpfkit(tools, ['-c', `${writer} 7`, '-e', 'watchpoint:0x10000000:1:w { @writes = count(); }']);
      expect(r).toEqual({ code: 0, stdout: '\n\n@writes: 7\n', stderr: 'Attached 1 probe\n' });
    } finally {
      other.kill('SIGKILL');
    }
  });
});
