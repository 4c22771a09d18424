// End to end: clocks read from BPFTRACE_DUMMY_TS_MAP (nsecs and tseries intervals the script steps itself),
// tracepoint enum fields printed by their enumerators, __NR_* constants, pid/tid in a PID namespace, printf in
// iterators through bpf_seq_printf, comm(pid), and the message for a cast to an unknown type.
import { spawnSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKernelBtf } from '../../src/btf/index.js';
import { bpfkit, prepare, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping builtins end-to-end tests: ${skip}`);

const haveUnshare = spawnSync('unshare', ['--fork', '--pid', '--mount-proc', 'true']).status === 0;
if (!haveUnshare) console.log('skipping the PID namespace test: unshare --pid does not work here');
const haveSyscallHeader = spawnSync('sh', ['-c', 'grep -qs "define __NR_getpid" /usr/include/x86_64-linux-gnu/asm/unistd_64.h']).status === 0;
if (!haveSyscallHeader) console.log('skipping the __NR_* test: no asm/unistd_64.h from the C library headers');

describe.skipIf(skip !== false)('builtins end to end', () => {
  let tools: Tools;
  beforeAll(async () => {
    tools = await prepare();
  });
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  const withClock = { env: { BPFTRACE_DUMMY_TS_MAP: '@ts', TZ: 'UTC' } };

  it('reads nsecs from the dummy time map, 0 once it is deleted', () => {
    const r = bpfkit(tools, ['-q', '-e', 'begin { @ts = (uint64)5000; printf("%llu %llu\\n", nsecs, nsecs(boot)); @ts += 10; print(nsecs); delete(@ts); print(nsecs); exit(); }'], withClock);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('5000 5000\n5010\n0\n\n\n');
  });

  it('puts tseries values in the intervals the dummy clock says', () => {
    const program =
      // One begin probe, not an interval: probes keep firing after exit() until the runtime detaches them (as in
      // bpftrace), and a second firing would write the clock map again after clear().
      'begin { @ts = (uint64)1000000000; @a = tseries(3, 1s, 3); ' +
      '@ts = (uint64)2000000000; @a = tseries(7, 1s, 3); clear(@ts); exit(); }';
    const text = bpfkit(tools, ['-q', '-e', program], withClock);
    expect(text.stdout).toBe(
      '\n\n@a:\n' +
        '         3                                                   7\n' +
        'hh:mm:ss |___________________________________________________|\n' +
        '00:00:01 *                                                   | 3\n' +
        '00:00:02 |                                                   * 7\n' +
        '         v___________________________________________________v\n' +
        '         3                                                   7\n\n',
    );
    const json = bpfkit(tools, ['-q', '-f', 'json', '-e', program], withClock);
    expect(json.stdout).toBe(
      '{"type": "tseries", "data": {"@a": [{"interval_start":"1970-01-01 00:00:01.000000000","value":3},{"interval_start":"1970-01-01 00:00:02.000000000","value":7}]}}\n',
    );
  });

  it('prints a tracepoint enum field by its enumerator with %s and as a number with %d', () => {
    const value = loadKernelBtf().findEnumerators('SKB_DROP_REASON_NO_SOCKET')[0]?.value;
    expect(value).toBeDefined();
    // A UDP datagram to a closed port on loopback is dropped with NO_SOCKET.
    const sender = join(tools.dir, 'udp-closed-port.sh');
    writeFileSync(sender, `#!/bin/sh\nexec ${process.execPath} -e "const s = require('dgram').createSocket('udp4'); s.send('x', 9, '127.0.0.1', () => s.close());"\n`);
    chmodSync(sender, 0o755);
    const r = bpfkit(tools, [
      '-q',
      '-c',
      sender,
      '-e',
      'tracepoint:skb:kfree_skb /args.reason == SKB_DROP_REASON_NO_SOCKET/ { $r = args.reason; printf("%d %s\\n", args.reason, $r); exit(); }',
    ]);
    expect(r.stdout).toBe(`${value} SKB_DROP_REASON_NO_SOCKET\n\n\n`);
  });

  it.skipIf(!haveSyscallHeader)('knows syscall numbers as __NR_* constants', () => {
    const r = bpfkit(tools, ['-q', '-c', `${tools.workload} getpid 5`, '-e', 'tracepoint:raw_syscalls:sys_enter /pid == cpid && args.id == __NR_getpid/ { @ = count(); }']);
    expect(r.stdout).toBe('\n\n@: 5\n');
  });

  it.skipIf(!haveUnshare)('gives pid and tid as its own PID namespace sees them, and the initial ones with init', () => {
    const r = spawnSync(
      'unshare',
      ['--fork', '--pid', '--mount-proc', process.execPath, tools.cli, '-q', '-e', 'begin { printf("%d %d %d %d %d\\n", pid, pid(curr_ns), tid(curr_ns), pid(init) > 1, tid(init) == pid(init)); exit(); }'],
      { encoding: 'utf8', cwd: tools.dir },
    );
    expect(r.stdout).toBe('1 1 1 1 1\n\n\n');
  });

  it('prints from an iterator through its seq file, every task, and reads comm(pid)', () => {
    // The iterator runs in the process reading it: its own task is the one whose pid is `pid`.
    const r = bpfkit(tools, ['-q', '-e', 'iter:task { if (ctx.task.pid == pid) { printf("%s %d|%s|%s\\n", "self", ctx.task.pid == ctx.task.tgid, comm(pid), comm); } }']);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('self '));
    expect(lines).toHaveLength(1);
    const [, own, current] = lines[0]!.split('|');
    expect(lines[0]).toBe(`self 1|${own}|${current}`);
    expect(own).toBe(current);
    expect(own!.length).toBeGreaterThan(0);
    const none = bpfkit(tools, ['-q', '-e', 'iter:task { @ = comm(99999999); }']);
    expect(none.stdout).toBe('\n\n@: N/A\n');
  });

  it('counts the frames of a stack with len(), as many as the stack prints', () => {
    const r = bpfkit(tools, [
      '-q',
      '-c',
      `${tools.workload} getpid 1`,
      '-e',
      'tracepoint:syscalls:sys_enter_getpid /pid == cpid/ { printf("%d %d\\n", len(kstack), len(ustack)); print(kstack); print(ustack); }',
    ]);
    const [counts, kernel, user] = r.stdout.split('\n\n');
    const [k, u] = counts!.split(' ').map(Number);
    // Each printed stack starts with a newline and has one line per frame.
    expect(k).toBe(kernel!.split('\n').filter((l) => l !== '').length);
    expect(u).toBe(user!.split('\n').filter((l) => l !== '').length);
    expect(k).toBeGreaterThan(0);
  });

  it('names the unknown type of a cast, once', () => {
    const r = bpfkit(tools, ['-e', 'begin { $x = (struct nosuchtype *)0; print($x->a); }']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'stdin:1:15-34: ERROR: Cannot resolve unknown type "struct nosuchtype"\n' +
        'begin { $x = (struct nosuchtype *)0; print($x->a); }\n' +
        '              ~~~~~~~~~~~~~~~~~~~\n',
    );
  });
});
