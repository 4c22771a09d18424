// Source file and line of a code address from DWARF's line-number programs (.debug_line, versions 2 to 5).
import type { ElfFile } from '../elf/index.js';
import { cstring, DW_FORM, DwarfReader, readUnitLength, sectionBytes } from './dwarf-reader.js';
import { SymbolsError } from './error.js';

export interface SourceLine {
  /** the directory the file name is relative to; '' when the table names none */
  dir: string;
  /** the file name as the line table gives it (relative to dir) */
  file: string;
  line: number;
}

// Standard opcodes (DWARF 5, 6.2.5.2).
const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_const_add_pc = 8;
const DW_LNS_fixed_advance_pc = 9;
// Extended opcodes.
const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;
const DW_LNE_define_file = 3;
// Line-table entry content types.
const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

/** The string sections DWARF 5 line-table headers point into. */
interface StringSections {
  lineStr?: Buffer | undefined;
  str?: Buffer | undefined;
}

/** One file's line rows, sorted by address; rows that end a sequence have file -1. */
export class LineTable {
  // Addresses as doubles: file addresses of user code stay far below 2^53, and doubles keep the parse fast.
  private readonly addresses: Float64Array;
  private readonly lines: Uint32Array;
  private readonly files: Int32Array;
  private readonly fileNames: readonly { dir: string; file: string }[];

  /** The line table of an ELF file, or undefined when it has no .debug_line. */
  static fromElf(elf: ElfFile): LineTable | undefined {
    const section = elf.section('.debug_line');
    if (!section || section.size === 0n) return undefined;
    const lineStr = elf.section('.debug_line_str');
    const str = elf.section('.debug_str');
    return LineTable.parse(sectionBytes(elf, section), {
      lineStr: lineStr ? sectionBytes(elf, lineStr) : undefined,
      str: str ? sectionBytes(elf, str) : undefined,
    });
  }

  /** Parses the bytes of .debug_line, with the string sections DWARF 5 headers point into. */
  static parse(data: Buffer, strings: StringSections = {}): LineTable {
    const sequences: Sequence[] = [];
    const names: { dir: string; file: string }[] = [];
    const units = new Map<number, number>();
    let at = 0;
    while (at + 4 <= data.length) {
      units.set(at, names.length);
      at = parseUnit(data, at, strings, sequences, names);
    }
    // Each sequence is in address order already; in start order, one after another, they make the whole table.
    // A sequence that starts where another ends comes after it, so lookup finds the start, not the end.
    sequences.sort((a, b) => a.addresses[0]! - b.addresses[0]!);
    return new LineTable(sequences, names, units);
  }

  /** where each unit's file names start in fileNames, by the unit's offset in .debug_line (a CU's DW_AT_stmt_list) */
  private readonly unitFileBase: ReadonlyMap<number, number>;

  private constructor(sequences: readonly Sequence[], names: readonly { dir: string; file: string }[], units: ReadonlyMap<number, number>) {
    this.unitFileBase = units;
    let total = 0;
    for (const seq of sequences) total += seq.addresses.length;
    this.addresses = new Float64Array(total);
    this.lines = new Uint32Array(total);
    this.files = new Int32Array(total);
    let k = 0;
    for (const seq of sequences) {
      this.addresses.set(seq.addresses, k);
      this.lines.set(seq.lines, k);
      this.files.set(seq.files, k);
      k += seq.addresses.length;
    }
    this.fileNames = names;
  }

  /** File `index` of the line program at `unitOffset`, as DW_AT_call_file numbers files. */
  fileName(unitOffset: number, index: number): { dir: string; file: string } | undefined {
    const base = this.unitFileBase.get(unitOffset);
    if (base === undefined) return undefined;
    return this.fileNames[base + index];
  }

  /** The row covering a file address (an ELF vaddr), or undefined outside every sequence. */
  lookup(address: bigint): SourceLine | undefined {
    const target = Number(address);
    let low = 0;
    let high = this.addresses.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if ((this.addresses[mid] as number) <= target) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (found < 0) return undefined;
    const file = this.files[found] as number;
    if (file < 0) return undefined;
    const name = this.fileNames[file];
    if (!name) return undefined;
    return { dir: name.dir, file: name.file, line: this.lines[found] as number };
  }
}

