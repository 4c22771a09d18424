// An ELF64 little-endian file: headers, sections, segments, symbols, notes, USDT probes, build-id, debuglink.
import { ElfError } from './error.js';
import { globToRegExp } from './glob.js';
import { parseNotes, type ElfNote } from './notes.js';
import { bufferSource, fileSource, type ByteSource } from './source.js';
import { parseUsdtArgs, parseUsdtNoteDesc, STAPSDT_NOTE_TYPE, type UsdtNote } from './usdt.js';

export type ElfType = 'rel' | 'exec' | 'dyn' | 'core' | 'other';
export type ElfSymbolType = 'func' | 'object' | 'notype' | 'section' | 'file' | 'tls' | 'ifunc' | 'other';
export type ElfSymbolBind = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  type: ElfSymbolType;
  bind: ElfSymbolBind;
  /** section header index; 0 (SHN_UNDEF) for imports, 0xfff1 (SHN_ABS), 0xfff2 (SHN_COMMON) */
  section: number;
}

export interface ElfSection {
  index: number;
  name: string;
  /** SHT_* */
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
}

export interface ElfSegment {
  /** PT_* */
  type: number;
  /** PF_X 1, PF_W 2, PF_R 4 */
  flags: number;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

export const SHT_SYMTAB = 2;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const SHN_UNDEF = 0;

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SYM_SIZE = 24;
const NT_GNU_BUILD_ID = 3;
const SHN_XINDEX = 0xffff;

const SYMBOL_TYPES: Record<number, ElfSymbolType> = { 0: 'notype', 1: 'object', 2: 'func', 3: 'section', 4: 'file', 6: 'tls', 10: 'ifunc' };
const SYMBOL_BINDS: Record<number, ElfSymbolBind> = { 0: 'local', 1: 'global', 2: 'weak' };
const FILE_TYPES: Record<number, ElfType> = { 1: 'rel', 2: 'exec', 3: 'dyn', 4: 'core' };

/** Opens and parses an ELF file's headers; sections' contents and symbols are read when first asked for. */
export function openElf(path: string): ElfFile {
  return new ElfFile(path, fileSource(path));
}

/** Parses ELF bytes already in memory; `path` only names them in errors. */
export function parseElf(bytes: Uint8Array, path = '<memory>'): ElfFile {
  return new ElfFile(path, bufferSource(bytes));
}

export class ElfFile {
  readonly path: string;
  readonly type: ElfType;
  /** EM_* (62 is x86_64) */
  readonly machine: number;
  readonly entry: bigint;
  private readonly source: ByteSource;
  private readonly sectionList: ElfSection[];
  private readonly segmentList: ElfSegment[];
  private symbolCache: ElfSymbol[] | undefined;
  private byName: Map<string, ElfSymbol[]> | undefined;
  private readonly tableCache = new Map<number, { data: Buffer; strtab: Buffer; entsize: number }>();

