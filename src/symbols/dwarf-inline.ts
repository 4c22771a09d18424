// Inlined calls at a code address, from DWARF's DW_TAG_inlined_subroutine entries (.debug_info, versions 2 to 5).
// Compilation units are indexed by their address ranges first; a unit's entries are read only when an address
// falls in it, so a large debug file costs little until it is needed.
import type { ElfFile } from '../elf/index.js';
import { cstring, DW_FORM, DwarfReader, readUnitLength, sectionBytes } from './dwarf-reader.js';
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

/** A DIE's attributes by name, each with the form it was read from (references and ranges depend on it). */
type Attrs = Map<number, { form: number; value: AttrValue }>;

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
    const r = new DwarfReader(this.s.info, offset, '.debug_info');
    const { length, is64, end } = readUnitLength(r);
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
    const code = r.uleb();
    const abbrev = unit.abbrevs.get(code);
    if (!abbrev || ![DW_TAG_compile_unit, DW_TAG_partial_unit, DW_TAG_skeleton_unit].includes(abbrev.tag)) return unit;
    const values = this.readAttrs(r, abbrev, unit, true);
    const num = (name: number): number | undefined => {
      const v = values.get(name)?.value;
      return typeof v === 'bigint' ? Number(v) : undefined;
    };
    unit.addrBase = num(DW_AT_addr_base) ?? unit.addrBase;
    unit.strOffsetsBase = num(DW_AT_str_offsets_base) ?? unit.strOffsetsBase;
    unit.rnglistsBase = num(DW_AT_rnglists_base) ?? unit.rnglistsBase;
    unit.lineUnit = num(DW_AT_stmt_list);
    // Forms that index .debug_addr were read before addr_base was known: read the DIE again now.
    const again = new DwarfReader(this.s.info, unit.dieStart, '.debug_info');
    again.skipUleb();
    const attrs = this.readAttrs(again, abbrev, unit, false);
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
    const r = new DwarfReader(this.s.info, unit.dieStart, '.debug_info');
    // Per nesting level: whether that level's parent is an inlined_subroutine.
    const stack: boolean[] = [];
    let inlineDepth = 0;
    while (r.at < unit.end) {
      const code = r.uleb();
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
        const attrs = this.readAttrs(r, abbrev, unit, false);
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
    const r = new DwarfReader(this.s.info, offset, '.debug_info');
    const abbrev = unit.abbrevs.get(r.uleb());
    if (!abbrev) return undefined;
    const attrs = this.readAttrs(r, abbrev, unit, false);
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
      const { length, end } = readUnitLength(new DwarfReader(this.s.info, at, '.debug_info'));
      if (length === 0) return undefined;
      if (offset < end) return this.unitAt(at);
      at = end;
    }
    return undefined;
  }

  private refOffset(form: number, value: AttrValue, unit: Unit): number | undefined {
    if (typeof value !== 'bigint') return undefined;
    switch (form) {
      case DW_FORM.ref1:
      case DW_FORM.ref2:
      case DW_FORM.ref4:
      case DW_FORM.ref8:
      case DW_FORM.ref_udata:
        return unit.offset + Number(value);
      case DW_FORM.ref_addr:
        return Number(value);
      default:
        return undefined; // references into other files (.dwz, type units)
    }
  }

  /** [low, high) ranges from low_pc/high_pc or DW_AT_ranges. */
  private rangesOf(attrs: Attrs, unit: Unit): [bigint, bigint][] {
    const low = attrs.get(DW_AT_low_pc);
    const high = attrs.get(DW_AT_high_pc);
    if (low && typeof low.value === 'bigint' && high && typeof high.value === 'bigint') {
      const isAddress = high.form === DW_FORM.addr || high.form === DW_FORM.addrx || (high.form >= DW_FORM.addrx1 && high.form <= DW_FORM.addrx4) || high.form === DW_FORM.GNU_addr_index;
      return [[low.value, isAddress ? high.value : low.value + high.value]];
    }
    const ranges = attrs.get(DW_AT_ranges);
    if (!ranges || typeof ranges.value !== 'bigint') return [];
    if (unit.version >= 5) {
      let offset = Number(ranges.value);
      if (ranges.form === DW_FORM.rnglistx) {
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
    const r = new DwarfReader(data, offset, '.debug_ranges');
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
    const r = new DwarfReader(data, offset, '.debug_rnglists');
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
          base = this.indexedAddress(r.uleb(), unit);
          break;
        case 2: {
          const start = this.indexedAddress(r.uleb(), unit);
          push(start, this.indexedAddress(r.uleb(), unit));
          break;
        }
        case 3: {
          const start = this.indexedAddress(r.uleb(), unit);
          push(start, start + r.ulebBig());
          break;
        }
        case 4: {
          const start = r.ulebBig();
          push(base + start, base + r.ulebBig());
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
          push(start, start + r.ulebBig());
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

  private readAttrs(r: DwarfReader, abbrev: Abbrev, unit: Unit, headerPass: boolean): Attrs {
    const attrs: Attrs = new Map();
    for (const spec of abbrev.attrs) attrs.set(spec.name, { form: spec.form, value: this.readValue(r, spec, unit, headerPass) });
    return attrs;
  }

  /** Reads one attribute value. With `headerPass`, indexed addresses and strings are left unread (their bases are not known yet). */
  private readValue(r: DwarfReader, spec: AttrSpec, unit: Unit, headerPass: boolean): AttrValue {
    let form = spec.form;
    if (form === DW_FORM.indirect) form = r.uleb();
    switch (form) {
      case DW_FORM.addr:
        return r.address(unit.addressSize);
      case DW_FORM.data1:
      case DW_FORM.ref1:
      case DW_FORM.flag:
        return BigInt(r.u8());
      case DW_FORM.data2:
      case DW_FORM.ref2:
        return BigInt(r.u16());
      case DW_FORM.data4:
      case DW_FORM.ref4:
      case DW_FORM.ref_sup4:
        return BigInt(r.u32());
      case DW_FORM.data8:
      case DW_FORM.ref8:
      case DW_FORM.ref_sig8:
      case DW_FORM.ref_sup8:
        return r.u64();
      case DW_FORM.sdata:
        return r.slebBig();
      case DW_FORM.udata:
      case DW_FORM.ref_udata:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
        return r.ulebBig();
      case DW_FORM.ref_addr:
        return BigInt(unit.version <= 2 ? Number(r.address(unit.addressSize)) : r.offset(unit.is64));
      case DW_FORM.sec_offset:
        return BigInt(r.offset(unit.is64));
      case DW_FORM.flag_present:
        return 1n;
      case DW_FORM.implicit_const:
        return spec.implicit;
      case DW_FORM.string:
        return r.cstr();
      case DW_FORM.strp:
        return this.s.str ? cstring(this.s.str, r.offset(unit.is64)) : (r.offset(unit.is64), undefined);
      case DW_FORM.line_strp:
        return this.s.lineStr ? cstring(this.s.lineStr, r.offset(unit.is64)) : (r.offset(unit.is64), undefined);
      case DW_FORM.strx:
      case DW_FORM.GNU_str_index:
      case DW_FORM.strx1:
      case DW_FORM.strx2:
      case DW_FORM.strx3:
      case DW_FORM.strx4: {
        const index = indexOperand(r, form);
        return headerPass ? undefined : this.indexedString(index, unit);
      }
      case DW_FORM.addrx:
      case DW_FORM.GNU_addr_index:
      case DW_FORM.addrx1:
      case DW_FORM.addrx2:
      case DW_FORM.addrx3:
      case DW_FORM.addrx4: {
        const index = indexOperand(r, form);
        return headerPass ? undefined : this.indexedAddress(index, unit);
      }
      default:
        this.skipValue(r, form, unit);
        return undefined;
    }
  }

  /** Moves past one attribute value without decoding it. */
  private skipValue(r: DwarfReader, form: number, unit: Unit): void {
    switch (form) {
      case DW_FORM.flag_present:
      case DW_FORM.implicit_const:
        return;
      case DW_FORM.data1:
      case DW_FORM.ref1:
      case DW_FORM.flag:
      case DW_FORM.strx1:
      case DW_FORM.addrx1:
        r.skip(1);
        return;
      case DW_FORM.data2:
      case DW_FORM.ref2:
      case DW_FORM.strx2:
      case DW_FORM.addrx2:
        r.skip(2);
        return;
      case DW_FORM.strx3:
      case DW_FORM.addrx3:
        r.skip(3);
        return;
      case DW_FORM.data4:
      case DW_FORM.ref4:
      case DW_FORM.ref_sup4:
      case DW_FORM.strx4:
      case DW_FORM.addrx4:
        r.skip(4);
        return;
      case DW_FORM.data8:
      case DW_FORM.ref8:
      case DW_FORM.ref_sig8:
      case DW_FORM.ref_sup8:
        r.skip(8);
        return;
      case DW_FORM.data16:
        r.skip(16);
        return;
      case DW_FORM.addr:
        r.skip(unit.addressSize);
        return;
      case DW_FORM.ref_addr:
        r.skip(unit.version <= 2 ? unit.addressSize : unit.is64 ? 8 : 4);
        return;
      case DW_FORM.strp:
      case DW_FORM.line_strp:
      case DW_FORM.sec_offset:
      case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt:
      case DW_FORM.GNU_strp_alt:
        r.skip(unit.is64 ? 8 : 4);
        return;
      case DW_FORM.sdata:
      case DW_FORM.udata:
      case DW_FORM.ref_udata:
      case DW_FORM.strx:
      case DW_FORM.addrx:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
      case DW_FORM.GNU_addr_index:
      case DW_FORM.GNU_str_index:
        r.skipUleb();
        return;
      case DW_FORM.string:
        r.cstr();
        return;
      case DW_FORM.block1:
        r.skip(r.u8());
        return;
      case DW_FORM.block2:
        r.skip(r.u16());
        return;
      case DW_FORM.block4:
        r.skip(r.u32());
        return;
      case DW_FORM.block:
      case DW_FORM.exprloc:
        r.skip(r.uleb());
        return;
      case DW_FORM.indirect:
        this.skipValue(r, r.uleb(), unit);
        return;
      default:
        throw new SymbolsError(`Cannot read .debug_info: form 0x${form.toString(16)} is not supported`);
    }
  }
}

/** The index a strx or addrx form holds: 1 to 4 bytes for the sized variants, else a ULEB128. */
function indexOperand(r: DwarfReader, form: number): number {
  if (form >= DW_FORM.strx1 && form <= DW_FORM.strx4) return r.uintN(form - DW_FORM.strx1 + 1);
  if (form >= DW_FORM.addrx1 && form <= DW_FORM.addrx4) return r.uintN(form - DW_FORM.addrx1 + 1);
  return r.uleb();
}

/** .debug_aranges: per unit, a header then (address, length) pairs aligned to twice the address size. */
function readAranges(data: Buffer): { low: bigint; high: bigint; unit: number }[] {
  const out: { low: bigint; high: bigint; unit: number }[] = [];
  let at = 0;
  while (at + 12 <= data.length) {
    const r = new DwarfReader(data, at, '.debug_aranges');
    const { length, is64, end } = readUnitLength(r);
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
  const r = new DwarfReader(data, offset, '.debug_abbrev');
  for (;;) {
    const code = r.uleb();
    if (code === 0) return out;
    const tag = r.uleb();
    const children = r.u8() !== 0;
    const attrs: AttrSpec[] = [];
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      attrs.push({ name, form, implicit: form === DW_FORM.implicit_const ? r.slebBig() : 0n });
    }
    out.set(code, { tag, children, attrs });
  }
}