/** One sequence's rows; the last row ends the sequence (file -1). */
interface Sequence {
  addresses: number[];
  lines: number[];
  files: number[];
}

function stringAt(table: Buffer | undefined, offset: number, what: string): string {
  if (!table) throw new SymbolsError(`Cannot read .debug_line: it points into ${what}, which the file lacks`);
  const s = cstring(table, offset);
  if (s === undefined) throw new SymbolsError(`Cannot read .debug_line: string at ${offset} of ${what} is not NUL-terminated`);
  return s;
}

/** Reads one attribute of a DWARF 5 directory or file entry: a string for paths, a number for indexes, undefined otherwise. */
function readForm(r: DwarfReader, form: number, is64: boolean, strings: StringSections): string | number | undefined {
  switch (form) {
    case DW_FORM.string:
      return r.cstr();
    case DW_FORM.line_strp:
      return stringAt(strings.lineStr, r.offset(is64), '.debug_line_str');
    case DW_FORM.strp:
      return stringAt(strings.str, r.offset(is64), '.debug_str');
    case DW_FORM.udata:
      return r.uleb();
    case DW_FORM.sdata:
      return r.sleb();
    case DW_FORM.data1:
      return r.u8();
    case DW_FORM.data2:
      return r.u16();
    case DW_FORM.data4:
      return r.u32();
    case DW_FORM.data8:
      r.skip(8);
      return undefined;
    case DW_FORM.data16:
      r.skip(16);
      return undefined;
    case DW_FORM.block:
      r.skip(r.uleb());
      return undefined;
    case DW_FORM.block1:
      r.skip(r.u8());
      return undefined;
    case DW_FORM.strx:
    case DW_FORM.strx1:
    case DW_FORM.strx2:
    case DW_FORM.strx3:
    case DW_FORM.strx4:
      // Indexes into .debug_str_offsets need the unit's base from .debug_info; compilers do not use them here.
      throw new SymbolsError('Cannot read .debug_line: indexed strings (DW_FORM_strx) are not supported');
    default:
      throw new SymbolsError(`Cannot read .debug_line: form 0x${form.toString(16)} is not supported`);
  }
}

function joinDir(dir: string, sub: string): string {
  if (sub.startsWith('/') || dir === '') return sub;
  return `${dir.replace(/\/+$/, '')}/${sub}`;
}