  constructor(path: string, source: ByteSource) {
    this.path = path;
    this.source = source;
    const header = this.bytes(0, EHDR_SIZE, 'ELF header');
    if (header.readUInt32BE(0) !== 0x7f454c46) throw this.error('not an ELF file: bad magic');
    if (header[4] !== 2) throw this.error(`only 64-bit ELF is supported: class is ${header[4]}`);
    if (header[5] !== 1) throw this.error(`only little-endian ELF is supported: data encoding is ${header[5]}`);
    this.type = FILE_TYPES[header.readUInt16LE(16)] ?? 'other';
    this.machine = header.readUInt16LE(18);
    this.entry = header.readBigUInt64LE(24);
    const phoff = this.offsetNumber(header.readBigUInt64LE(32), 'program header offset');
    const shoff = this.offsetNumber(header.readBigUInt64LE(40), 'section header offset');
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const shentsize = header.readUInt16LE(58);
    let shnum = header.readUInt16LE(60);
    let shstrndx = header.readUInt16LE(62);

    if (shoff !== 0 && (shnum > 0 || shstrndx === SHN_XINDEX) && shentsize < SHDR_SIZE) {
      throw this.error(`section header entry size ${shentsize} is smaller than ${SHDR_SIZE}`);
    }
    // More than 0xff00 sections: the real count and string-table index live in section header 0.
    if (shoff !== 0 && (shnum === 0 || shstrndx === SHN_XINDEX)) {
      const first = this.bytes(shoff, SHDR_SIZE, 'section header 0');
      if (shnum === 0) shnum = this.offsetNumber(first.readBigUInt64LE(32), 'section count');
      if (shstrndx === SHN_XINDEX) shstrndx = first.readUInt32LE(40);
    }
    this.sectionList = [];
    if (shoff !== 0 && shnum > 0) {
      const table = this.bytes(shoff, shnum * shentsize, 'section headers');
      for (let i = 0; i < shnum; i++) {
        const at = i * shentsize;
        this.sectionList.push({
          index: i,
          name: '',
          type: table.readUInt32LE(at + 4),
          flags: table.readBigUInt64LE(at + 8),
          addr: table.readBigUInt64LE(at + 16),
          offset: table.readBigUInt64LE(at + 24),
          size: table.readBigUInt64LE(at + 32),
          link: table.readUInt32LE(at + 40),
          info: table.readUInt32LE(at + 44),
          addralign: table.readBigUInt64LE(at + 48),
          entsize: table.readBigUInt64LE(at + 56),
        });
      }
      const names = this.sectionList[shstrndx];
      if (names) {
        const strtab = this.sectionData(names);
        for (let i = 0; i < shnum; i++) {
          const section = this.sectionList[i] as ElfSection;
          section.name = this.readString(strtab, table.readUInt32LE(i * shentsize), 'section name');
        }
      } else if (shstrndx !== 0) {
        throw this.error(`section name table index ${shstrndx} is out of range (${shnum} sections)`);
      }
    }

    this.segmentList = [];
    if (phoff !== 0 && phnum > 0) {
      if (phentsize < PHDR_SIZE) throw this.error(`program header entry size ${phentsize} is smaller than ${PHDR_SIZE}`);
      const table = this.bytes(phoff, phnum * phentsize, 'program headers');
      for (let i = 0; i < phnum; i++) {
        const at = i * phentsize;
        this.segmentList.push({
          type: table.readUInt32LE(at),
          flags: table.readUInt32LE(at + 4),
          offset: table.readBigUInt64LE(at + 8),
          vaddr: table.readBigUInt64LE(at + 16),
          paddr: table.readBigUInt64LE(at + 24),
          filesz: table.readBigUInt64LE(at + 32),
          memsz: table.readBigUInt64LE(at + 40),
          align: table.readBigUInt64LE(at + 48),
        });
      }
    }
  }

  sections(): readonly ElfSection[] {
    return this.sectionList;
  }

  /** The first section with this name. */
  section(name: string): ElfSection | undefined {
    return this.sectionList.find((s) => s.name === name);
  }

  segments(): readonly ElfSegment[] {
    return this.segmentList;
  }

  /** A section's bytes (empty for SHT_NOBITS such as .bss). */
  sectionData(section: ElfSection): Buffer {
    if (section.type === SHT_NOBITS) return Buffer.alloc(0);
    const offset = this.offsetNumber(section.offset, `offset of section ${section.index}`);
    const size = this.offsetNumber(section.size, `size of section ${section.index}`);
    return this.bytes(offset, size, `section ${section.name || section.index}`);
  }

  /** .symtab and .dynsym merged: a .symtab entry wins over a .dynsym entry of the same name and value; nameless entries are left out. */
  symbols(): ElfSymbol[] {
    if (this.symbolCache) return this.symbolCache;
    const out: ElfSymbol[] = [];
    // .dynsym mostly repeats .symtab, so .symtab goes first and wins; stripped files have only .dynsym.
    const known = new Map<string, bigint | bigint[]>();
    for (const section of this.symbolTables()) {
      for (const sym of this.readSymbolTable(section)) {
        const had = known.get(sym.name);
        if (had === undefined) {
          known.set(sym.name, sym.value);
        } else if (typeof had === 'bigint') {
          if (had === sym.value) continue;
          known.set(sym.name, [had, sym.value]);
        } else {
          if (had.includes(sym.value)) continue;
          had.push(sym.value);
        }
        out.push(sym);
      }
    }
    this.symbolCache = out;
    return out;
  }

  /** Symbols whose names match a glob (`*`, `?`, `[...]`). */
  findSymbols(pattern: string): ElfSymbol[] {
    const re = globToRegExp(pattern);
    return this.symbols().filter((s) => re.test(s.name));
  }

  /**
   * Symbols with exactly this name (defined and undefined), .symtab first. Until symbols() has been called this
   * compares name bytes in place, so one lookup in a big binary does not decode every name.
   */
  symbolsNamed(name: string): ElfSymbol[] {
    if (this.symbolCache) {
      if (!this.byName) {
        this.byName = new Map();
        for (const sym of this.symbolCache) {
          const list = this.byName.get(sym.name);
          if (list) list.push(sym);
          else this.byName.set(sym.name, [sym]);
        }
      }
      return this.byName.get(name) ?? [];
    }
    if (name === '') return [];
    const want = Buffer.from(name, 'utf8');
    const out: ElfSymbol[] = [];
    for (const section of this.symbolTables()) {
      const { data, strtab, entsize } = this.symbolTableData(section);
      const count = Math.floor(data.length / entsize);
      for (let i = 1; i < count; i++) {
        const at = i * entsize;
        const nameOffset = data.readUInt32LE(at);
        if (nameOffset === 0 || nameOffset + want.length >= strtab.length || strtab[nameOffset + want.length] !== 0) continue;
        if (strtab.compare(want, 0, want.length, nameOffset, nameOffset + want.length) !== 0) continue;
        const sym = this.symbolAt(data, at, name);
        if (!out.some((o) => o.value === sym.value)) out.push(sym);
      }
    }
    return out;
  }

