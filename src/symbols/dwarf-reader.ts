// The encodings DWARF sections share (DWARF 5, 7): section bytes, a bounds-checked cursor, unit lengths and forms,
// used by the line-table reader and the inline reader.
import { inflateSync } from 'node:zlib';
import type { ElfFile, ElfSection } from '../elf/index.js';
import { SymbolsError } from './error.js';

const SHF_COMPRESSED = 0x800n;
const ELFCOMPRESS_ZLIB = 1;

/** Attribute forms (DWARF 5, 7.5.6), with the GNU extensions compilers emit. */
export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09, block1: 0x0a,
  data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, ref_addr: 0x10, ref1: 0x11, ref2: 0x12, ref4: 0x13, ref8: 0x14,
  ref_udata: 0x15, indirect: 0x16, sec_offset: 0x17, exprloc: 0x18, flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c,
  strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f, ref_sig8: 0x20, implicit_const: 0x21, loclistx: 0x22, rnglistx: 0x23,
  ref_sup8: 0x24, strx1: 0x25, strx2: 0x26, strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

/** A section's bytes, inflated when the section is SHF_COMPRESSED with zlib. */
export function sectionBytes(elf: ElfFile, section: ElfSection): Buffer {
  const raw = elf.sectionData(section);
  if ((section.flags & SHF_COMPRESSED) === 0n) return raw;
  if (raw.length < 24) throw new SymbolsError(`Cannot read ${section.name} of ${elf.path}: compression header is truncated`);
  const kind = raw.readUInt32LE(0);
  if (kind !== ELFCOMPRESS_ZLIB) throw new SymbolsError(`Cannot read ${section.name} of ${elf.path}: compression type ${kind} is not supported`);
  return inflateSync(raw.subarray(24));
}

/** The NUL-terminated string at an offset of a string section, or undefined when it has no end. */
export function cstring(table: Buffer, offset: number): string | undefined {
  const end = table.indexOf(0, offset);
  return end < 0 ? undefined : table.toString('utf8', offset, end);
}

/** Reads little-endian DWARF values from one section; running past its end throws, naming the section. */
export class DwarfReader {
  constructor(
    private readonly data: Buffer,
    public at: number,
    private readonly section: string,
  ) {}

  u8(): number {
    this.need(1);
    return this.data[this.at++] as number;
  }
  u16(): number {
    this.need(2);
    const v = this.data.readUInt16LE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.data.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.data.readBigUInt64LE(this.at);
    this.at += 8;
    return v;
  }
  uintN(n: number): number {
    this.need(n);
    const v = this.data.readUIntLE(this.at, n);
    this.at += n;
    return v;
  }
  /** A size-dependent offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF. */
  offset(is64: boolean): number {
    return is64 ? Number(this.u64()) : this.u32();
  }
  address(size: number): bigint {
    return size === 4 ? BigInt(this.u32()) : this.u64();
  }
  /** A ULEB128 that fits a double exactly (codes, counts, lengths, line-program operands). */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }
  sleb(): number {
    let result = 0;
    let scale = 1;
    let b: number;
    do {
      b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    if (b & 0x40) result -= scale;
    return result;
  }
  /** A ULEB128 of any size (attribute values, which may be addresses). */
  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    return result;
  }
  skipUleb(): void {
    while (this.u8() & 0x80);
  }
  cstr(): string {
    const end = this.data.indexOf(0, this.at);
    if (end < 0) throw new SymbolsError(`Cannot read ${this.section}: string is not NUL-terminated`);
    const s = this.data.toString('utf8', this.at, end);
    this.at = end + 1;
    return s;
  }
  skip(n: number): void {
    this.need(n);
    this.at += n;
  }
  private need(n: number): void {
    if (this.at + n > this.data.length) throw new SymbolsError(`Cannot read ${this.section}: unit runs past the section end`);
  }
}

/**
 * The initial length that starts every unit: 32-bit DWARF, or 0xffffffff and then a 64-bit length for 64-bit
 * DWARF (which also widens the unit's offsets). `end` is where the unit stops and the next one starts.
 */
export function readUnitLength(r: DwarfReader): { length: number; is64: boolean; end: number } {
  let length = r.u32();
  let is64 = false;
  if (length === 0xffffffff) {
    is64 = true;
    length = Number(r.u64());
  }
  return { length, is64, end: r.at + length };
}
