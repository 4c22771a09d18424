// The address builtins: kaddr and ksym against /proc/kallsyms, reg, func and usym against nm, on a uprobe of a
// position-dependent C program (so its addresses are its symbol values).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfkit, prepare, ROOT, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping address builtin tests: ${skip}`);

function nmValue(file: string, name: string): bigint {
  const line = spawnSync('nm', [file], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`${name} not in ${file}`);
  return BigInt(`0x${line.split(' ')[0]}`);
}

describe.skipIf(skip !== false)('kaddr, ksym, reg, func and usym', () => {
  let tools: Tools;
  let frames = '';

  beforeAll(async () => {
    tools = await prepare();
    frames = join(tools.dir, 'frames');
    const cc = spawnSync('gcc', ['-O0', '-fno-omit-frame-pointer', '-no-pie', '-o', frames, join(ROOT, 'test/fixtures/stacks/frames.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  }, 120_000);

  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('kaddr gives the kallsyms address and ksym maps it (and addresses inside) back to the name', () => {
    const r = bpfkit(tools, ['-c', `${tools.workload} getpid 1`, '-e', 'tracepoint:syscalls:sys_enter_getpid /pid == cpid/ { printf("%lx %s %s %s\\n", kaddr("do_nanosleep"), ksym(kaddr("do_nanosleep")), ksym(kaddr("do_nanosleep") + 3), ksym(1)); exit(); }']);
    const line = readFileSync('/proc/kallsyms', 'utf8').split('\n').find((l) => / [tT] do_nanosleep$/.test(l));
    expect(line).toBeDefined();
    expect(r.stdout.split('\n')[0]).toBe(`${line!.split(' ')[0]!.replace(/^0+/, '')} do_nanosleep do_nanosleep 0x1`);
  });

  it('reg("ip") is the probed function, func and usym name it, and usym names the return address on the stack', () => {
    const r = bpfkit(tools, [
      '-c', `${frames} 3 100000`,
      '-e', `uprobe:${frames}:middle /pid == cpid/ { $ret = *(uint64 *)reg("sp"); printf("%lx %s %s %lx %s\\n", reg("ip"), func, usym(reg("ip")), $ret, usym($ret)); exit(); }`,
    ]);
    const [ip, fn, sym, ret, caller] = r.stdout.trim().split(' ');
    expect(BigInt(`0x${ip}`)).toBe(nmValue(frames, 'middle'));
    expect([fn, sym]).toEqual(['middle', 'middle']);
    // The return address lies inside outer, after its call to middle.
    const outer = nmValue(frames, 'outer');
    expect(BigInt(`0x${ret}`) > outer && BigInt(`0x${ret}`) < nmValue(frames, 'main')).toBe(true);
    expect(caller).toBe('outer');
  });
});
