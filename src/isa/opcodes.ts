// The eBPF opcode fields (RFC 9669, linux/bpf_common.h and linux/bpf.h). An opcode byte is
// class (low 3 bits) | source or size (bit 3 / bits 3-4) | operation or mode (high bits).

/** Instruction classes: the low 3 bits of the opcode. */
export const Class = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
} as const;
export type Class = (typeof Class)[keyof typeof Class];

/** Access sizes of load and store instructions (bits 3-4). */
export const Size = {
  W: 0x00,
  H: 0x08,
  B: 0x10,
  DW: 0x18,
} as const;
export type Size = (typeof Size)[keyof typeof Size];

/** Bytes accessed by each size. */
export function sizeBytes(size: Size): 1 | 2 | 4 | 8 {
  switch (size) {
    case Size.B:
      return 1;
    case Size.H:
      return 2;
    case Size.W:
      return 4;
    case Size.DW:
      return 8;
  }
}

/** Addressing modes of load and store instructions (bits 5-7). */
export const Mode = {
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Operand source of arithmetic and jump instructions (bit 3): the immediate or the source register. */
export const Source = {
  K: 0x00,
  X: 0x08,
} as const;
export type Source = (typeof Source)[keyof typeof Source];

/** Arithmetic operations (bits 4-7 of ALU and ALU64 opcodes). */
export const AluOp = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  END: 0xd0,
} as const;
export type AluOp = (typeof AluOp)[keyof typeof AluOp];

/**
 * Signed and sign-extending variants share their opcode with DIV, MOD and MOV and are told apart by the
 * offset field: 1 for SDIV/SMOD, 8/16/32 (the source width) for MOVSX.
 */
export const SIGNED_OFF = 1;
export type MovsxWidth = 8 | 16 | 32;

/** Jump operations (bits 4-7 of JMP and JMP32 opcodes). */
export const JmpOp = {
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
  /** Conditional pseudo jump; with src BPF_MAY_GOTO it is `may_goto`. */
  JCOND: 0xe0,
} as const;
export type JmpOp = (typeof JmpOp)[keyof typeof JmpOp];

/** The comparisons, i.e. the jump operations that take two operands and an offset. */
export type CondJmpOp = Exclude<JmpOp, typeof JmpOp.JA | typeof JmpOp.CALL | typeof JmpOp.EXIT | typeof JmpOp.JCOND>;

/** The `src` of a JCOND instruction that makes it `may_goto`. */
export const MAY_GOTO = 0;

/** Atomic operations, carried in the immediate of STX|ATOMIC instructions. */
export const AtomicOp = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  /** Modifier: also return the old value in the source register. */
  FETCH: 0x01,
  FETCH_ADD: 0x01,
  FETCH_OR: 0x41,
  FETCH_AND: 0x51,
  FETCH_XOR: 0xa1,
  XCHG: 0xe1,
  CMPXCHG: 0xf1,
  /** Load-acquire and store-release (kernel 6.15+, JIT permitting). */
  LOAD_ACQ: 0x100,
  STORE_REL: 0x110,
} as const;
export type AtomicOp = (typeof AtomicOp)[keyof typeof AtomicOp];

/** Byte order conversions: in the ALU class the source bit picks the order; ALU64|END is an unconditional swap. */
export const Endian = {
  TO_LE: 0x00,
  TO_BE: 0x08,
} as const;
export type Endian = (typeof Endian)[keyof typeof Endian];
export type EndianWidth = 16 | 32 | 64;

/** The `src` field of a 64-bit immediate load names what the immediate refers to. */
export const PseudoLd = {
  /** Plain 64-bit constant. */
  NONE: 0,
  /** imm is a map fd: loads the map's address. */
  MAP_FD: 1,
  /** imm is a map fd, next imm an offset: loads the address of the map's value at that offset. */
  MAP_VALUE: 2,
  /** imm is the BTF id of a kernel variable. */
  BTF_ID: 3,
  /** imm is the instruction offset of a subprogram: loads its address (callbacks). */
  FUNC: 4,
  /** imm is an index into fd_array. */
  MAP_IDX: 5,
  /** imm is an index into fd_array, next imm an offset into its value. */
  MAP_IDX_VALUE: 6,
} as const;
export type PseudoLd = (typeof PseudoLd)[keyof typeof PseudoLd];

/** The `src` field of a call names what the immediate is. */
export const PseudoCall = {
  /** imm is a helper id. */
  HELPER: 0,
  /** imm is the instruction offset of a subprogram (bpf-to-bpf call). */
  CALL: 1,
  /** imm is the BTF id of a kernel function. */
  KFUNC_CALL: 2,
} as const;
export type PseudoCall = (typeof PseudoCall)[keyof typeof PseudoCall];

/** Offsets of ALU64|MOV|X that turn it into an arena address cast or a per-CPU address move. */
export const ADDR_SPACE_CAST_OFF = 1;
export const ADDR_PERCPU_OFF = -1;

/** Registers: R0 return value, R1-R5 arguments (clobbered by calls), R6-R9 callee-saved, R10 the frame pointer. */
export const R0 = 0;
export const R1 = 1;
export const R2 = 2;
export const R3 = 3;
export const R4 = 4;
export const R5 = 5;
export const R6 = 6;
export const R7 = 7;
export const R8 = 8;
export const R9 = 9;
export const R10 = 10;
export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
/** The read-only frame pointer. */
export const FP = R10;

/** Field accessors of an opcode byte. */
export const opClass = (code: number): Class => (code & 0x07) as Class;
export const opSize = (code: number): Size => (code & 0x18) as Size;
export const opMode = (code: number): Mode => (code & 0xe0) as Mode;
export const opSource = (code: number): Source => (code & 0x08) as Source;
export const opAlu = (code: number): AluOp => (code & 0xf0) as AluOp;
export const opJmp = (code: number): JmpOp => (code & 0xf0) as JmpOp;

/** The opcode of a 64-bit immediate load (LD | DW | IMM), the only 16-byte instruction. */
export const LD_IMM64 = Class.LD | Size.DW | Mode.IMM;
