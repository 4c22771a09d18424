// Symbolizing user-space addresses of one process: its memory map, the ELF files mapped, and a JIT perf map.
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isFileMapping, openElf, PT_LOAD, readProcMaps, SHT_SYMTAB, type ElfFile, type ProcMapping } from '../elf/index.js';
import { InlineInfo } from './dwarf-inline.js';
import { LineTable, type SourceLine } from './dwarf-line.js';
import { readPerfMap, type PerfMapEntry } from './perfmap.js';

export interface UserSymbol {
  /** the symbol, or undefined when the address is mapped but no symbol covers it */
  name: string | undefined;
  /** bytes from the symbol's start (from the mapping's start when there is no symbol) */
  offset: bigint;
  /** the mapped file's path, the perf map's path (/tmp/perf-PID.map) for JIT code, or the pseudo name ('[vdso]', '[heap]', '') */
  module: string;
  /** the address within the file's own address space (the ELF vaddr), for file-backed mappings */
  fileAddress: bigint | undefined;
}

/** A call the compiler inlined at an address: the inlined function and the line it was called from. */
export interface InlinedFrame {
  name: string;
  callSite: SourceLine | undefined;
}

export interface UserSymbolizerOptions {
  /** where perf-PID.map lives; '/tmp' unless given */
  perfMapDir?: string;
  /** where separate debug files live (`.build-id/xx/rest.debug`, debuglink paths); '/usr/lib/debug' unless given */
  debugDir?: string;
}

interface SymbolTable {
  values: BigUint64Array;
  sizes: BigUint64Array;
  names: string[];
}

interface LoadedElf {
  elf: ElfFile | undefined;
  table: SymbolTable | undefined;
  /** the separate debug file, when one was found: it holds .symtab and DWARF that the mapped file was stripped of */
  debug: ElfFile | undefined;
  /** null until first asked for */
  lines: LineTable | undefined | null;
  /** null until first asked for */
  inlines: InlineInfo | undefined | null;
}

/**
 * What `read` finds in the debug file, else in the mapped file (stripped files often keep some DWARF, debug files
 * all of it); malformed or unsupported DWARF counts as none, so a bad file costs only its own details.
 */
function firstDwarf<T>(loaded: LoadedElf, read: (elf: ElfFile) => T | undefined): T | undefined {
  for (const elf of [loaded.debug, loaded.elf]) {
    if (!elf) continue;
    try {
      const found = read(elf);
      if (found) return found;
    } catch {
      // Malformed or unsupported here: the other file may still have it.
    }
  }
  return undefined;
}

/** Parsed files shared by every symbolizer in the process, oldest dropped first past the limit. */
const shared = new Map<string, LoadedElf>();
const SHARED_LIMIT = 256;
const REFRESH_INTERVAL_MS = 100;

/**
 * Maps a process's addresses to `symbol+offset` and the module. The memory map is read once, when made;
 * ELF files are opened when an address first falls in them, so a symbolizer captured while the process ran
 * still works after it exits (as long as its files are still on disk).
 */
export class UserSymbolizer {
  readonly pid: number;
  private maps: ProcMapping[];
  private readonly perfMapDir: string;
  private readonly debugDir: string;
  private readonly elves = new Map<string, LoadedElf>();
  private perfMap: PerfMapEntry[] | undefined | null = null;
  /** size and mtime of the perf map when last read: a JIT keeps appending to it */
  private perfMapStamp = '';
  /** false for symbolizers built from executables alone, which have no process to re-read */
  private readonly live: boolean;
  private lastRefresh = 0;

  /** Reads /proc/PID/maps now; everything else waits until an address needs it. */
  static capture(pid: number, options: UserSymbolizerOptions = {}): UserSymbolizer {
    return new UserSymbolizer(pid, readProcMaps(pid), options);
  }

