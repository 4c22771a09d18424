// memleak end to end: a fixture leaks COUNT blocks of SIZE bytes from leak_here() and frees as many from
// free_here(); the leak is outstanding under leak_here's stack and the freed ones net to zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, compileFixture, removeBundle, skipReason, startGated, tool, traceWhile, until, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping memleak tests: ${skip}`);

describe.skipIf(skip !== false)('memleak', () => {
  let b: Bundle;
  let leak: string;
  beforeAll(async () => {
    b = await bundleCli();
    leak = compileFixture(b, 'leak');
  });
  afterAll(() => removeBundle(b));

  it('shows the leaked bytes under the stack that allocated them', async () => {
    const w = startGated(leak, ['5', '4321']);
    const r = await traceWhile(b, ['memleak', '-p', String(w.pid)], async () => {
      await w.go();
      await until(() => w.stdout().includes('leaked'));
    });
    await w.finish();
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(`Attaching to pid ${w.pid}, Ctrl-C to end`);
    const entries = r.stdout.split('@bytes[').slice(1).map((e) => {
      const m = /^([\s\S]*)\]: (-?\d+)/.exec(e)!;
      return { stack: m[1]!.trim().split(/\s+/), bytes: Number(m[2]) };
    });
    const leaked = entries.filter((e) => e.stack[0]?.startsWith('leak_here+'));
    expect(leaked.map((e) => e.bytes)).toEqual([5 * 4321]);
    // With the fixture's debug info the frame ends in its source line, as bpftrace's show_debug_info has it.
    expect(leaked[0]!.stack[1]).toMatch(/^main\+\d+(?:@\S+:\d+)?$/);
    const freed = entries.filter((e) => e.stack[0]?.startsWith('free_here+'));
    expect(freed.map((e) => e.bytes)).toEqual([0]);
  });

  it('refuses to run without -p', () => {
    const r = tool(b, ['memleak']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('ERROR: memleak: Option -p PID is required: memleak traces one process');
  });
});
