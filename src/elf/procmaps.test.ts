import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfError, libraryNameMatches, parseLdCache, parseProcMaps, procExePath, readLdCache, readProcMaps, resolveLibrary } from './index.js';

describe('/proc/PID/maps', () => {
  it('parses every kind of line', () => {
    const text = [
      '55d0c2a00000-55d0c2a28000 r--p 00000000 fd:01 1835015                    /usr/bin/bash',
      '7f1c3c600000-7f1c3c628000 r-xp 00028000 08:02 262 /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)',
      '55d0c3f1b000-55d0c409a000 rw-p 00000000 00:00 0                          [heap]',
      '7f1c3c7f0000-7f1c3c7f4000 rw-p 00000000 00:00 0 ',
      '7f1c3c800000-7f1c3c801000 r-xp 00000000 00:05 99 /tmp/dir with space/lib.so',
    ].join('\n');
    const maps = parseProcMaps(text);
    expect(maps[0]).toEqual({ start: 0x55d0c2a00000n, end: 0x55d0c2a28000n, perms: 'r--p', offset: 0n, dev: 'fd:01', inode: 1835015, path: '/usr/bin/bash', deleted: false });
    expect(maps[1]).toMatchObject({ offset: 0x28000n, path: '/usr/lib/x86_64-linux-gnu/libc.so.6', deleted: true });
    expect(maps[2]).toMatchObject({ path: '[heap]', inode: 0 });
    expect(maps[3]).toMatchObject({ path: '' });
    expect(maps[4]).toMatchObject({ path: '/tmp/dir with space/lib.so' });
    expect(() => parseProcMaps('garbage')).toThrow(ElfError);
  });

  it('reads this process: one mapping per line, the executable among them', () => {
    const maps = readProcMaps(process.pid);
    const lines = readFileSync(`/proc/${process.pid}/maps`, 'utf8').trim().split('\n');
    expect(maps.length).toBeGreaterThanOrEqual(lines.length - 5);
    const exe = realpathSync(procExePath(process.pid));
    expect(maps.some((m) => m.path === exe && m.perms.includes('x'))).toBe(true);
    expect(() => readProcMaps(999_999_999)).toThrow(/^Cannot read memory map of process 999999999: /);
  });
});

describe('ld.so cache and library lookup', () => {
  it('has the entries ldconfig -p prints', () => {
    const text = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
    const count = Number(/^(\d+) libs found/.exec(text)?.[1]);
    const entries = readLdCache();
    expect(entries.length).toBe(count);
    const ref = [...text.matchAll(/^\s+(\S+) \(([^)]*)\) => (\S+)$/gm)].map((m) => `${m[1]} ${m[3]}`);
    expect(entries.map((e) => `${e.name} ${e.path}`)).toEqual(ref);
  });

  it('rejects bytes that are not a cache', () => {
    expect(() => parseLdCache(Buffer.from('not a cache at all, just text, long enough'))).toThrow(ElfError);
  });

  it('matches short library names', () => {
    expect(libraryNameMatches('libc', 'libc.so.6')).toBe(true);
    expect(libraryNameMatches('c', 'libc.so.6')).toBe(true);
    expect(libraryNameMatches('libc', 'libc-2.31.so')).toBe(true);
    expect(libraryNameMatches('libc', 'libcrypto.so.3')).toBe(false);
    expect(libraryNameMatches('libc.so.6', 'libc.so.6')).toBe(true);
  });

  it('finds libc through this process, the cache and standard directories', () => {
    const text = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
    const libcPath = /^\s+libc\.so\.6 \(libc6,x86-64\) => (\S+)$/m.exec(text)?.[1];
    expect(resolveLibrary('libc.so.6')).toBe(libcPath);
    const mapped = readProcMaps(process.pid).find((m) => /\/libc\.so\.6$/.test(m.path))?.path;
    expect(mapped).toBeDefined();
    expect(resolveLibrary('libc', process.pid)).toBe(mapped);
    expect(resolveLibrary('no_such_library_xyz')).toBeUndefined();
    expect(resolveLibrary('/bin/sh')).toBe('/bin/sh');
  });
});
