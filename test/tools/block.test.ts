// The block tools end to end: a private copy of dd writes a known number of 64 KiB blocks with O_DIRECT, and
// biolatency, biosnoop and bitesize each account for exactly those requests.
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, histogram, privateDd, removeBundle, skipReason, total, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping block tool tests: ${skip}`);

describe.skipIf(skip !== false)('block tools', () => {
  let b: Bundle;
  let dd: ReturnType<typeof privateDd>;
  beforeAll(async () => {
    b = await bundleCli();
    dd = privateDd(b);
  });
  afterAll(() => removeBundle(b));

  it('biolatency counts each direct write once', async () => {
    const r = await traceWhile(b, ['biolatency', '-n', dd.name], async () => {
      await dd.directWrite(40, 65536);
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe('Tracing block device I/O... Hit Ctrl-C to end.');
    expect(total(histogram(r.stdout, '@usecs:'))).toBe(40);
  });

  it('biolatency -m -F keys the histogram by I/O flags', async () => {
    const r = await traceWhile(b, ['biolatency', '-mF', '-n', dd.name], async () => {
      await dd.directWrite(12, 65536);
    });
    expect(r.stderr).toBe('');
    // O_DIRECT writes are synchronous writes: rwbs "WS".
    expect(total(histogram(r.stdout, '@msecs[WS]:'))).toBe(12);
  });

  it('biolatency -D keys by the disk written to', async () => {
    const r = await traceWhile(b, ['biolatency', '-D', '-n', dd.name], async () => {
      await dd.directWrite(15, 65536);
    });
    expect(r.stderr).toBe('');
    // The key is the device the file's file system sits on (a partition's I/O is counted on its disk, so
    // only a file system on a whole disk gives the same numbers; this machine's root is /dev/vda).
    const dev = statSync(dd.target).dev;
    const major = (dev >> 8) & 0xfff;
    const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    const title = r.stdout.split('\n').find((l) => /^@usecs\[\d+, \d+\]:$/.test(l));
    expect(title).toBeDefined();
    const [dmaj] = /\d+/.exec(title!)!;
    expect(Number(dmaj)).toBe(major);
    expect(minor).toBeGreaterThanOrEqual(0);
    expect(total(histogram(r.stdout, title!))).toBe(15);
  });

  it('biolatency -Q also counts requests queued in the task’s context and issued later by a worker', async () => {
    const r = await traceWhile(b, ['biolatency', '-Q', '-n', dd.name], async () => {
      await dd.directWrite(15, 65536);
    });
    expect(r.stderr).toBe('');
    // Every write is inserted or issued by dd; its file system may queue a few more requests in its context.
    expect(total(histogram(r.stdout, '@usecs:'))).toBeGreaterThanOrEqual(15);
  });

  it('biolatency with interval and count prints each interval and stops by itself', async () => {
    const r = await traceWhile(b, ['biolatency', '-n', dd.name, '1', '2'], () => undefined, { stopsItself: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('@__intervals');
  });

  it('biosnoop shows each write with its issuer and size', async () => {
    let pid = 0;
    const r = await traceWhile(b, ['biosnoop', '-n', dd.name], async () => {
      pid = await dd.directWrite(5, 65536);
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME\(s\)\s+COMM\s+PID\s+DEV\s+RWBS\s+SECTOR\s+BYTES\s+LAT\(ms\)$/);
    const rows = lines.slice(1).filter((l) => l !== '').map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(5);
    for (const c of rows) {
      expect(c.slice(1, 3)).toEqual([dd.name, String(pid)]);
      expect(c[3]).toMatch(/^\d+,\d+$/);
      expect(c[4]).toBe('WS');
      expect(c[6]).toBe('65536');
      expect(c[7]).toMatch(/^\d+\.\d{3}$/);
    }
  });

  it('bitesize puts every 64 KiB write in the [64, 128) KiB bucket', async () => {
    const r = await traceWhile(b, ['bitesize', '-n', dd.name], async () => {
      await dd.directWrite(30, 65536);
      await dd.directWrite(10, 8192);
    });
    expect(r.stderr).toBe('');
    const h = histogram(r.stdout, `@kbytes[${dd.name}]:`);
    expect(h.get('[64, 128)')).toBe(30);
    expect(h.get('[8, 16)')).toBe(10);
    expect(total(h)).toBe(40);
  });

  it('biostacks counts each write under the direct I/O stack that issued it', async () => {
    const r = await traceWhile(b, ['biostacks', '-n', dd.name], async () => {
      await dd.directWrite(9, 65536);
    });
    expect(r.stderr).toBe('');
    const blocks = r.stdout.split('@usecs[').slice(1);
    let n = 0;
    for (const block of blocks) {
      const [stack, hist] = block.split(']:\n');
      // The write went from the write syscall through the file system's direct I/O path.
      expect(stack).toMatch(/\bvfs_write\+\d+/);
      expect(stack).toMatch(/dio/);
      for (const m of hist!.matchAll(/^\[[^\]\n)]*[\])]\s+(\d+) \|/gm)) n += Number(m[1]);
    }
    expect(n).toBe(9);
  });
});
