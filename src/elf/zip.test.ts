import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedZip } from '../../test/support/stored-zip.js';
import { openArchivedElf, readArchiveMember, splitArchivePath } from './zip.js';
import { ElfError } from './error.js';
import { openElf } from './file.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfkit-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('binaries inside zip archives', () => {
  const elfBytes = readFileSync('/bin/true');
  const zip = join(dir, 'bundle.zip');
  writeFileSync(zip, storedZip([{ name: 'README', data: Buffer.from('hello\n') }, { name: 'bin/true', data: elfBytes, extraLength: 3 }]));

  it('splits archive!/member paths only when the archive is a file', () => {
    expect(splitArchivePath(`${zip}!/bin/true`)).toEqual({ archive: zip, member: 'bin/true' });
    expect(splitArchivePath(`${dir}/missing.zip!/bin/true`)).toBeUndefined();
    expect(splitArchivePath('/bin/true')).toBeUndefined();
  });

  it('finds a stored member and where its bytes start in the archive', () => {
    const m = readArchiveMember(zip, '/bin/true');
    // README's local header (30 + 6 name bytes) and data (6), then this member's header (30 + 8 name + 3 extra).
    expect(m.dataOffset).toBe(30 + 6 + 6 + 30 + 8 + 3);
    expect(Buffer.compare(m.bytes, elfBytes)).toBe(0);
    expect(Buffer.compare(readFileSync(zip).subarray(m.dataOffset, m.dataOffset + elfBytes.length), elfBytes)).toBe(0);
  });

  it('reads the member as ELF with the same symbols and segments as the file itself', () => {
    const { elf, baseOffset } = openArchivedElf(zip, 'bin/true');
    const plain = openElf('/bin/true');
    expect(baseOffset).toBe(30 + 6 + 6 + 30 + 8 + 3);
    expect(elf.entry).toBe(plain.entry);
    expect(elf.segments()).toEqual(plain.segments());
  });

  it('refuses missing and compressed members with the reason', () => {
    expect(() => readArchiveMember(zip, 'nope')).toThrow(ElfError);
    expect(() => readArchiveMember(zip, 'nope')).toThrow(/no such member/);
    const packed = Buffer.from(storedZip([{ name: 'x', data: Buffer.from('abc') }]));
    packed.writeUInt16LE(8, 8); // local header: deflate
    const centralAt = packed.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    packed.writeUInt16LE(8, centralAt + 10);
    const p = join(dir, 'packed.zip');
    writeFileSync(p, packed);
    expect(() => readArchiveMember(p, 'x')).toThrow(/compressed \(method 8\)/);
    writeFileSync(join(dir, 'plain.txt'), 'not a zip');
    expect(() => readArchiveMember(join(dir, 'plain.txt'), 'x')).toThrow(/no end of central directory/);
  });
});
