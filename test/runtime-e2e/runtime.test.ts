// End to end: the bpfkit command compiles a script, loads it into this kernel, attaches it, traces a workload
// the test starts (filtered on its pid), and prints what bpftrace prints. Expected outputs are worked out from
// the workload's known syscalls and bpftrace's documented formats (tests/runtime in bpftrace's tree for cases).
import { rmSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfkit, bpfkitUntilSignal, prepare, runWorkload, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping runtime end-to-end tests: ${skip}`);

const bar = (n: number): string => '@'.repeat(n).padEnd(52);

describe.skipIf(skip !== false)('bpfkit runs bpftrace programs end to end', () => {
  let tools: Tools;
  beforeAll(async () => {
    tools = await prepare();
  });
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('counts a -c command\'s syscalls, filtered on cpid, and exits when it exits', () => {
    const r = bpfkit(tools, ['-c', `${tools.workload} getpid 5`, '-e', 'tracepoint:syscalls:sys_enter_getpid /pid == cpid/ { @ = count(); }']);
    expect(r).toEqual({ code: 0, stdout: '\n\n@: 5\n', stderr: 'Attached 1 probe\n' });
  });

  it('prints printf events in order, then end probes, then maps by name with hist, lhist, stats and max', () => {
    const r = bpfkit(tools, [
      '-c',
      `${tools.workload} read 1 2 3 4 5 100 1000 70000`,
      '-e',
      'tracepoint:syscalls:sys_enter_read /pid == cpid && args.fd == 100/ { printf("read %d\\n", args.count); @h = hist(args.count); ' +
        '@l = lhist(args.count, 0, 10, 2); @s = stats(args.count); @m[comm] = max(args.count); } END { printf("end\\n"); }',
    ]);
    const hist = [
      ['[1]', 1], ['[2, 4)', 2], ['[4, 8)', 2], ['[8, 16)', 0], ['[16, 32)', 0], ['[32, 64)', 0], ['[64, 128)', 1], ['[128, 256)', 0],
      ['[256, 512)', 0], ['[512, 1K)', 1], ['[1K, 2K)', 0], ['[2K, 4K)', 0], ['[4K, 8K)', 0], ['[8K, 16K)', 0], ['[16K, 32K)', 0],
      ['[32K, 64K)', 0], ['[64K, 128K)', 1],
    ] as const;
    const lhist = [['[0, 2)', 1], ['[2, 4)', 2], ['[4, 6)', 2], ['[6, 8)', 0], ['[8, 10)', 0], ['[10, ...)', 3]] as const;
    const rows = (rs: readonly (readonly [string, number])[], max: number): string =>
      rs.map(([label, n]) => `${label.padEnd(16)}${String(n).padStart(8)} |${bar(Math.trunc((52 * n) / max))}|\n`).join('');
    expect(r.stderr).toBe('Attached 2 probes\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [1, 2, 3, 4, 5, 100, 1000, 70000].map((n) => `read ${n}\n`).join('') +
        'end\n\n\n' +
        `@h:\n${rows(hist, 2)}\n` +
        `@l:\n${rows(lhist, 3)}\n` +
        '@m[workload]: 70000\n' +
        '@s: { .count = 8, .average = 8889, .total = 71115 }\n',
    );
  });

  it('orders keyed maps by value and prints strings from user memory', () => {
    const path = '/nonexistent/bpfkit-e2e';
    const r = bpfkit(tools, [
      '-c',
      `${tools.workload} open ${path} 3`,
      '-e',
      `tracepoint:syscalls:sys_enter_openat /pid == cpid/ { @[str(args.filename)] = count(); }`,
    ]);
    expect(r.code).toBe(0);
    // The dynamic loader opens its own files once each; the workload's path is the only one opened 3 times.
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('@['));
    expect(lines.at(-1)).toBe(`@[${path}]: 3`);
    expect(lines.slice(0, -1).every((l) => l.endsWith(': 1'))).toBe(true);
  });

  it('runs begin probes first and end probes last, and exit() stops the run with its code', () => {
    const r = bpfkit(tools, ['-e', 'BEGIN { printf("one\\n"); } BEGIN { printf("two\\n"); exit(3); } END { printf("end\\n"); @x = 7; }']);
    expect(r).toEqual({ code: 3, stdout: 'one\ntwo\nend\n\n\n@x: 7\n', stderr: 'Attached 3 probes\n' });
  });

  it('stops by itself when only begin and end probes exist', () => {
    const r = bpfkit(tools, ['-q', '-e', 'BEGIN { @a[1] = 10; @a[2] = 5; @b = sum(5); }']);
    expect(r).toEqual({ code: 0, stdout: '\n\n@a[2]: 5\n@a[1]: 10\n@b: 5\n', stderr: '' });
  });

  it('writes JSON with -f json, attach line included', () => {
    const r = bpfkit(tools, ['-f', 'json', '-e', 'BEGIN { printf("hi %d\\n", 1); @c[5] = count(); @c[5] = count(); exit(); }']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '{"type": "attached_probes", "count": 1, "data": {"probes": 1}}\n' +
        '{"type": "printf", "data": "hi 1\\n"}\n' +
        '{"type": "map", "data": {"@c": {"5": 2}}}\n',
    );
  });

  it('writes the output to -o FILE and keeps the attach line on stderr', () => {
    const file = join(tools.dir, 'out.txt');
    const r = bpfkit(tools, ['-o', file, '-e', 'BEGIN { printf("to file\\n"); exit(); }']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', 'Attached 1 probe\n']);
    expect(readFileSync(file, 'utf8')).toBe('to file\n\n\n');
  });

  it('takes positional parameters and a program on stdin', () => {
    const r = bpfkit(tools, ['-q', '-', 'hello', '42'], { input: 'BEGIN { printf("%s %d\\n", str($1), $2); exit(); }' });
    expect(r).toEqual({ code: 0, stdout: 'hello 42\n\n\n', stderr: '' });
  });

  it('runs a script file that starts with a #!/usr/bin/env bpfkit line', () => {
    const file = join(tools.dir, 'script.bt');
    writeFileSync(file, '#!/usr/bin/env bpfkit\nBEGIN { printf("from a file\\n"); exit(); }\n');
    chmodSync(file, 0o755);
    const r = bpfkit(tools, ['-q', file]);
    expect(r).toEqual({ code: 0, stdout: 'from a file\n\n\n', stderr: '' });
  });

  it('on SIGINT runs end probes, prints maps and exits 0', async () => {
    const r = await bpfkitUntilSignal(
      tools,
      ['-e', 'tracepoint:syscalls:sys_enter_getpid /comm == "workload"/ { @calls = count(); } END { printf("bye\\n"); }'],
      () => runWorkload(tools, ['getpid', '4']),
    );
    // The end probe counts as attached, as in bpftrace.
    expect(r).toEqual({ code: 0, stdout: '__BPFTRACE_NOTIFY_PROBES_ATTACHED\nbye\n\n\n@calls: 4\n', stderr: 'Attached 2 probes\n' });
  });

  it('treats SIGTERM like SIGINT', async () => {
    const r = await bpfkitUntilSignal(
      tools,
      ['-q', '-e', 'tracepoint:syscalls:sys_enter_getpid /comm == "workload"/ { @calls = count(); }'],
      () => runWorkload(tools, ['getpid', '2']),
      'SIGTERM',
    );
    expect(r).toEqual({ code: 0, stdout: '__BPFTRACE_NOTIFY_PROBES_ATTACHED\n\n\n@calls: 2\n', stderr: '' });
  });

  it('with -p PID stops when that process exits', async () => {
    const { spawn } = await import('node:child_process');
    const spinner = spawn(tools.workload, ['spin', '2'], { stdio: 'ignore' });
    const pid = spinner.pid!;
    const r = bpfkit(tools, ['-q', '-p', String(pid), '-e', `tracepoint:syscalls:sys_enter_getpid /pid == ${pid}/ { @calls = count(); }`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // The loop's own calls were counted, and nothing else printed: the run ended because the process did.
    expect(r.stdout).toMatch(/^\n\n@calls: [1-9]\d*\n$/);
  });

  it('loads and attaches but runs nothing with --dry-run', () => {
    const r = bpfkit(tools, ['--dry-run', '-e', 'tracepoint:syscalls:sys_enter_getpid { @ = count(); }']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('lists tracepoints with their fields, and the probes of a program', () => {
    const r = bpfkit(tools, ['-lv', 'tracepoint:syscalls:sys_enter_getpid']);
    expect(r).toEqual({ code: 0, stdout: 'tracepoint:syscalls:sys_enter_getpid\n    int __syscall_nr\n', stderr: '' });
    const p = bpfkit(tools, ['-l', '-e', 'interval:ms:5 { } software:cs:10 { } tracepoint:syscalls:sys_enter_getpid { }']);
    expect(p).toEqual({ code: 0, stdout: 'interval:ms:\nsoftware:cs:\ntracepoint:syscalls:sys_enter_getpid\n', stderr: '' });
  });

  it('lists the functions of a binary as uprobes, spelled as the path was given', () => {
    const r = bpfkit(tools, ['-l', 'uprobe:./workload:mai*'], { cwd: tools.dir });
    expect(r).toEqual({ code: 0, stdout: 'uprobe:./workload:main\n', stderr: '' });
  });

  it('validates -p as bpftrace does', () => {
    expect(bpfkit(tools, ['-p', 'a1', '-e', 'BEGIN { }'])).toEqual({ code: 1, stdout: '', stderr: 'ERROR: Failed to parse pid: invalid integer: a1\n' });
    expect(bpfkit(tools, ['-p', '5000000', '-e', 'BEGIN { }'])).toEqual({ code: 1, stdout: '', stderr: 'ERROR: Pid out of range: 5000000\n' });
  });

  it('attaches only the probes --probe-filter matches, begin and end always', () => {
    const r = bpfkit(tools, [
      '--probe-filter',
      ':200',
      '-e',
      'BEGIN { printf("begin\\n"); } interval:ms:100 { printf("bad\\n"); exit(); } interval:ms:200 { printf("hit\\n"); exit(); } END { printf("end\\n"); }',
    ]);
    expect(r).toEqual({ code: 0, stdout: 'begin\nhit\nend\n\n\n', stderr: 'Attached 3 probes\n' });
  });

  it('joins a string array up to the strings the probe read', () => {
    const r = bpfkit(tools, ['-q', '-c', `${tools.workload} getpid 1`, '-e', 'tracepoint:syscalls:sys_enter_execve /pid == cpid/ { join(args.argv, ","); }']);
    expect(r).toEqual({ code: 0, stdout: `${tools.workload},getpid,1\n\n\n`, stderr: '' });
  });

  it('refuses system() without --unsafe', () => {
    const r = bpfkit(tools, ['-q', '-e', 'BEGIN { system("echo hi"); exit(); }']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const ok = bpfkit(tools, ['-q', '--unsafe', '-e', 'BEGIN { system("echo hi"); exit(); }']);
    expect(ok).toEqual({ code: 0, stdout: 'hi\n\n\n\n', stderr: '' });
  });
});