  /**
   * A symbolizer for a process that can no longer be read (it exited, or lives in a PID namespace this one
   * cannot see): the given executables mapped where their program headers put them. Only position-dependent
   * executables (ET_EXEC) load at fixed addresses, so PIE files and libraries are left out.
   */
  static fromExecutables(pid: number, paths: readonly string[], options: UserSymbolizerOptions = {}): UserSymbolizer {
    const maps: ProcMapping[] = [];
    for (const path of paths) {
      let elf: ElfFile;
      let inode = 0;
      try {
        elf = openElf(path);
        inode = Number(statSync(path).ino);
      } catch {
        continue;
      }
      if (elf.type !== 'exec') continue;
      for (const seg of elf.segments()) {
        if (seg.type !== PT_LOAD || seg.filesz === 0n) continue;
        const pageStart = seg.vaddr & ~0xfffn;
        maps.push({ start: pageStart, end: seg.vaddr + seg.memsz, perms: 'r-xp', offset: seg.offset - (seg.vaddr - pageStart), dev: 'exec', inode: inode || 1, path, deleted: false });
      }
    }
    return new UserSymbolizer(pid, maps, options, false);
  }

  constructor(pid: number, maps: ProcMapping[], options: UserSymbolizerOptions = {}, live = true) {
    this.pid = pid;
    this.maps = sortMaps(maps);
    this.perfMapDir = options.perfMapDir ?? '/tmp';
    this.debugDir = options.debugDir ?? '/usr/lib/debug';
    this.live = live;
  }

  /**
   * Re-reads /proc/PID/maps when the process still runs, for addresses in mappings made after the capture
   * (dlopen, JIT code). Keeps the old map when the process is gone. True when the map was replaced.
   */
  refresh(): boolean {
    if (!this.live) return false;
    // Stacks full of unmapped garbage would otherwise re-read the map once per frame.
    const now = Date.now();
    if (now - this.lastRefresh < REFRESH_INTERVAL_MS) return false;
    this.lastRefresh = now;
    try {
      const maps = readProcMaps(this.pid);
      if (maps.length === 0) return false; // a zombie: its map is empty
      this.maps = sortMaps(maps);
      return true;
    } catch {
      return false;
    }
  }

  mappings(): readonly ProcMapping[] {
    return this.maps;
  }

