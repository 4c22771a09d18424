// exitsnoop end to end: a child that exits with a known code, and one killed by SIGKILL, both forked while tracing.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, removeBundle, skipReason, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping exitsnoop tests: ${skip}`);

function exitOf(file: string, args: string[], kill?: NodeJS.Signals): Promise<number> {
  return new Promise((resolve, reject) => {
    // stdin is a pipe kept open, so `read` waits until the kill.
    const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('spawn', () => {
      if (kill) setTimeout(() => child.kill(kill), 200);
    });
    child.on('close', () => resolve(child.pid!));
  });
}

describe.skipIf(skip !== false)('exitsnoop', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('shows the exit code and the fatal signal of processes it saw start', async () => {
    let codePid = 0;
    let killedPid = 0;
    const r = await traceWhile(b, ['exitsnoop', '-n', 'sh'], async () => {
      codePid = await exitOf('/bin/sh', ['-c', 'exit 7']);
      killedPid = await exitOf('/bin/sh', ['-c', 'read x'], 'SIGKILL');
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^PCOMM\s+PID\s+PPID\s+AGE\(s\)\s+TID\s+EXIT_CODE$/);
    const rows = lines.map((l) => l.split(/\s+/));
    const code = rows.filter((c) => c[1] === String(codePid));
    expect(code).toHaveLength(1);
    expect(code[0]!.slice(0, 3)).toEqual(['sh', String(codePid), String(process.pid)]);
    expect(code[0]![3]).toMatch(/^\d+\.\d{3}$/);
    expect(code[0]!.slice(4)).toEqual([String(codePid), 'code', '7']);
    const killed = rows.filter((c) => c[1] === String(killedPid));
    expect(killed).toHaveLength(1);
    expect(killed[0]!.slice(4)).toEqual([String(killedPid), 'signal', '9']);
  });
});
