// The ELF layer: ELF64 files, USDT probes, process memory maps, library lookup. Reads files only; no syscalls.
export { ElfError } from './error.js';
export {
  openElf,
  parseElf,
  ElfFile,
  PT_LOAD,
  PT_NOTE,
  SHN_UNDEF,
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_SYMTAB,
  type ElfType,
  type ElfSymbol,
  type ElfSymbolType,
  type ElfSymbolBind,
  type ElfSection,
  type ElfSegment,
} from './file.js';
export { parseNotes, type ElfNote } from './notes.js';
export { parseUsdtArg, parseUsdtArgs, type UsdtArg, type UsdtNote } from './usdt.js';
export { globToRegExp, isGlob } from './glob.js';
export { parseProcMaps, readProcMaps, procExePath, isFileMapping, type ProcMapping } from './procmaps.js';
export { parseLdCache, readLdCache, LDCACHE_X86_64, type LdCacheEntry } from './ldcache.js';
export { resolveLibrary, libraryNameMatches } from './library.js';
export { openArchivedElf, readArchiveMember, splitArchivePath, type ArchiveMember } from './zip.js';