  /** The mapping holding an address. */
  mappingOf(address: bigint): ProcMapping | undefined {
    let low = 0;
    let high = this.maps.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const m = this.maps[mid] as ProcMapping;
      if (address < m.start) high = mid - 1;
      else if (address >= m.end) low = mid + 1;
      else return m;
    }
    return undefined;
  }

  /** Source file and line of an address from the DWARF line table of its file (or the file's debug file). */
  sourceLine(address: bigint): SourceLine | undefined {
    const found = this.dwarfOf(address);
    return found?.lines?.lookup(found.fileAddress);
  }

  /**
   * The calls inlined at an address, outermost first, each with the line it was called from (unless
   * `callSites` is false, which spares reading the line table); empty when none.
   */
  inlinedFrames(address: bigint, callSites = true): InlinedFrame[] {
    const found = this.dwarfOf(address, callSites);
    if (!found) return [];
    const { loaded, fileAddress } = found;
    if (loaded.inlines === null) loaded.inlines = firstDwarf(loaded, (elf) => InlineInfo.fromElf(elf));
    let calls;
    try {
      calls = loaded.inlines?.at(fileAddress) ?? [];
    } catch {
      return [];
    }
    return calls.map((c) => {
      const file = c.lineUnit !== undefined && c.callFile !== undefined ? found.lines?.fileName(c.lineUnit, c.callFile) : undefined;
      return { name: c.name, callSite: file && c.callLine !== undefined && c.callLine > 0 ? { ...file, line: c.callLine } : undefined };
    });
  }

  /** The loaded file behind an address with its line table read, and the address in the file's own terms. */
  private dwarfOf(address: bigint, withLines = true): { loaded: LoadedElf; lines: LineTable | undefined; fileAddress: bigint } | undefined {
    const mapping = this.mappingOf(address);
    if (!mapping || !isFileMapping(mapping)) return undefined;
    const loaded = this.load(mapping);
    if (withLines && loaded.lines === null) loaded.lines = firstDwarf(loaded, (elf) => LineTable.fromElf(elf));
    const fileOffset = address - mapping.start + mapping.offset;
    const fileAddress = loaded.elf?.fileOffsetToVaddr(fileOffset) ?? fileOffset;
    return { loaded, lines: loaded.lines ?? undefined, fileAddress };
  }

  /** Symbol, offset and module for an address; undefined when the address is in no mapping and no perf map entry. */
  symbolize(address: bigint): UserSymbol | undefined {
    const mapping = this.mappingOf(address) ?? (this.refresh() ? this.mappingOf(address) : undefined);
    if (mapping && isFileMapping(mapping)) {
      const fileOffset = address - mapping.start + mapping.offset;
      const loaded = this.load(mapping);
      const fileAddress = loaded.elf?.fileOffsetToVaddr(fileOffset) ?? fileOffset;
      const hit = loaded.table ? findSymbol(loaded.table, fileAddress) : undefined;
      return hit
        ? { name: hit.name, offset: fileAddress - hit.value, module: mapping.path, fileAddress }
        : { name: undefined, offset: fileOffset, module: mapping.path, fileAddress };
    }
    const jit = this.perfMapSymbol(address);
    if (jit) return jit;
    if (mapping) return { name: undefined, offset: address - mapping.start, module: mapping.path, fileAddress: undefined };
    return undefined;
  }

  /** `symbol+0xoff` (or `symbol` at offset 0), `[module+0xoff]` without a symbol, hex when unmapped. */
  format(address: bigint, options: { offset?: boolean; module?: boolean } = {}): string {
    const hit = this.symbolize(address);
    if (!hit || (hit.name === undefined && hit.module === '')) return `0x${address.toString(16)}`;
    if (hit.name === undefined) return `[${hit.module}+0x${hit.offset.toString(16)}]`;
    let text = options.offset !== false && hit.offset !== 0n ? `${hit.name}+0x${hit.offset.toString(16)}` : hit.name;
    if (options.module) text += ` (${hit.module})`;
    return text;
  }

  private load(mapping: ProcMapping): LoadedElf {
    // Device and inode name the exact file every process maps, so all symbolizers share one parsed copy.
    const key = `${mapping.dev}:${mapping.inode}:${mapping.path}:${this.debugDir}`;
    let entry = this.elves.get(key) ?? shared.get(key);
    if (entry) {
      this.elves.set(key, entry);
      return entry;
    }
    entry = { elf: undefined, table: undefined, debug: undefined, lines: null, inlines: null };
    for (const candidate of this.candidatePaths(mapping)) {
      try {
        const elf = openElf(candidate);
        const debug = this.debugFile(elf, mapping.path);
        entry = { elf, table: buildTable(elf, debug), debug, lines: null, inlines: null };
        break;
      } catch {
        // Not ELF (a mapped data file), gone, or unreadable: try the next way in, else symbolize without symbols.
      }
    }
    this.elves.set(key, entry);
    if (entry.table) {
      if (shared.size >= SHARED_LIMIT) shared.delete(shared.keys().next().value as string);
      shared.set(key, entry);
    }
    return entry;
  }

  /** While the process lives its root (other mount namespaces) and map_files (deleted files) reach the exact file. */
  private candidatePaths(mapping: ProcMapping): string[] {
    const out: string[] = [];
    const mapFile = `/proc/${this.pid}/map_files/${mapping.start.toString(16)}-${mapping.end.toString(16)}`;
    if (mapping.deleted) out.push(mapFile);
    const viaRoot = `/proc/${this.pid}/root${mapping.path}`;
    if (existsSync(viaRoot)) out.push(viaRoot);
    out.push(mapping.path);
    if (!mapping.deleted) out.push(mapFile);
    return out;
  }

  /**
   * The separate debug file of a stripped file (Debian's -dbg packages): by build-id first, then by
   * .gnu_debuglink next to the file, in its .debug folder, and under the debug folder.
   */
  private debugFile(elf: ElfFile, path: string): ElfFile | undefined {
    if (elf.sections().some((s) => s.type === SHT_SYMTAB) && elf.section('.debug_line')) return undefined;
    const candidates: string[] = [];
    try {
      const id = elf.buildId();
      if (id && id.length > 2) candidates.push(`${this.debugDir}/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`);
      const link = elf.debugLink();
      if (link) {
        const dir = dirname(path);
        candidates.push(`${dir}/${link.file}`, `${dir}/.debug/${link.file}`, `${this.debugDir}${dir}/${link.file}`);
      }
    } catch {
      return undefined;
    }
    for (const candidate of candidates) {
      if (candidate === path || !existsSync(candidate)) continue;
      try {
        return openElf(candidate);
      } catch {
        // Not a usable ELF file: try the next.
      }
    }
    return undefined;
  }

  private perfMapSymbol(address: bigint): UserSymbol | undefined {
    if (this.perfMap === null) this.readPerfMapNow();
    let hit = this.perfMapLookup(address);
    // A JIT appends to its map as it compiles: read it again when it changed since.
    if (!hit && this.perfMapChanged()) {
      this.readPerfMapNow();
      hit = this.perfMapLookup(address);
    }
    return hit;
  }

  private perfMapChanged(): boolean {
    return this.perfMapStampNow() !== this.perfMapStamp;
  }

  private perfMapStampNow(): string {
    try {
      const st = statSync(`${this.perfMapDir}/perf-${this.pid}.map`);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return '';
    }
  }

  private readPerfMapNow(): void {
    this.perfMapStamp = this.perfMapStampNow();
    const entries = readPerfMap(this.pid, this.perfMapDir);
    this.perfMap = entries?.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  private perfMapLookup(address: bigint): UserSymbol | undefined {
    const entries = this.perfMap;
    if (!entries) return undefined;
    let low = 0;
    let high = entries.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if ((entries[mid] as PerfMapEntry).start <= address) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    // Later entries win for overlapping code regions (a JIT reuses memory); scan back over ones that also cover it.
    for (let k = found; k >= 0 && k > found - 8; k--) {
      const e = entries[k] as PerfMapEntry;
      if (address < e.start + e.size) {
        return { name: e.name, offset: address - e.start, module: `${this.perfMapDir}/perf-${this.pid}.map`, fileAddress: undefined };
      }
    }
    return undefined;
  }
}

