// Inlined calls at a code address, from DWARF's DW_TAG_inlined_subroutine entries (.debug_info, versions 2 to 5).
// Compilation units are indexed by their address ranges first; a unit's entries are read only when an address
// falls in it, so a large debug file costs little until it is needed.
import type { ElfFile } from '../elf/index.js';
import { sectionBytes } from './dwarf-line.js';
import { SymbolsError } from './error.js';

/** One inlined call, outermost first in the list `InlineInfo.at` returns. */
export interface InlinedCall {
  /** the inlined function's name (its linkage name when it has one, for demangling) */
  name: string;
  /** where it was called from: an index into the unit's line-table files, and the line */
  callFile: number | undefined;
  callLine: number | undefined;
  /** the unit's line program (DW_AT_stmt_list), to resolve callFile with LineTable.fileName */
  lineUnit: number | undefined;
}

// Tags and attributes (DWARF 5, 7.5).
const DW_TAG_compile_unit = 0x11;
const DW_TAG_partial_unit = 0x3c;
const DW_TAG_skeleton_unit = 0x4a;
const DW_TAG_subprogram = 0x2e;
const DW_TAG_inlined_subroutine = 0x1d;
const DW_AT_name = 0x03;
const DW_AT_stmt_list = 0x10;
const DW_AT_low_pc = 0x11;
const DW_AT_high_pc = 0x12;
const DW_AT_abstract_origin = 0x31;
const DW_AT_specification = 0x47;
const DW_AT_ranges = 0x55;
const DW_AT_call_file = 0x58;
const DW_AT_call_line = 0x59;
const DW_AT_linkage_name = 0x6e;
const DW_AT_str_offsets_base = 0x72;
const DW_AT_addr_base = 0x73;
const DW_AT_rnglists_base = 0x74;
const DW_AT_MIPS_linkage_name = 0x2007;

// Forms.
const F = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09, block1: 0x0a,
  data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, ref_addr: 0x10, ref1: 0x11, ref2: 0x12, ref4: 0x13, ref8: 0x14,
  ref_udata: 0x15, indirect: 0x16, sec_offset: 0x17, exprloc: 0x18, flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c,
  strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f, ref_sig8: 0x20, implicit_const: 0x21, loclistx: 0x22, rnglistx: 0x23,
  ref_sup8: 0x24, strx1: 0x25, strx2: 0x26, strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

interface AttrSpec {
  name: number;
  form: number;
  implicit: bigint;
}

interface Abbrev {
  tag: number;
  children: boolean;
  attrs: AttrSpec[];
}

interface Unit {
  /** offset of the unit header in .debug_info */
  offset: number;
  /** offset of its first DIE */
  dieStart: number;
  end: number;
  version: number;
  is64: boolean;
  addressSize: number;
  abbrevs: Map<number, Abbrev>;
  lineUnit: number | undefined;
  addrBase: number;
  strOffsetsBase: number;
  rnglistsBase: number;
  lowPc: bigint;
  ranges: [bigint, bigint][];
  /** filled when the unit is first read in full */
  inlines: InlineEntry[] | undefined;
}

interface InlineEntry {
  low: bigint;
  high: bigint;
  depth: number;
  origin: number | undefined;
  callFile: number | undefined;
  callLine: number | undefined;
}

/** A value as read: numbers and addresses as bigint, strings as string, blocks skipped (undefined). */
type AttrValue = bigint | string | undefined;

interface Sections {
  info: Buffer;
  abbrev: Buffer;
  str: Buffer | undefined;
  lineStr: Buffer | undefined;
  strOffsets: Buffer | undefined;
  addr: Buffer | undefined;
  ranges: Buffer | undefined;
  rnglists: Buffer | undefined;
  aranges: Buffer | undefined;
}

export class InlineInfo {
  private readonly s: Sections;
  private readonly units: Unit[] = [];
  private readonly names = new Map<number, string | undefined>();
  /** abbreviation tables by offset: units often share one */
  private readonly abbrevTables = new Map<number, Map<number, Abbrev>>();