/** Parses the unit at `start`, appends its rows and file names, and returns where the next unit begins. */
function parseUnit(
  data: Buffer,
  start: number,
  strings: StringSections,
  sequences: Sequence[],
  names: { dir: string; file: string }[],
): number {
  const r = new DwarfReader(data, start, '.debug_line');
  const { is64, end } = readUnitLength(r);
  if (end > data.length) throw new SymbolsError(`Cannot read .debug_line: unit at ${start} runs past the section end`);
  const version = r.u16();
  if (version < 2 || version > 5) return end;
  let addressSize = 8;
  if (version >= 5) {
    addressSize = r.u8();
    r.u8(); // segment selector size
  }
  const headerLength = r.offset(is64);
  const programStart = r.at + headerLength;
  const minInstLength = r.u8();
  const maxOps = version >= 4 ? r.u8() : 1;
  const defaultIsStmt = r.u8();
  void defaultIsStmt;
  const lineBase = (r.u8() << 24) >> 24;
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  const opcodeLengths: number[] = [];
  for (let k = 1; k < opcodeBase; k++) opcodeLengths.push(r.u8());
  if (lineRange === 0 || maxOps !== 1) return end; // VLIW tables (maxOps > 1) do not occur on x86

  const dirs: string[] = [];
  const files: { dir: string; file: string }[] = [];
  if (version >= 5) {
    const dirFormats = readFormats(r);
    const dirCount = r.uleb();
    for (let k = 0; k < dirCount; k++) {
      let path = '';
      for (const [type, form] of dirFormats) {
        const v = readForm(r, form, is64, strings);
        if (type === DW_LNCT_path && typeof v === 'string') path = v;
      }
      dirs.push(k === 0 ? path : joinDir(dirs[0] ?? '', path));
    }
    const fileFormats = readFormats(r);
    const fileCount = r.uleb();
    for (let k = 0; k < fileCount; k++) {
      let path = '';
      let dirIndex = 0;
      for (const [type, form] of fileFormats) {
        const v = readForm(r, form, is64, strings);
        if (type === DW_LNCT_path && typeof v === 'string') path = v;
        else if (type === DW_LNCT_directory_index && typeof v === 'number') dirIndex = v;
      }
      files.push(fileEntry(dirs[dirIndex] ?? '', path));
    }
  } else {
    // Directory 0 and file 0 are implicit (the compilation directory and primary file) before DWARF 5.
    dirs.push('');
    for (let d = r.cstr(); d !== ''; d = r.cstr()) dirs.push(d);
    files.push({ dir: '', file: '' });
    for (let f = r.cstr(); f !== ''; f = r.cstr()) {
      const dirIndex = r.uleb();
      r.uleb();
      r.uleb();
      files.push(fileEntry(dirs[dirIndex] ?? '', f));
    }
  }
  const fileBase = names.length;
  names.push(...files);

  r.at = programStart;
  let address = 0;
  let file = 1;
  let line = 1;
  let sequence: Sequence = { addresses: [], lines: [], files: [] };
  const emit = (endSequence: boolean): void => {
    sequence.addresses.push(address);
    sequence.lines.push(line);
    sequence.files.push(endSequence ? -1 : fileBase + file);
  };
  while (r.at < end) {
    const op = r.u8();
    if (op >= opcodeBase) {
      const adjusted = op - opcodeBase;
      address += Math.floor(adjusted / lineRange) * minInstLength;
      line += lineBase + (adjusted % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        const next = r.at + len;
        const sub = len > 0 ? r.u8() : 0;
        if (sub === DW_LNE_end_sequence) {
          emit(true);
          // Sequences at address 0 belong to functions the linker discarded; they would shadow real code.
          if (sequence.addresses[0] !== 0) sequences.push(sequence);
          sequence = { addresses: [], lines: [], files: [] };
          address = 0;
          file = 1;
          line = 1;
        } else if (sub === DW_LNE_set_address) {
          const size = len - 1 === 4 ? 4 : addressSize;
          if (size !== 4 && size !== 8) throw new SymbolsError(`Cannot read .debug_line: address size ${size} is not supported`);
          address = Number(r.address(size));
        } else if (sub === DW_LNE_define_file) {
          const name = r.cstr();
          const dirIndex = r.uleb();
          names.push(fileEntry(dirs[dirIndex] ?? '', name));
          files.push({ dir: '', file: name });
        }
        r.at = next;
        break;
      }
      case DW_LNS_copy:
        emit(false);
        break;
      case DW_LNS_advance_pc:
        address += r.uleb() * minInstLength;
        break;
      case DW_LNS_advance_line:
        line += r.sleb();
        break;
      case DW_LNS_set_file:
        file = r.uleb();
        break;
      case DW_LNS_const_add_pc:
        address += Math.floor((255 - opcodeBase) / lineRange) * minInstLength;
        break;
      case DW_LNS_fixed_advance_pc:
        address += r.u16();
        break;
      default:
        // set_column, negate_stmt, basic_block, prologue_end, epilogue_begin, set_isa and unknown ones: skip their operands.
        for (let k = 0; k < (opcodeLengths[op - 1] ?? 0); k++) r.uleb();
    }
  }
  return end;
}

function readFormats(r: DwarfReader): [number, number][] {
  const count = r.u8();
  const out: [number, number][] = [];
  for (let k = 0; k < count; k++) out.push([r.uleb(), r.uleb()]);
  return out;
}

/** An absolute file name splits into its own directory and base name; a relative one stays under its directory. */
function fileEntry(dir: string, path: string): { dir: string; file: string } {
  if (path.startsWith('/')) {
    const slash = path.lastIndexOf('/');
    return { dir: path.slice(0, slash) || '/', file: path.slice(slash + 1) };
  }
  return { dir, file: path };
}
