// Finding a shared library from a short name ('libc', 'libc.so.6', 'pthread') the way a user writes it in a probe.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LDCACHE_X86_64, readLdCache } from './ldcache.js';
import { isFileMapping, readProcMaps } from './procmaps.js';

const STANDARD_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'];

/**
 * Resolves a library name to a path: a name with a '/' is taken as a path; otherwise the libraries mapped
 * into `pid` are searched first, then /etc/ld.so.cache, then the standard directories.
 * Returns undefined when nothing matches.
 */
export function resolveLibrary(name: string, pid?: number): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  if (pid !== undefined) {
    for (const m of readProcMaps(pid)) {
      if (!isFileMapping(m) || !libraryNameMatches(name, basename(m.path))) continue;
      // The process may live in another mount namespace: when the path here is not the file it mapped, go through its root.
      return sameFile(m.path, m.dev, m.inode) ? m.path : `/proc/${pid}/root${m.path}`;
    }
  }
  const cache = readLdCache().filter((e) => e.flags === LDCACHE_X86_64 && libraryNameMatches(name, e.name));
  const exact = cache.find((e) => e.name === name) ?? cache[0];
  if (exact) return exact.path;
  for (const dir of STANDARD_DIRS) {
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    const hit = files.find((f) => f === name) ?? files.find((f) => libraryNameMatches(name, f));
    if (hit) return join(dir, hit);
  }
  return undefined;
}

/** 'libc' matches libc.so.6 and libc-2.31.so; 'c' matches libc.so.6; 'libc.so.6' matches itself. */
export function libraryNameMatches(name: string, file: string): boolean {
  if (file === name) return true;
  const stem = name.startsWith('lib') ? name : `lib${name}`;
  return file.startsWith(`${stem}.so`) || file.startsWith(`${stem}-`) && file.includes('.so');
}

function sameFile(path: string, dev: string, inode: number): boolean {
  try {
    const st = statSync(path);
    const [major, minor] = dev.split(':').map((x) => parseInt(x, 16));
    // st.dev packs major/minor the way glibc's makedev does.
    const stMajor = Number((BigInt(st.dev) >> 8n) & 0xfffn);
    const stMinor = Number((BigInt(st.dev) & 0xffn) | ((BigInt(st.dev) >> 12n) & 0xfff00n));
    return st.ino === inode && stMajor === major && stMinor === minor;
  } catch {
    return false;
  }
}
