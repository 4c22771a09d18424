// /etc/ld.so.cache, the dynamic loader's index of shared libraries by soname.
import { readFileSync } from 'node:fs';
import { ElfError } from './error.js';

export interface LdCacheEntry {
  /** soname, e.g. 'libc.so.6' */
  name: string;
  /** full path, e.g. '/lib/x86_64-linux-gnu/libc.so.6' */
  path: string;
  /** FLAG_* bits: ELF/libc6 type in the low byte, the ABI in the second (0x0303 is x86-64 libc6) */
  flags: number;
  hwcap: bigint;
}

const NEW_MAGIC = 'glibc-ld.so.cache1.1';
const OLD_MAGIC = 'ld.so-1.7.0';
const NEW_HEADER = 48;
const NEW_ENTRY = 24;
const OLD_HEADER = 16;
const OLD_ENTRY = 12;
/** FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 */
export const LDCACHE_X86_64 = 0x0303;

export function parseLdCache(bytes: Buffer): LdCacheEntry[] {
  let base = 0;
  if (bytes.toString('latin1', 0, OLD_MAGIC.length) === OLD_MAGIC) {
    // Old-format header and entries first; the new format follows, 8-byte aligned, and is the one with full entries.
    const oldCount = bytes.length >= OLD_HEADER ? bytes.readUInt32LE(12) : 0;
    base = Math.ceil((OLD_HEADER + oldCount * OLD_ENTRY) / 8) * 8;
  }
  if (bytes.toString('latin1', base, base + NEW_MAGIC.length) !== NEW_MAGIC) {
    throw new ElfError('Cannot read ld.so cache: no glibc-ld.so.cache1.1 header');
  }
  if (bytes.length < base + NEW_HEADER) throw new ElfError('Cannot read ld.so cache: header is truncated');
  const count = bytes.readUInt32LE(base + 20);
  if (base + NEW_HEADER + count * NEW_ENTRY > bytes.length) {
    throw new ElfError(`Cannot read ld.so cache: ${count} entries do not fit in ${bytes.length} bytes`);
  }
  // String offsets count from the start of the new-format header.
  const str = (offset: number): string => {
    const at = base + offset;
    if (at >= bytes.length) throw new ElfError(`Cannot read ld.so cache: string offset ${offset} is past the end`);
    const end = bytes.indexOf(0, at);
    return bytes.toString('utf8', at, end < 0 ? bytes.length : end);
  };
  const out: LdCacheEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = base + NEW_HEADER + i * NEW_ENTRY;
    out.push({
      flags: bytes.readInt32LE(at),
      name: str(bytes.readUInt32LE(at + 4)),
      path: str(bytes.readUInt32LE(at + 8)),
      hwcap: bytes.readBigUInt64LE(at + 16),
    });
  }
  return out;
}

let cached: LdCacheEntry[] | undefined;

/** The system's cache, read once; empty when there is none. */
export function readLdCache(path = '/etc/ld.so.cache'): LdCacheEntry[] {
  if (path === '/etc/ld.so.cache' && cached) return cached;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return [];
  }
  const entries = parseLdCache(bytes);
  if (path === '/etc/ld.so.cache') cached = entries;
  return entries;
}
