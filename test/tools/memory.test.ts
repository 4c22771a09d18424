// The memory tools end to end: a fixture maps a known number of anonymous pages and touches each once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, compileFixture, removeBundle, skipReason, startGated, traceWhile, until, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping memory tool tests: ${skip}`);

const PAGES = 50;

describe.skipIf(skip !== false)('memory tools', () => {
  let b: Bundle;
  let mapper: string;
  beforeAll(async () => {
    b = await bundleCli();
    mapper = compileFixture(b, 'mapper');
  });
  afterAll(() => removeBundle(b));

  async function traceMapper(args: string[]): Promise<{ stdout: string; stderr: string; pid: number }> {
    const w = startGated(mapper, [String(PAGES)]);
    const r = await traceWhile(b, [...args, '-p', String(w.pid)], async () => {
      await w.go();
      await until(() => w.stdout().includes('touched'));
    });
    await w.finish();
    return { ...r, pid: w.pid };
  }

  it('mmapsnoop shows the fixture’s mapping with its length, protection and flags', async () => {
    const r = await traceMapper(['mmapsnoop']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^PID\s+COMM\s+LEN PROT\s+FLAGS\s+FD ADDR$/);
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c[0] === String(r.pid));
    // PROT_READ|PROT_WRITE = 3, MAP_PRIVATE|MAP_ANONYMOUS = 0x22, no file: fd -1; the length is PAGES pages of 4 KiB.
    expect(rows).toHaveLength(1);
    expect(rows[0]!.slice(0, 6)).toEqual([String(r.pid), 'mapper', String(PAGES * 4096), '3', '22', '-1']);
    expect(rows[0]![6]).toMatch(/^0x[0-9a-f]{8,}000$/);
  });

  it('faults counts one fault per touched page at touch_pages', async () => {
    const r = await traceMapper(['faults']);
    expect(r.stderr).toBe('');
    const entries = r.stdout.split('@[').slice(1);
    const touch = entries.filter((e) => /^\s*touch_pages\+\d+(?:@\S+:\d+)?\s+main\+\d+/.test(e));
    expect(touch).toHaveLength(1);
    expect(/, mapper\]: (\d+)/.exec(touch[0]!)?.[1]).toBe(String(PAGES));
  });
});
