// The symbol layer: kernel symbols from /proc/kallsyms and user-space symbolization of process addresses.
export { SymbolsError } from './error.js';
export { KernelSymbols, kernelSymbols, reloadKernelSymbols, type KernelSymbol, type KernelSymbolLocation } from './kallsyms.js';
export { UserSymbolizer, type InlinedFrame, type UserSymbol, type UserSymbolizerOptions } from './user.js';
export { LineTable, type SourceLine } from './dwarf-line.js';
export { InlineInfo, type InlinedCall } from './dwarf-inline.js';
export { parsePerfMap, readPerfMap, type PerfMapEntry } from './perfmap.js';
export { demangle, demangleCpp, demangleRust } from './demangle/index.js';
