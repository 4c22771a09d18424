// End to end: how bpfkit resolves, checks, lists and attaches probes — uprobe sites checked before attaching
// (missing symbols, addresses, offsets past a function's end), probes that match nothing, raw tracepoints,
// binaries inside zip archives, self:signal probes, watchpoints, iterators, config precedence, and listings
// (-l with -p, iterators, type definitions). Expected values come from the fixture's own behaviour, from `nm`
// and from bpftool, never from bpfkit's readers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveHardwareBreakpoints, haveIter } from '../../src/kernel/features.js';
import { storedZip } from '../support/stored-zip.js';
import { bpfkit, bpfkitUntilSignal, prepare, ROOT, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping probe end-to-end tests: ${skip}`);

/** A symbol's address and size as binutils' nm reports them. */
function nmSymbol(file: string, name: string): { address: bigint; size: bigint } {
  const r = spawnSync('nm', ['-S', file], { encoding: 'utf8' });
  for (const line of r.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 4 && f[3] === name) return { address: BigInt(`0x${f[0]}`), size: BigInt(`0x${f[1]}`) };
    if (f.length === 3 && f[2] === name) return { address: BigInt(`0x${f[0]}`), size: 0n };
  }
  throw new Error(`nm found no ${name} in ${file}`);
}

describe.skipIf(skip !== false)('probe handling end to end', () => {
  let tools: Tools;
  let probes: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    tools = await prepare();
    probes = join(tools.dir, 'probes');
    const cc = spawnSync('gcc', ['-O1', '-no-pie', '-o', probes, join(ROOT, 'test/fixtures/probes/probes.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  });
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  /** Starts `probes sleep 30` and returns its pid once it runs the fixture (not the shell). */
  function sleeper(): number {
    const c = spawn(probes, ['sleep', '30'], { stdio: 'ignore' });
    children.push(c);
    return c.pid!;
  }

  it('counts calls through a uprobe on a function given by symbol and by address', () => {
    const { address } = nmSymbol(probes, 'probe_target');
    for (const site of ['probe_target', `0x${address.toString(16)}`]) {
      const r = bpfkit(tools, ['-c', `${probes} call 7`, '-e', `uprobe:${probes}:${site} { @ = count(); }`]);
      expect(r, site).toEqual({ code: 0, stdout: '\n\n@: 7\n', stderr: 'Attached 1 probe\n' });
    }
  });

  it('reports a function missing from the binary as no match, or skips it under missing_probes = "warn"', () => {
    const prog = `uprobe:./probes:probe_target,uprobe:./probes:no_such_function { exit(); }`;
    const r = bpfkit(tools, ['-e', prog]);
    expect(r.code).toBe(1);
    const missing = 'uprobe:./probes:no_such_function';
    const from = prog.indexOf(missing) + 1;
    expect(r.stderr.split('\n')[0]).toBe(`stdin:1:${from}-${from + missing.length}: ERROR: No matches for uprobe ./probes:no_such_function.`);
    // Warnings of a program that compiles go to stdout, as bpftrace prints them.
    const w = bpfkit(tools, ['--dry-run', '-e', `config = { missing_probes = "warn" } ${prog}`]);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('WARNING: No matches for uprobe ./probes:no_such_function. Skipping.');
  });

  it('refuses uprobe sites bpftrace refuses, in its words, before attaching anything', () => {
    const { size } = nmSymbol(probes, 'probe_target');
    const past = bpfkit(tools, ['-e', `uprobe:${probes}:probe_target+${size} { }`]);
    expect(past.code).toBe(1);
    expect(past.stderr.split('\n').slice(0, 2)).toEqual([
      `ERROR: Offset outside the function bounds ('probe_target' size is ${size})`,
      `ERROR: Unable to attach probe: uprobe:${probes}:probe_target+${size}. If this is expected, set the 'missing_probes' config variable to 'warn'.`,
    ]);
    const nowhere = bpfkit(tools, ['-e', `uprobe:${probes}:0x10 { }`]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr.split('\n')[0]).toBe(`ERROR: Could not resolve address: ${probes}:0x10`);
    // _init (from crti.o) has no size, so where it ends is unknown.
    expect(nmSymbol(probes, '_init').size).toBe(0n);
    const sizeless = bpfkit(tools, ['-e', `uprobe:${probes}:_init { }`]);
    expect(sizeless.code).toBe(1);
    expect(sizeless.stderr.split('\n').slice(0, 2)).toEqual([
      'ERROR: Could not determine boundary for _init (symbol has size 0).',
      'Use --unsafe to force attachment. WARNING: This option could lead to data corruption in the target process.',
    ]);
    expect(bpfkit(tools, ['--unsafe', '--dry-run', '-e', `uprobe:${probes}:_init { }`]).code).toBe(0);
  });

  it('reports a probe whose wildcards match nothing as having no attach points', () => {
    const r = bpfkit(tools, ['-e', 'rawtracepoint:no_such_tracepoint_* { }']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("stdin:1:1-35: ERROR: Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'.");
    const m = bpfkit(tools, ['-e', 'rawtracepoint:no_such_module:sys_exit { }']);
    expect(m.stderr.split('\n')[0]).toBe('stdin:1:1-38: ERROR: No matches for rawtracepoint no_such_module:sys_exit.');
  });

  it('attaches a uprobe to a function of a binary stored in a zip archive', () => {
    const zip = join(tools.dir, 'bundle.zip');
    writeFileSync(zip, storedZip([{ name: 'notes.txt', data: Buffer.from('x\n') }, { name: 'bin/probes', data: readFileSync(probes), extraLength: 5 }]));
    const r = bpfkit(tools, ['-e', `uprobe:"${zip}!/bin/probes":probe_target { } begin { exit(); }`]);
    expect(r).toEqual({ code: 0, stdout: '\n\n', stderr: 'Attached 2 probes\n' });
  });

  it('runs self:signal:SIGUSR1 probes in script order each time the signal arrives', async () => {
    const r = await bpfkitUntilSignal(tools, ['-e', 'self:signal:SIGUSR1 { printf("first"); } self:signal:SIGUSR1 { printf(" second\\n"); exit(); }'], () => undefined, 'SIGUSR1');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('__BPFTRACE_NOTIFY_PROBES_ATTACHED\nfirst second\n\n\n');
    expect(bpfkit(tools, ['-e', 'self:signal:SIGUSR2 { }']).stderr.split('\n')[0]).toBe('stdin:1:1-20: ERROR: SIGUSR2 is not a supported signal');
  });

  const breakpoints = haveHardwareBreakpoints();
  if (!breakpoints.ok) console.log(`skipping the watchpoint test: ${breakpoints.reason}`);
  it.skipIf(!breakpoints.ok)('counts writes to a watched address of a -c command', () => {
    const r = bpfkit(tools, ['-c', `${probes} watch 6`, '-e', 'watchpoint:0x20000000:4:w /pid == cpid/ { @ = count(); }']);
    expect(r).toEqual({ code: 0, stdout: '\n\n@: 6\n', stderr: 'Attached 1 probe\n' });
    const bad = bpfkit(tools, ['-e', 'watchpoint:0x20000000:3:r { }']);
    expect(bad.stderr.split('\n')).toEqual(expect.arrayContaining(['stdin:1:1-26: ERROR: watchpoint length must be one of (1,2,4,8)']));
  });

  const iter = haveIter('task');
  if (!iter.ok) console.log(`skipping the iterator tests: ${iter.reason}`);
  it.skipIf(!iter.ok)('runs an iter:task program over every task once and lists iterators', async () => {
    const pid = sleeper();
    const r = await bpfkitUntilSignal(tools, ['-e', `iter:task /ctx.task.pid == ${pid}/ { printf("%d %s\\n", ctx.task.pid, ctx.task.comm); }`], () => undefined);
    expect(r.stdout).toBe(`__BPFTRACE_NOTIFY_PROBES_ATTACHED\n${pid} probes\n\n\n`);
    const l = bpfkit(tools, ['-lv', 'iter:task_file']);
    expect(l.stdout).toBe('iter:task_file\n    struct task_struct * task\n    u32 fd\n    struct file * file\n');
  });

  it('lets BPFTRACE_<NAME> in the environment win over the script\'s config block, and names unknown options', () => {
    const prog = 'config = { missing_probes = "error" } tracepoint:no_such:tracepoint { } begin { exit(); }';
    expect(bpfkit(tools, ['-e', prog]).code).toBe(1);
    const r = bpfkit(tools, ['-e', prog], { env: { BPFTRACE_MISSING_PROBES: 'warn' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('WARNING: No matches for tracepoint no_such:tracepoint. Skipping.');
    const bad = bpfkit(tools, ['-e', 'config = { bad_config=raw } begin {}']);
    expect(bad.stderr.split('\n')[0]).toBe('stdin:1:12-26: ERROR: bad_config: not a known configuration option');
  });

  it('lists a process\'s functions through its root with -p, and attaches to "*" with -p where the symbol is', async () => {
    const pid = sleeper();
    const l = bpfkit(tools, ['-l', 'uprobe:*:probe_*', '-p', String(pid)]);
    expect(l.stdout).toBe(`uprobe:/proc/${pid}/root${probes}:probe_target\n`);
    const r = bpfkit(tools, ['--dry-run', '-p', String(pid), '-e', 'uprobe:*:probe_target { }']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('prints the feature lines of bpftrace --info with this kernel\'s answers', () => {
    const text = bpfkit(tools, ['--info']).stdout;
    const yes = (ok: boolean): string => (ok ? 'yes' : 'no');
    expect(text).toMatch(new RegExp(`^  kprobe_multi: (yes|no) +uprobe_multi: (yes|no)$`, 'm'));
    expect(text).toMatch(new RegExp(`^  kprobe_session: (yes|no) +iter: ${yes(haveIter('task').ok)}$`, 'm'));
    expect(text.split('\n')).toContain('  libdw (DWARF support): no');
  });

  it('prints kernel type definitions as bpftool does, headed by their BTF object', () => {
    const dump = spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const lines = dump.status === 0 ? dump.stdout.split('\n') : [];
    const start = lines.indexOf('struct cfs_rq {');
    if (start < 0) {
      console.log('skipping the type listing comparison: bpftool is missing or prints no struct cfs_rq');
      return;
    }
    const end = lines.indexOf('};', start);
    const expected = `vmlinux: ${lines.slice(start, end + 1).join('\n')}\n\n`;
    expect(bpfkit(tools, ['-lv', 'struct cfs_rq']).stdout).toBe(expected);
    expect(bpfkit(tools, ['-l', 'struct cfs_r*']).stdout.split('\n')).toContain('struct cfs_rq');
  });
});
