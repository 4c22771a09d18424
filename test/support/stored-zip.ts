// Builds a zip archive whose members are stored uncompressed (method 0), the only kind a uprobe can target
// inside an archive. Written from the format's description (local headers, central directory, end record).
import { crc32 } from 'node:zlib';

export interface StoredMember {
  readonly name: string;
  readonly data: Uint8Array;
  /** Extra-field bytes in the local header, to move the data off a round offset. */
  readonly extraLength?: number;
}

export function storedZip(members: readonly StoredMember[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const extra = Buffer.alloc(m.extraLength ?? 0);
    const crc = crc32(m.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4); // version needed
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(m.data.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // version made by
    entry.writeUInt16LE(10, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(m.data.length, 20);
    entry.writeUInt32LE(m.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, Buffer.from(m.data));
    central.push(entry, name);
    offset += local.length + name.length + extra.length + m.data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}
