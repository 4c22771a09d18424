// Binaries stored inside zip archives (`app.zip!/lib/libfoo.so`, as Android APKs and some Python bundles ship
// them): the kernel maps the archive itself, so a uprobe goes on the archive at the member's data offset plus the
// offset inside the member. Only members stored without compression can be executed in place.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { ElfError } from './error.js';
import { parseElf, type ElfFile } from './file.js';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** The end record may be followed by a comment of up to 64 KiB. */
const EOCD_SEARCH = EOCD_SIZE + 0xffff;
const STORED = 0;

/** `archive.zip!/member` split in two, when the part before `!/` is an existing file; undefined otherwise. */
export function splitArchivePath(path: string): { archive: string; member: string } | undefined {
  const at = path.indexOf('!/');
  if (at <= 0) return undefined;
  const archive = path.slice(0, at);
  try {
    if (!statSync(archive).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return { archive, member: path.slice(at + 2) };
}

/** A member of a zip archive: where its bytes start in the archive file, and the bytes. */
export interface ArchiveMember {
  readonly archive: string;
  readonly member: string;
  readonly dataOffset: number;
  readonly bytes: Buffer;
}

/** Reads one stored (uncompressed) member of a zip archive. */
export function readArchiveMember(archive: string, member: string): ArchiveMember {
  const fail = (detail: string): ElfError => new ElfError(`Cannot read ${member} in archive ${archive}: ${detail}`, archive);
  let fd: number;
  try {
    fd = openSync(archive, 'r');
  } catch (err) {
    throw fail((err as Error).message);
  }
  try {
    const size = fstatSync(fd).size;
    const read = (offset: number, length: number): Buffer => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < buf.length) {
        const n = readSync(fd, buf, done, buf.length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return buf.subarray(0, done);
    };
    const tailStart = Math.max(0, size - EOCD_SEARCH);
    const tail = read(tailStart, size - tailStart);
    let eocd = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw fail('not a zip archive: no end of central directory record');
    const entries = tail.readUInt16LE(eocd + 10);
    const dirSize = tail.readUInt32LE(eocd + 12);
    const dirOffset = tail.readUInt32LE(eocd + 16);
    const dir = read(dirOffset, dirSize);
    const want = member.replace(/^\/+/, '');
    let at = 0;
    for (let i = 0; i < entries && at + CENTRAL_SIZE <= dir.length; i++) {
      if (dir.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw fail('corrupt central directory');
      const method = dir.readUInt16LE(at + 10);
      const compressedSize = dir.readUInt32LE(at + 20);
      const nameLength = dir.readUInt16LE(at + 28);
      const extraLength = dir.readUInt16LE(at + 30);
      const commentLength = dir.readUInt16LE(at + 32);
      const localOffset = dir.readUInt32LE(at + 42);
      const name = dir.toString('utf8', at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
      at += CENTRAL_SIZE + nameLength + extraLength + commentLength;
      if (name !== want) continue;
      if (method !== STORED) throw fail(`the member is compressed (method ${method}); only stored members can be probed`);
      const local = read(localOffset, LOCAL_SIZE);
      if (local.length < LOCAL_SIZE || local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw fail('corrupt local file header');
      const dataOffset = localOffset + LOCAL_SIZE + local.readUInt16LE(26) + local.readUInt16LE(28);
      return { archive, member: want, dataOffset, bytes: read(dataOffset, compressedSize) };
    }
    throw fail('no such member');
  } finally {
    closeSync(fd);
  }
}

/** The ELF file inside an archive, and the offset to add to its file offsets to get the archive's. */
export function openArchivedElf(archive: string, member: string): { elf: ElfFile; baseOffset: number } {
  const m = readArchiveMember(archive, member);
  return { elf: parseElf(m.bytes, `${archive}!/${m.member}`), baseOffset: m.dataOffset };
}