  /** The defined symbol with this name that code can be attached to (functions first, then anything with an address). */
  symbol(name: string): ElfSymbol | undefined {
    const defined = this.symbolsNamed(name).filter((s) => s.section !== SHN_UNDEF && s.type !== 'section' && s.type !== 'file');
    return defined.find((s) => s.type === 'func' || s.type === 'ifunc') ?? defined[0];
  }

  /** File offset of a symbol's address, as the uprobe PMU wants it (PIE and shared libraries included). */
  symbolFileOffset(name: string): bigint {
    const sym = this.symbol(name);
    if (!sym) {
      const imported = this.symbolsNamed(name).length > 0;
      throw this.error(`symbol ${name} ${imported ? 'is imported, not defined, in this file' : 'not found'}`, `Cannot find symbol ${name} in ${this.path}`);
    }
    return this.vaddrToFileOffset(sym.value);
  }

  /** Maps a virtual address to its file offset through the PT_LOAD segment holding it. */
  vaddrToFileOffset(vaddr: bigint): bigint {
    for (const seg of this.segmentList) {
      if (seg.type === PT_LOAD && vaddr >= seg.vaddr && vaddr < seg.vaddr + seg.filesz) {
        return vaddr - seg.vaddr + seg.offset;
      }
    }
    // Relocatable objects have no segments; their allocated sections still say where bytes sit.
    if (this.segmentList.length === 0) {
      for (const s of this.sectionList) {
        if (s.type !== SHT_NOBITS && s.addr !== 0n && vaddr >= s.addr && vaddr < s.addr + s.size) return vaddr - s.addr + s.offset;
      }
    }
    throw this.error(`address 0x${vaddr.toString(16)} is not in the file part of any PT_LOAD segment`, `Cannot map address to file offset in ${this.path}`);
  }

  /** The inverse of vaddrToFileOffset: the address a file offset is loaded at, or undefined when no PT_LOAD covers it. */
  fileOffsetToVaddr(offset: bigint): bigint | undefined {
    for (const seg of this.segmentList) {
      if (seg.type === PT_LOAD && offset >= seg.offset && offset < seg.offset + seg.filesz) {
        return offset - seg.offset + seg.vaddr;
      }
    }
    return undefined;
  }

  /** The notes of every SHT_NOTE section, or of PT_NOTE segments when there are no section headers. */
  notes(): ElfNote[] {
    const out: ElfNote[] = [];
    const noteSections = this.sectionList.filter((s) => s.type === SHT_NOTE);
    if (noteSections.length > 0) {
      for (const s of noteSections) out.push(...parseNotes(this.sectionData(s), Number(s.addralign), this.path));
      return out;
    }
    for (const seg of this.segmentList) {
      if (seg.type !== PT_NOTE) continue;
      const data = this.bytes(this.offsetNumber(seg.offset, 'note segment offset'), this.offsetNumber(seg.filesz, 'note segment size'), 'note segment');
      out.push(...parseNotes(data, Number(seg.align), this.path));
    }
    return out;
  }

  /** USDT probes from `.note.stapsdt`, with addresses adjusted for prelinking against `.stapsdt.base`. */
  usdtNotes(): UsdtNote[] {
    const section = this.section('.note.stapsdt');
    if (!section) return [];
    const baseSection = this.section('.stapsdt.base');
    const probes = this.section('.probes');
    const out: UsdtNote[] = [];
    for (const note of parseNotes(this.sectionData(section), Number(section.addralign), this.path)) {
      if (note.owner !== 'stapsdt' || note.type !== STAPSDT_NOTE_TYPE) continue;
      const raw = parseUsdtNoteDesc(note.desc, this.path);
      // The note records .stapsdt.base's link-time address; if prelink moved the file, every address moved by the same amount.
      const shift = baseSection && raw.base !== 0n ? baseSection.addr - raw.base : 0n;
      const pc = raw.pc + shift;
      const semaphore = raw.semaphore !== 0n ? raw.semaphore + shift : 0n;
      let args;
      try {
        args = parseUsdtArgs(raw.argText);
      } catch (err) {
        throw this.error(`probe ${raw.provider}:${raw.name}: ${(err as Error).message}`, `Cannot read USDT probes of ${this.path}`);
      }
      let semaphoreFileOffset = 0n;
      if (semaphore !== 0n) {
        semaphoreFileOffset =
          probes && probes.type !== SHT_NOBITS && semaphore >= probes.addr && semaphore < probes.addr + probes.size
            ? semaphore - probes.addr + probes.offset
            : this.vaddrToFileOffset(semaphore);
      }
      out.push({
        provider: raw.provider,
        name: raw.name,
        pc,
        base: raw.base,
        semaphore,
        args,
        argText: raw.argText,
        pcFileOffset: this.vaddrToFileOffset(pc),
        semaphoreFileOffset,
      });
    }
    return out;
  }

