// Symbolizing user-space addresses of one process: its memory map, the ELF files mapped, and a JIT perf map.
import { existsSync } from 'node:fs';
import { isFileMapping, openElf, readProcMaps, type ElfFile, type ProcMapping } from '../elf/index.js';
import { readPerfMap, type PerfMapEntry } from './perfmap.js';

export interface UserSymbol {
  /** the symbol, or undefined when the address is mapped but no symbol covers it */
  name: string | undefined;
  /** bytes from the symbol's start (from the mapping's start when there is no symbol) */
  offset: bigint;
  /** the mapped file's path, '[perf-PID.map]' for JIT code, or the pseudo name ('[vdso]', '[heap]', '') */
  module: string;
  /** the address within the file's own address space (the ELF vaddr), for file-backed mappings */
  fileAddress: bigint | undefined;
}

export interface UserSymbolizerOptions {
  /** where perf-PID.map lives; '/tmp' unless given */
  perfMapDir?: string;
}

interface SymbolTable {
  values: BigUint64Array;
  sizes: BigUint64Array;
  names: string[];
}

interface LoadedElf {
  elf: ElfFile | undefined;
  table: SymbolTable | undefined;
}

/** Parsed files shared by every symbolizer in the process, oldest dropped first past the limit. */
const shared = new Map<string, LoadedElf>();
const SHARED_LIMIT = 256;

/**
 * Maps a process's addresses to `symbol+offset` and the module. The memory map is read once, when made;
 * ELF files are opened when an address first falls in them, so a symbolizer captured while the process ran
 * still works after it exits (as long as its files are still on disk).
 */
export class UserSymbolizer {
  readonly pid: number;
  private readonly maps: ProcMapping[];
  private readonly perfMapDir: string;
  private readonly elves = new Map<string, LoadedElf>();
  private perfMap: PerfMapEntry[] | undefined | null = null;

  /** Reads /proc/PID/maps now; everything else waits until an address needs it. */
  static capture(pid: number, options: UserSymbolizerOptions = {}): UserSymbolizer {
    return new UserSymbolizer(pid, readProcMaps(pid), options);
  }

  constructor(pid: number, maps: ProcMapping[], options: UserSymbolizerOptions = {}) {
    this.pid = pid;
    this.maps = [...maps].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    this.perfMapDir = options.perfMapDir ?? '/tmp';
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

  /** Symbol, offset and module for an address; undefined when the address is in no mapping and no perf map entry. */
  symbolize(address: bigint): UserSymbol | undefined {
    const mapping = this.mappingOf(address);
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
    const key = `${mapping.dev}:${mapping.inode}:${mapping.path}`;
    let entry = this.elves.get(key) ?? shared.get(key);
    if (entry) {
      this.elves.set(key, entry);
      return entry;
    }
    entry = { elf: undefined, table: undefined };
    for (const candidate of this.candidatePaths(mapping)) {
      try {
        const elf = openElf(candidate);
        entry = { elf, table: buildTable(elf) };
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

  private perfMapSymbol(address: bigint): UserSymbol | undefined {
    if (this.perfMap === null) {
      const entries = readPerfMap(this.pid, this.perfMapDir);
      this.perfMap = entries?.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    }
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
        return { name: e.name, offset: address - e.start, module: `[perf-${this.pid}.map]`, fileAddress: undefined };
      }
    }
    return undefined;
  }
}

/** Defined functions and data with addresses, sorted by address. */
function buildTable(elf: ElfFile): SymbolTable {
  const syms = elf
    .symbols()
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
