// Where ELF bytes come from: the whole file in memory when it is small, ranged reads when it is big.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ElfError } from './error.js';

/** Files up to this size are read in one go; larger ones (debug builds, browsers) are read a range at a time. */
const WHOLE_FILE_LIMIT = 64 * 1024 * 1024;

export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Buffer;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buf.length,
    read(offset, length) {
      return buf.subarray(offset, offset + length);
    },
  };
}

export function fileSource(path: string): ByteSource {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ElfError(`Cannot open ELF file ${path}: ${(err as Error).message}`, path);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ElfError(`Cannot read ELF file ${path}: not a regular file`, path);
    const size = stat.size;
    if (size <= WHOLE_FILE_LIMIT) {
      const buf = Buffer.allocUnsafe(size);
      readFully(fd, buf, 0, path);
      return bufferSource(buf);
    }
    return rangedSource(path, size);
  } finally {
    closeSync(fd);
  }
}

function rangedSource(path: string, size: number): ByteSource {
  return {
    size,
    read(offset, length) {
      const fd = openSync(path, 'r');
      try {
        const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - offset)));
        readFully(fd, buf, offset, path);
        return buf;
      } finally {
        closeSync(fd);
      }
    },
  };
}

function readFully(fd: number, buf: Buffer, position: number, path: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new ElfError(`Cannot read ELF file ${path}: file shrank while reading`, path);
    done += n;
  }
}