  /** The GNU build-id as lower-case hex. */
  buildId(): string | undefined {
    const section = this.section('.note.gnu.build-id');
    const notes = section ? parseNotes(this.sectionData(section), Number(section.addralign), this.path) : this.notes();
    const note = notes.find((n) => n.owner === 'GNU' && n.type === NT_GNU_BUILD_ID);
    return note ? note.desc.toString('hex') : undefined;
  }

  /** The separate debug file's name and CRC32 from `.gnu_debuglink`. */
  debugLink(): { file: string; crc: number } | undefined {
    const section = this.section('.gnu_debuglink');
    if (!section) return undefined;
    const data = this.sectionData(section);
    const end = data.indexOf(0);
    if (end < 0) throw this.error('.gnu_debuglink file name is not NUL-terminated');
    const crcAt = Math.ceil((end + 1) / 4) * 4;
    if (crcAt + 4 > data.length) throw this.error('.gnu_debuglink is too short for its CRC');
    return { file: data.toString('utf8', 0, end), crc: data.readUInt32LE(crcAt) };
  }

  /** .symtab sections before .dynsym ones: .symtab has everything .dynsym has, plus sizes of locals. */
  private symbolTables(): ElfSection[] {
    return [...this.sectionList.filter((s) => s.type === SHT_SYMTAB), ...this.sectionList.filter((s) => s.type === SHT_DYNSYM)];
  }

  private symbolTableData(section: ElfSection): { data: Buffer; strtab: Buffer; entsize: number } {
    const cached = this.tableCache.get(section.index);
    if (cached) return cached;
    const data = this.sectionData(section);
    const strtabSection = this.sectionList[section.link];
    if (!strtabSection) throw this.error(`symbol table ${section.name} links to missing string table ${section.link}`);
    const strtab = this.sectionData(strtabSection);
    const entsize = section.entsize >= BigInt(SYM_SIZE) && section.entsize < 4096n ? Number(section.entsize) : SYM_SIZE;
    // Kept because big files are read a range at a time, and repeated name lookups would read the tables again.
    const table = { data, strtab, entsize };
    this.tableCache.set(section.index, table);
    return table;
  }

  private readSymbolTable(section: ElfSection): ElfSymbol[] {
    const { data, strtab, entsize } = this.symbolTableData(section);
    const count = Math.floor(data.length / entsize);
    const out: ElfSymbol[] = [];
    for (let i = 1; i < count; i++) {
      const at = i * entsize;
      const nameOffset = data.readUInt32LE(at);
      if (nameOffset === 0) continue;
      const name = this.readString(strtab, nameOffset, `symbol ${i} name`);
      if (name !== '') out.push(this.symbolAt(data, at, name));
    }
    return out;
  }

  private symbolAt(data: Buffer, at: number, name: string): ElfSymbol {
    const info = data[at + 4] ?? 0;
    return {
      name,
      value: data.readBigUInt64LE(at + 8),
      size: data.readBigUInt64LE(at + 16),
      type: SYMBOL_TYPES[info & 0xf] ?? 'other',
      bind: SYMBOL_BINDS[info >> 4] ?? 'other',
      section: data.readUInt16LE(at + 6),
    };
  }

  private bytes(offset: number, length: number, what: string): Buffer {
    if (offset < 0 || length < 0 || offset + length > this.source.size) {
      throw this.error(`${what} at ${offset}+${length} lies past the end of the file (${this.source.size} bytes)`);
    }
    return this.source.read(offset, length);
  }

  private readString(table: Buffer, offset: number, what: string): string {
    if (offset >= table.length) throw this.error(`${what} offset ${offset} is outside its string table (${table.length} bytes)`);
    let end = table.indexOf(0, offset);
    if (end < 0) end = table.length;
    return table.toString('utf8', offset, end);
  }

  private offsetNumber(value: bigint, what: string): number {
    if (value > BigInt(this.source.size)) throw this.error(`${what} ${value} is past the end of the file (${this.source.size} bytes)`);
    return Number(value);
  }

  private error(detail: string, action = `Cannot read ELF file ${this.path}`): ElfError {
    return new ElfError(`${action}: ${detail}`, this.path);
  }
}
