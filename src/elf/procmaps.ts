// /proc/PID/maps: which file backs each range of a process's address space.
import { readFileSync } from 'node:fs';
import { ElfError } from './error.js';

export interface ProcMapping {
  start: bigint;
  end: bigint;
  /** e.g. 'r-xp' */
  perms: string;
  /** file offset of `start` */
  offset: bigint;
  /** 'major:minor' in hex, as the kernel prints it */
  dev: string;
  inode: number;
  /** file path, a pseudo name such as '[heap]', or '' for anonymous memory; without the ' (deleted)' suffix */
  path: string;
  /** the file was deleted (or replaced) after it was mapped */
  deleted: boolean;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+([0-9a-f]+:[0-9a-f]+)\s+(\d+)\s*(.*)$/i;
const DELETED = ' (deleted)';

export function parseProcMaps(text: string): ProcMapping[] {
  const out: ProcMapping[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const m = LINE.exec(line);
    if (!m) throw new ElfError(`Cannot parse /proc/PID/maps line: ${line}`);
    let path = m[7] ?? '';
    const deleted = path.endsWith(DELETED);
    if (deleted) path = path.slice(0, -DELETED.length);
    out.push({
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      perms: m[3] ?? '',
      offset: BigInt(`0x${m[4]}`),
      dev: m[5] ?? '',
      inode: Number(m[6]),
      path,
      deleted,
    });
  }
  return out;
}

export function readProcMaps(pid: number): ProcMapping[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch (err) {
    throw new ElfError(`Cannot read memory map of process ${pid}: ${(err as Error).message}`);
  }
  return parseProcMaps(text);
}

/** The path through which a process's executable can be opened, even if the file was deleted or lives in another mount namespace. */
export function procExePath(pid: number): string {
  return `/proc/${pid}/exe`;
}

/** True for mappings backed by a file (not anonymous memory, [heap], [stack], [vdso], ...). */
export function isFileMapping(m: ProcMapping): boolean {
  return m.path.startsWith('/') && m.inode !== 0;
}
