// The snoop tools for files, security and process creation, end to end with commands whose pids are known.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, compileFixture, removeBundle, runCommand, skipReason, startGated, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping snoop tool tests: ${skip}`);
const noPython = spawnSync('python3', ['--version']).status !== 0;
if (noPython) console.log('skipping setuids test: needs python3 to make the calls');

function columns(stdout: string): string[][] {
  return stdout.split('\n').map((l) => l.trim().split(/\s+/));
}

describe.skipIf(skip !== false)('snoop tools', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('statsnoop shows a stat of a missing path with ENOENT', async () => {
    const path = `/tmp/bpfkit-statsnoop-missing-${process.pid}`;
    let pid = 0;
    const r = await traceWhile(b, ['statsnoop', '-n', 'stat'], async () => {
      pid = await runCommand('stat', [path]);
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^PID\s+COMM\s+ERR PATH$/);
    expect(columns(r.stdout).filter((c) => c[0] === String(pid) && c[3] === path)).toEqual([[String(pid), 'stat', '2', path]]);
  });

  it('syncsnoop shows a sync() call', async () => {
    let syncPid = 0;
    const r = await traceWhile(b, ['syncsnoop', '-n', 'sync'], async () => {
      syncPid = await runCommand('sync', []);
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^TIME\(s\)\s+PID\s+COMM\s+CALL$/);
    const rows = columns(r.stdout).filter((c) => c[1] === String(syncPid));
    expect(rows.map((c) => c.slice(1))).toEqual([[String(syncPid), 'sync', 'sync']]);
  });

  it.skipIf(noPython)('setuids shows each call with its arguments and result', async () => {
    let pid = 0;
    const r = await traceWhile(b, ['setuids', '-n', 'python3'], async () => {
      pid = await runCommand('python3', ['-c', 'import os; os.setresuid(0, 0, 0); os.setreuid(0, 0); os.setuid(0)']);
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^PID\s+COMM\s+UID\s+SYSCALL\s+ARGS \(RET\)$/);
    const rows = columns(r.stdout).filter((c) => c[0] === String(pid));
    expect(rows.map((c) => c.slice(1))).toEqual([
      ['python3', '0', 'setresuid', 'ruid=0', 'euid=0', 'suid=0', '(0)'],
      ['python3', '0', 'setreuid', 'ruid=0', 'euid=0', '(0)'],
      ['python3', '0', 'setuid', 'uid=0', '(0)'],
    ]);
  });

  it('capable shows the CAP_CHOWN check of a chown to another user', async () => {
    const file = join(b.dir, 'chown-me');
    writeFileSync(file, '');
    let pid = 0;
    const r = await traceWhile(b, ['capable', '-n', 'chown'], async () => {
      pid = await runCommand('chown', ['1', file]);
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^TIME\s+UID\s+PID\s+COMM\s+CAP NAME\s+RET$/);
    const rows = columns(r.stdout).filter((c) => c[2] === String(pid) && c[5] === 'CAP_CHOWN');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.slice(1)).toEqual(['0', String(pid), 'chown', '0', 'CAP_CHOWN', '0']);
  });

  it('pidpersec -p counts the processes one parent forks, and stops after its count', async () => {
    const sh = startGated('/bin/sh', ['-c', 'read x; /bin/true; /bin/true; /bin/true']);
    // Three one-second lines, then it exits by itself: the forks happen in the first.
    const r = await traceWhile(b, ['pidpersec', '-p', String(sh.pid), '3'], async () => {
      await sh.go();
      await sh.finish();
    }, { stopsItself: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const counts = [...r.stdout.matchAll(/^\d\d:\d\d:\d\d PIDs\/sec: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(3);
    expect(counts.reduce((a, n) => a + n, 0)).toBe(3);
  });

  it('threadsnoop shows the two threads the mutex fixture creates', async () => {
    const mutex = compileFixture(b, 'mutex');
    const w = startGated(mutex, ['1', '10']);
    const r = await traceWhile(b, ['threadsnoop', '-p', String(w.pid)], async () => {
      await w.go();
      await w.finish();
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^TIME\(s\)\s+PID\s+TID\s+NEWTID\s+COMM$/);
    const rows = columns(r.stdout).filter((c) => c[1] === String(w.pid));
    expect(rows).toHaveLength(2);
    for (const c of rows) {
      expect(c.slice(1, 3)).toEqual([String(w.pid), String(w.pid)]);
      expect(Number(c[3])).toBeGreaterThan(w.pid);
      expect(c[4]).toBe('mutex');
    }
  });
});
