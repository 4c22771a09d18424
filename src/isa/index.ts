// The isa layer: eBPF instructions as data (RFC 9669), their encoders, a label-resolving assembler,
// helper ids, and a disassembler in the verifier log's syntax. No system calls here.
export { type Insn, INSN_SIZE, InsnError, encodeInsns, decodeInsns } from './insn.js';
export * from './opcodes.js';
export * from './encode.js';
export { Assembler, AssemblerError, applyRelocations, type Relocation, type Program } from './assembler.js';
export { Helper, HELPER_MAX_ID, helperName, helperId, type HelperName, type HelperId } from './helpers.js';
export { disassemble, formatInsn, type DisasmOptions } from './disasm.js';