  /** The inline information of an ELF file, or undefined when it has no .debug_info. */
  static fromElf(elf: ElfFile): InlineInfo | undefined {
    const get = (name: string): Buffer | undefined => {
      const section = elf.section(name);
      return section && section.size > 0n ? sectionBytes(elf, section) : undefined;
    };
    const info = get('.debug_info');
    const abbrev = get('.debug_abbrev');
    if (!info || !abbrev) return undefined;
    return new InlineInfo({
      info,
      abbrev,
      str: get('.debug_str'),
      lineStr: get('.debug_line_str'),
      strOffsets: get('.debug_str_offsets'),
      addr: get('.debug_addr'),
      ranges: get('.debug_ranges'),
      rnglists: get('.debug_rnglists'),
      aranges: get('.debug_aranges'),
    });
  }

  /** units by header offset, read when first needed */
  private readonly unitCache = new Map<number, Unit | undefined>();
  /** from .debug_aranges: which unit holds which addresses, so only the units asked about are read */
  private readonly aranges: { low: bigint; high: bigint; unit: number }[] | undefined;

  private constructor(sections: Sections) {
    this.s = sections;
    this.aranges = sections.aranges ? readAranges(sections.aranges).sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : 0)) : undefined;
    if (this.aranges) return;
    let at = 0;
    while (at + 11 <= sections.info.length) {
      const unit = this.unitAt(at);
      if (!unit) break;
      at = unit.end;
    }
  }

  private unitAt(offset: number): Unit | undefined {
    if (this.unitCache.has(offset)) return this.unitCache.get(offset);
    const unit = this.readUnitHeader(offset);
    this.unitCache.set(offset, unit);
    if (unit) this.units.push(unit);
    return unit;
  }

  /** The units that may hold an address: from .debug_aranges when the file has it, else every unit. */
  private unitsFor(address: bigint): Unit[] {
    const aranges = this.aranges;
    if (!aranges) return this.units;
    // Sorted by start: binary-search the last range starting at or before the address, then look back over
    // the few earlier ones that may still reach it (ranges of different units do not normally overlap).
    let low = 0;
    let high = aranges.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (aranges[mid]!.low <= address) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    const out: Unit[] = [];
    for (let k = found; k >= 0 && k > found - 16; k--) {
      const r = aranges[k]!;
      if (address >= r.high) continue;
      const unit = this.unitAt(r.unit);
      if (unit && !out.includes(unit)) out.push(unit);
    }
    return out;
  }

  /** The inlined calls that cover a file address, outermost first; empty when the code there is not inlined. */
  at(address: bigint): InlinedCall[] {
    for (const unit of this.unitsFor(address)) {
      if (!unit.ranges.some(([lo, hi]) => address >= lo && address < hi)) continue;
      unit.inlines ??= this.readInlines(unit);
      const hits = unit.inlines.filter((e) => address >= e.low && address < e.high).sort((a, b) => a.depth - b.depth);
      if (hits.length === 0) continue;
      return hits.map((e) => ({
        name: (e.origin !== undefined ? this.nameOf(e.origin, 0) : undefined) ?? '',
        callFile: e.callFile,
        callLine: e.callLine,
        lineUnit: unit.lineUnit,
      }));
    }
    return [];
  }

  private readUnitHeader(offset: number): Unit | undefined {
    const r = new Cursor(this.s.info, offset);
    let length = r.u32();
    let is64 = false;
    if (length === 0xffffffff) {
      is64 = true;
      length = Number(r.u64());
    }
    const end = r.at + length;
    if (length === 0 || end > this.s.info.length) return undefined;
    const version = r.u16();
    let addressSize: number;
    let abbrevOffset: number;
    let unitType = 1;
    if (version >= 5) {
      unitType = r.u8();
      addressSize = r.u8();
      abbrevOffset = r.offset(is64);
      if (unitType === 4 || unitType === 5) r.skip(8); // skeleton and split units: dwo_id
      else if (unitType === 2 || unitType === 6) r.skip(8 + (is64 ? 8 : 4)); // type units: signature, type offset
    } else {
      abbrevOffset = r.offset(is64);
      addressSize = r.u8();
    }
    const unit: Unit = {
      offset, dieStart: r.at, end, version, is64, addressSize, abbrevs: this.abbrevTable(abbrevOffset),
      lineUnit: undefined, addrBase: 8, strOffsetsBase: 8, rnglistsBase: 0, lowPc: 0n, ranges: [], inlines: undefined,
    };
    if (version < 2 || version > 5 || unitType === 2 || unitType === 6) return unit;
    // The unit's own DIE: its bases first (other attributes' forms depend on them), then its address ranges.
    const code = r.ulebNumber();
    const abbrev = unit.abbrevs.get(code);
    if (!abbrev || ![DW_TAG_compile_unit, DW_TAG_partial_unit, DW_TAG_skeleton_unit].includes(abbrev.tag)) return unit;
    const values = new Map<number, { form: number; value: AttrValue }>();
    for (const spec of abbrev.attrs) values.set(spec.name, { form: spec.form, value: this.readValue(r, spec, unit, true) });
    const num = (name: number): number | undefined => {
      const v = values.get(name)?.value;
      return typeof v === 'bigint' ? Number(v) : undefined;
    };
    unit.addrBase = num(DW_AT_addr_base) ?? unit.addrBase;
    unit.strOffsetsBase = num(DW_AT_str_offsets_base) ?? unit.strOffsetsBase;
    unit.rnglistsBase = num(DW_AT_rnglists_base) ?? unit.rnglistsBase;
    unit.lineUnit = num(DW_AT_stmt_list);
    // Forms that index .debug_addr were read before addr_base was known: read the DIE again now.
    const again = new Cursor(this.s.info, unit.dieStart);
    again.uleb();
    const attrs = new Map<number, { form: number; value: AttrValue }>();
    for (const spec of abbrev.attrs) attrs.set(spec.name, { form: spec.form, value: this.readValue(again, spec, unit, false) });
    unit.lowPc = typeof attrs.get(DW_AT_low_pc)?.value === 'bigint' ? (attrs.get(DW_AT_low_pc)!.value as bigint) : 0n;
    unit.ranges = this.rangesOf(attrs, unit);
    // A unit that states no ranges may still hold code: look inside it when nothing else matches.
    if (unit.ranges.length === 0) unit.ranges = [[0n, 0xffffffffffffffffn]];
    return unit;
  }

  private abbrevTable(offset: number): Map<number, Abbrev> {
    let table = this.abbrevTables.get(offset);
    if (!table) {
      table = readAbbrevs(this.s.abbrev, offset);
      this.abbrevTables.set(offset, table);
    }
    return table;
  }

  /** Every inlined_subroutine in a unit, with its depth among inlined_subroutines. */
  private readInlines(unit: Unit): InlineEntry[] {
    const out: InlineEntry[] = [];
    const r = new Cursor(this.s.info, unit.dieStart);
    // Per nesting level: whether that level's parent is an inlined_subroutine.
    const stack: boolean[] = [];
    let inlineDepth = 0;
    while (r.at < unit.end) {
      const code = r.ulebNumber();
      if (code === 0) {
        if (stack.pop()) inlineDepth--;
        if (stack.length === 0) break;
        continue;
      }
      const abbrev = unit.abbrevs.get(code);
      if (!abbrev) throw new SymbolsError(`Cannot read .debug_info: abbreviation ${code} is not defined`);
      if (abbrev.tag !== DW_TAG_inlined_subroutine) {
        for (const spec of abbrev.attrs) this.skipValue(r, spec.form, unit);
      } else {
        const attrs = new Map<number, { form: number; value: AttrValue }>();
        for (const spec of abbrev.attrs) attrs.set(spec.name, { form: spec.form, value: this.readValue(r, spec, unit, false) });
        const origin = attrs.get(DW_AT_abstract_origin);
        const file = attrs.get(DW_AT_call_file)?.value;
        const line = attrs.get(DW_AT_call_line)?.value;
        for (const [low, high] of this.rangesOf(attrs, unit)) {
          out.push({
            low, high, depth: inlineDepth,
            origin: origin ? this.refOffset(origin.form, origin.value, unit) : undefined,
            callFile: typeof file === 'bigint' ? Number(file) : undefined,
            callLine: typeof line === 'bigint' ? Number(line) : undefined,
          });
        }
      }
      if (abbrev.children) {
        const isInline = abbrev.tag === DW_TAG_inlined_subroutine;
        stack.push(isInline);
        if (isInline) inlineDepth++;
      } else if (stack.length === 0) {
        break;
      }
    }
    return out;
  }

  /** The name of the DIE at a .debug_info offset, following abstract_origin and specification links. */
  private nameOf(offset: number, hops: number): string | undefined {
    if (this.names.has(offset)) return this.names.get(offset);
    if (hops > 8) return undefined;
    const unit = this.unitContaining(offset);
    if (!unit) return undefined;
    const r = new Cursor(this.s.info, offset);
    const abbrev = unit.abbrevs.get(r.ulebNumber());
    if (!abbrev) return undefined;
    const attrs = new Map<number, { form: number; value: AttrValue }>();
    for (const spec of abbrev.attrs) attrs.set(spec.name, { form: spec.form, value: this.readValue(r, spec, unit, false) });
    let name: string | undefined;
    for (const key of [DW_AT_linkage_name, DW_AT_MIPS_linkage_name, DW_AT_name]) {
      const v = attrs.get(key)?.value;
      if (typeof v === 'string') {
        name = v;
        break;
      }
    }
    if (name === undefined) {
      for (const key of [DW_AT_abstract_origin, DW_AT_specification]) {
        const link = attrs.get(key);
        if (!link) continue;
        const target = this.refOffset(link.form, link.value, unit);
        if (target !== undefined) name = this.nameOf(target, hops + 1);
        if (name !== undefined) break;
      }
    }
    if (abbrev.tag === DW_TAG_subprogram || abbrev.tag === DW_TAG_inlined_subroutine) this.names.set(offset, name);
    return name;
  }

  /** The unit whose DIEs include a .debug_info offset (references across units can name one not read yet). */
  private unitContaining(offset: number): Unit | undefined {
    const known = this.units.find((u) => offset >= u.dieStart && offset < u.end);
    if (known) return known;
    let at = 0;
    while (at + 11 <= this.s.info.length) {
      const r = new Cursor(this.s.info, at);
      let length = r.u32();
      if (length === 0xffffffff) length = Number(r.u64());
      const end = r.at + length;
      if (length === 0) return undefined;
      if (offset < end) return this.unitAt(at);
      at = end;
    }
    return undefined;
  }

  private refOffset(form: number, value: AttrValue, unit: Unit): number | undefined {
    if (typeof value !== 'bigint') return undefined;
    switch (form) {
      case F.ref1:
      case F.ref2:
      case F.ref4:
      case F.ref8:
      case F.ref_udata:
        return unit.offset + Number(value);
      case F.ref_addr:
        return Number(value);
      default:
        return undefined; // references into other files (.dwz, type units)
    }
  }

  /** [low, high) ranges from low_pc/high_pc or DW_AT_ranges. */
  private rangesOf(attrs: Map<number, { form: number; value: AttrValue }>, unit: Unit): [bigint, bigint][] {
    const low = attrs.get(DW_AT_low_pc);
    const high = attrs.get(DW_AT_high_pc);
    if (low && typeof low.value === 'bigint' && high && typeof high.value === 'bigint') {
      const isAddress = high.form === F.addr || high.form === F.addrx || (high.form >= F.addrx1 && high.form <= F.addrx4) || high.form === F.GNU_addr_index;
      return [[low.value, isAddress ? high.value : low.value + high.value]];
    }
    const ranges = attrs.get(DW_AT_ranges);
    if (!ranges || typeof ranges.value !== 'bigint') return [];
    if (unit.version >= 5) {
      let offset = Number(ranges.value);
      if (ranges.form === F.rnglistx) {
        if (!this.s.rnglists) return [];
        const size = unit.is64 ? 8 : 4;
        const at = unit.rnglistsBase + offset * size;
        offset = unit.rnglistsBase + (unit.is64 ? Number(this.s.rnglists.readBigUInt64LE(at)) : this.s.rnglists.readUInt32LE(at));
      }
      return this.rnglist(offset, unit);
    }
    return this.rangeList(Number(ranges.value), unit);
  }

  /** DWARF 2-4 .debug_ranges: address pairs relative to the unit's base, ended by (0, 0). */
  private rangeList(offset: number, unit: Unit): [bigint, bigint][] {
    const data = this.s.ranges;
    if (!data) return [];
    const r = new Cursor(data, offset);
    const max = unit.addressSize === 4 ? 0xffffffffn : 0xffffffffffffffffn;
    let base = unit.lowPc;
    const out: [bigint, bigint][] = [];
    while (r.at + 2 * unit.addressSize <= data.length) {
      const start = r.address(unit.addressSize);
      const end = r.address(unit.addressSize);
      if (start === 0n && end === 0n) break;
      if (start === max) {
        base = end;
        continue;
      }
      if (end > start) out.push([base + start, base + end]);
    }
    return out;
  }

  /** DWARF 5 .debug_rnglists entries. */
  private rnglist(offset: number, unit: Unit): [bigint, bigint][] {
    const data = this.s.rnglists;
    if (!data) return [];
    const r = new Cursor(data, offset);
    let base = unit.lowPc;
    const out: [bigint, bigint][] = [];
    const push = (start: bigint, end: bigint): void => {
      if (end > start) out.push([start, end]);
    };
    for (;;) {
      const kind = r.u8();
      switch (kind) {
        case 0: // end_of_list
          return out;
        case 1: // base_addressx
          base = this.indexedAddress(Number(r.uleb()), unit);
          break;
        case 2: {
          const start = this.indexedAddress(Number(r.uleb()), unit);
          push(start, this.indexedAddress(Number(r.uleb()), unit));
          break;
        }
        case 3: {
          const start = this.indexedAddress(Number(r.uleb()), unit);
          push(start, start + r.uleb());
          break;
        }
        case 4: {
          const start = r.uleb();
          push(base + start, base + r.uleb());
          break;
        }
        case 5:
          base = r.address(unit.addressSize);
          break;
        case 6: {
          const start = r.address(unit.addressSize);
          push(start, r.address(unit.addressSize));
          break;
        }
        case 7: {
          const start = r.address(unit.addressSize);
          push(start, start + r.uleb());
          break;
        }
        default:
          throw new SymbolsError(`Cannot read .debug_rnglists: entry kind ${kind} is not defined`);
      }
    }
  }

  private indexedAddress(index: number, unit: Unit): bigint {
    const data = this.s.addr;
    if (!data) return 0n;
    const at = unit.addrBase + index * unit.addressSize;
    if (at + unit.addressSize > data.length) return 0n;
    return unit.addressSize === 4 ? BigInt(data.readUInt32LE(at)) : data.readBigUInt64LE(at);
  }

  private indexedString(index: number, unit: Unit): string | undefined {
    const offsets = this.s.strOffsets;
    if (!offsets || !this.s.str) return undefined;
    const at = unit.strOffsetsBase + index * (unit.is64 ? 8 : 4);
    if (at + 4 > offsets.length) return undefined;
    const offset = unit.is64 ? Number(offsets.readBigUInt64LE(at)) : offsets.readUInt32LE(at);
    return cstring(this.s.str, offset);
  }

  /** Reads one attribute value. With `headerPass`, indexed addresses and strings are left unread (their bases are not known yet). */
  private readValue(r: Cursor, spec: AttrSpec, unit: Unit, headerPass: boolean): AttrValue {
    let form = spec.form;
    if (form === F.indirect) form = Number(r.uleb());
    switch (form) {
      case F.addr:
        return r.address(unit.addressSize);
      case F.data1:
      case F.ref1:
      case F.flag:
        return BigInt(r.u8());
      case F.data2:
      case F.ref2:
        return BigInt(r.u16());
      case F.data4:
      case F.ref4:
      case F.ref_sup4:
        return BigInt(r.u32());
      case F.data8:
      case F.ref8:
      case F.ref_sig8:
      case F.ref_sup8:
        return r.u64();
      case F.sdata:
        return r.sleb();
      case F.udata:
      case F.ref_udata:
      case F.loclistx:
      case F.rnglistx:
        return r.uleb();
      case F.ref_addr:
        return BigInt(unit.version <= 2 ? Number(r.address(unit.addressSize)) : r.offset(unit.is64));
      case F.sec_offset:
        return BigInt(r.offset(unit.is64));
      case F.flag_present:
        return 1n;
      case F.implicit_const:
        return spec.implicit;
      case F.string:
        return r.cstr();
      case F.strp:
        return this.s.str ? cstring(this.s.str, r.offset(unit.is64)) : (r.offset(unit.is64), undefined);
      case F.line_strp:
        return this.s.lineStr ? cstring(this.s.lineStr, r.offset(unit.is64)) : (r.offset(unit.is64), undefined);
      case F.strx:
      case F.GNU_str_index: {
        const index = Number(r.uleb());
        return headerPass ? undefined : this.indexedString(index, unit);
      }
      case F.strx1:
      case F.strx2:
      case F.strx3:
      case F.strx4: {
        const index = r.uintN(form - F.strx1 + 1);
        return headerPass ? undefined : this.indexedString(index, unit);
      }
      case F.addrx:
      case F.GNU_addr_index: {
        const index = Number(r.uleb());
        return headerPass ? undefined : this.indexedAddress(index, unit);
      }
      case F.addrx1:
      case F.addrx2:
      case F.addrx3:
      case F.addrx4: {
        const index = r.uintN(form - F.addrx1 + 1);
        return headerPass ? undefined : this.indexedAddress(index, unit);
      }
      default:
        this.skipValue(r, form, unit);
        return undefined;
    }
  }

  /** Moves past one attribute value without decoding it. */
  private skipValue(r: Cursor, form: number, unit: Unit): void {
    switch (form) {
      case F.flag_present:
      case F.implicit_const:
        return;
      case F.data1:
      case F.ref1:
      case F.flag:
      case F.strx1:
      case F.addrx1:
        r.skip(1);
        return;
      case F.data2:
      case F.ref2:
      case F.strx2:
      case F.addrx2:
        r.skip(2);
        return;
      case F.strx3:
      case F.addrx3:
        r.skip(3);
        return;
      case F.data4:
      case F.ref4:
      case F.ref_sup4:
      case F.strx4:
      case F.addrx4:
        r.skip(4);
        return;
      case F.data8:
      case F.ref8:
      case F.ref_sig8:
      case F.ref_sup8:
        r.skip(8);
        return;
      case F.data16:
        r.skip(16);
        return;
      case F.addr:
        r.skip(unit.addressSize);
        return;
      case F.ref_addr:
        r.skip(unit.version <= 2 ? unit.addressSize : unit.is64 ? 8 : 4);
        return;
      case F.strp:
      case F.line_strp:
      case F.sec_offset:
      case F.strp_sup:
      case F.GNU_ref_alt:
      case F.GNU_strp_alt:
        r.skip(unit.is64 ? 8 : 4);
        return;
      case F.sdata:
      case F.udata:
      case F.ref_udata:
      case F.strx:
      case F.addrx:
      case F.loclistx:
      case F.rnglistx:
      case F.GNU_addr_index:
      case F.GNU_str_index:
        r.skipUleb();
        return;
      case F.string:
        r.cstr();
        return;
      case F.block1:
        r.skip(r.u8());
        return;
      case F.block2:
        r.skip(r.u16());
        return;
      case F.block4:
        r.skip(r.u32());
        return;
      case F.block:
      case F.exprloc:
        r.skip(r.ulebNumber());
        return;
      case F.indirect:
        this.skipValue(r, Number(r.uleb()), unit);
        return;
      default:
        throw new SymbolsError(`Cannot read .debug_info: form 0x${form.toString(16)} is not supported`);
    }
  }
}

