// oomkill and writeback end to end: an OOM kill the test causes inside its own memory cgroup, and a sync of
// a file the test wrote.
import { existsSync, mkdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, compileFixture, removeBundle, runCommand, skipReason, startGated, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping oomkill and writeback tests: ${skip}`);
// cgroup v1's memory controller, as mounted on this machine.
const MEMCG = '/sys/fs/cgroup/memory';
const noMemcg = !existsSync(join(MEMCG, 'memory.limit_in_bytes'));
if (noMemcg) console.log(`skipping oomkill test: no cgroup v1 memory controller at ${MEMCG} to confine the OOM kill`);

describe.skipIf(skip !== false)('kernel event tools', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it.skipIf(noMemcg)('oomkill shows the victim of an OOM kill in a 32 MiB cgroup', async () => {
    const hog = compileFixture(b, 'hog');
    const cg = join(MEMCG, `bpfkit-oomkill-${process.pid}`);
    mkdirSync(cg);
    try {
      writeFileSync(join(cg, 'memory.limit_in_bytes'), '32M');
      const w = startGated(hog, ['256']);
      writeFileSync(join(cg, 'tasks'), String(w.pid));
      const r = await traceWhile(b, ['oomkill'], async () => {
        await w.go();
        await w.finish();
      });
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')[0]).toMatch(/^TIME\s+PID\s+COMM\s+UID\s+TOTAL_VM\(KB\) ANON_RSS\(KB\) TRIGGERED BY$/);
      const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c[1] === String(w.pid));
      // One kill, but the row has been seen twice, identical, in the same second: either the kernel marking the
      // victim again before it exits or the runtime delivering a record twice near Ctrl-C (reported).
      expect(rows.length).toBeGreaterThanOrEqual(1);
      for (const row of rows) {
        expect(row.slice(1, 4)).toEqual([String(w.pid), 'hog', '0']);
        // The victim had filled its 32 MiB limit with anonymous memory.
        expect(Number(row[5])).toBeGreaterThanOrEqual(30 * 1024);
        expect(Number(row[5])).toBeLessThanOrEqual(32 * 1024);
        expect(row.slice(6)).toEqual([String(w.pid), '(hog)']);
      }
    } finally {
      rmdirSync(cg);
    }
  });

  it.skipIf(noMemcg)('drsnoop shows the reclaim a 32 MiB cgroup forces on its allocating task', async () => {
    const hog = compileFixture(b, 'hog');
    const cg = join(MEMCG, `bpfkit-drsnoop-${process.pid}`);
    mkdirSync(cg);
    try {
      writeFileSync(join(cg, 'memory.limit_in_bytes'), '32M');
      const w = startGated(hog, ['256']);
      writeFileSync(join(cg, 'tasks'), String(w.pid));
      const r = await traceWhile(b, ['drsnoop', '-p', String(w.pid)], async () => {
        await w.go();
        await w.finish();
      });
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')[0]).toMatch(/^TIME\s+COMM\s+PID\s+TYPE\s+LAT\(ms\) PAGES$/);
      const rows = r.stdout.split('\n').slice(1).filter((l) => l !== '').map((l) => l.trim().split(/\s+/));
      expect(rows.length).toBeGreaterThan(0);
      for (const c of rows) {
        expect(c.slice(1, 4)).toEqual(['hog', String(w.pid), 'memcg']);
        expect(c[4]).toMatch(/^\d+\.\d{3}$/);
        expect(c[5]).toMatch(/^\d+$/);
      }
    } finally {
      rmdirSync(cg);
    }
  });

  it('writeback shows a sync writeback of the device holding a file the test wrote', async () => {
    const file = join(b.dir, 'writeback.out');
    const r = await traceWhile(b, ['writeback'], async () => {
      writeFileSync(file, Buffer.alloc(1 << 20, 1));
      await runCommand('sync', []);
    });
    expect(r.stderr).toBe('');
    const dev = statSync(file).dev;
    const device = `${(dev >> 8) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c[1] === device && c[3] === 'sync');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]![4]).toMatch(/^\d+\.\d{3}$/);
  });
});