function sortMaps(maps: readonly ProcMapping[]): ProcMapping[] {
  return [...maps].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** Defined functions and data with addresses, sorted by address; a debug file's full .symtab joins the file's own. */
function buildTable(elf: ElfFile, debug: ElfFile | undefined): SymbolTable {
  let all = elf.symbols();
  if (debug) {
    try {
      const seen = new Set(all.map((s) => `${s.name}@${s.value}`));
      all = [...all, ...debug.symbols().filter((s) => !seen.has(`${s.name}@${s.value}`))];
    } catch {
      // A damaged debug file adds nothing.
    }
  }
  const syms = all
    .filter((s) => s.section !== 0 && s.value !== 0n && (s.type === 'func' || s.type === 'ifunc' || s.type === 'object' || s.type === 'notype'))
    // Functions before other kinds at the same address, then bigger before smaller, so the binary search lands on the most useful one last.
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : rank(b) - rank(a)));
  const values = new BigUint64Array(syms.length);
  const sizes = new BigUint64Array(syms.length);
  const names: string[] = [];
  syms.forEach((s, i) => {
    values[i] = s.value;
    sizes[i] = s.size;
    names.push(s.name);
  });
  return { values, sizes, names };
}

function rank(s: { type: string; bind: string; size: bigint }): number {
  return (s.type === 'func' || s.type === 'ifunc' ? 4 : 0) + (s.bind === 'global' ? 2 : s.bind === 'weak' ? 1 : 0);
}

function findSymbol(table: SymbolTable, address: bigint): { name: string; value: bigint } | undefined {
  const { values, sizes, names } = table;
  let low = 0;
  let high = values.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as bigint) <= address) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (found < 0) return undefined;
  // Step back to the first (best-ranked) symbol at this address.
  const value = values[found] as bigint;
  let k = found;
  while (k > 0 && values[k - 1] === value) k--;
  const size = sizes[k] as bigint;
  // A sized symbol covers only its bytes; an unsized one (hand-written assembly) runs to the next symbol.
  if (size !== 0n && address >= value + size) return undefined;
  return { name: names[k] as string, value };
}