/** .debug_aranges: per unit, a header then (address, length) pairs aligned to twice the address size. */
function readAranges(data: Buffer): { low: bigint; high: bigint; unit: number }[] {
  const out: { low: bigint; high: bigint; unit: number }[] = [];
  let at = 0;
  while (at + 12 <= data.length) {
    const r = new Cursor(data, at);
    let length = r.u32();
    let is64 = false;
    if (length === 0xffffffff) {
      is64 = true;
      length = Number(r.u64());
    }
    const end = r.at + length;
    if (length === 0 || end > data.length) break;
    r.u16(); // version
    const unit = r.offset(is64);
    const addressSize = r.u8();
    r.u8(); // segment selector size
    const tuple = 2 * addressSize;
    const headerEnd = r.at - at;
    r.at = at + Math.ceil(headerEnd / tuple) * tuple;
    while (r.at + tuple <= end) {
      const low = r.address(addressSize);
      const size = r.address(addressSize);
      if (low === 0n && size === 0n) break;
      if (low !== 0n) out.push({ low, high: low + size, unit });
    }
    at = end;
  }
  return out;
}

function readAbbrevs(data: Buffer, offset: number): Map<number, Abbrev> {
  const out = new Map<number, Abbrev>();
  const r = new Cursor(data, offset);
  for (;;) {
    const code = r.ulebNumber();
    if (code === 0) return out;
    const tag = r.ulebNumber();
    const children = r.u8() !== 0;
    const attrs: AttrSpec[] = [];
    for (;;) {
      const name = r.ulebNumber();
      const form = r.ulebNumber();
      if (name === 0 && form === 0) break;
      attrs.push({ name, form, implicit: form === F.implicit_const ? r.sleb() : 0n });
    }
    out.set(code, { tag, children, attrs });
  }
}

function cstring(table: Buffer, offset: number): string | undefined {
  const end = table.indexOf(0, offset);
  return end < 0 ? undefined : table.toString('utf8', offset, end);
}

class Cursor {
  constructor(
    private readonly data: Buffer,
    public at: number,
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
  offset(is64: boolean): number {
    return is64 ? Number(this.u64()) : this.u32();
  }
  address(size: number): bigint {
    return size === 4 ? BigInt(this.u32()) : this.u64();
  }
  /** A ULEB128 that fits a double exactly (codes, counts, lengths). */
  ulebNumber(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }
  skipUleb(): void {
    while (this.u8() & 0x80);
  }
  uleb(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  sleb(): bigint {
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
  cstr(): string {
    const end = this.data.indexOf(0, this.at);
    if (end < 0) throw new SymbolsError('Cannot read .debug_info: string is not NUL-terminated');
    const s = this.data.toString('utf8', this.at, end);
    this.at = end + 1;
    return s;
  }
  skip(n: number): void {
    this.need(n);
    this.at += n;
  }
  private need(n: number): void {
    if (this.at + n > this.data.length) throw new SymbolsError('Cannot read DWARF: entry runs past the section end');
  }
}
