// A disassembler printing the kernel verifier log's syntax (kernel/bpf/disasm.c, also used by
// `bpftool prog dump xlated`), so that bpfkit's dumps read like the log a user gets from a rejected program.
import { helperName } from './helpers.js';
import type { Insn } from './insn.js';
import {
  ADDR_PERCPU_OFF,
  ADDR_SPACE_CAST_OFF,
  AluOp,
  AtomicOp,
  Class,
  Endian,
  JmpOp,
  LD_IMM64,
  MAY_GOTO,
  Mode,
  PseudoCall,
  PseudoLd,
  SIGNED_OFF,
  Size,
  Source,
  opAlu,
  opClass,
  opJmp,
  opMode,
  opSize,
  opSource,
} from './opcodes.js';

export interface DisasmOptions {
  /**
   * What the immediate of a map pseudo load holds: 'fd' before loading (bpfkit's own programs, printed
   * `map[fd:N]`), 'id' in instructions read back from the kernel (`map[id:N]`, as bpftool prints).
   */
  readonly mapRef?: 'fd' | 'id';
  /** Names a kernel function called by BTF id; without it the call prints as `kernel-function#ID`. */
  readonly kfuncName?: (btfId: number, btfFdIndex: number) => string | undefined;
}

const ALU_STRING: Record<number, string> = {
  [AluOp.ADD]: '+=',
  [AluOp.SUB]: '-=',
  [AluOp.MUL]: '*=',
  [AluOp.DIV]: '/=',
  [AluOp.OR]: '|=',
  [AluOp.AND]: '&=',
  [AluOp.LSH]: '<<=',
  [AluOp.RSH]: '>>=',
  [AluOp.NEG]: 'neg',
  [AluOp.MOD]: '%=',
  [AluOp.XOR]: '^=',
  [AluOp.MOV]: '=',
  [AluOp.ARSH]: 's>>=',
  [AluOp.END]: 'endian',
};

const ATOMIC_ALU_STRING: Record<number, string> = {
  [AtomicOp.ADD]: 'add',
  [AtomicOp.AND]: 'and',
  [AtomicOp.OR]: 'or',
  [AtomicOp.XOR]: 'xor',
};

const JMP_STRING: Record<number, string> = {
  [JmpOp.JA]: 'jmp',
  [JmpOp.JEQ]: '==',
  [JmpOp.JGT]: '>',
  [JmpOp.JLT]: '<',
  [JmpOp.JGE]: '>=',
  [JmpOp.JLE]: '<=',
  [JmpOp.JSET]: '&',
  [JmpOp.JNE]: '!=',
  [JmpOp.JSGT]: 's>',
  [JmpOp.JSLT]: 's<',
  [JmpOp.JSGE]: 's>=',
  [JmpOp.JSLE]: 's<=',
  [JmpOp.CALL]: 'call',
  [JmpOp.EXIT]: 'exit',
};

const LDST_STRING: Record<number, string> = { [Size.W]: 'u32', [Size.H]: 'u16', [Size.B]: 'u8', [Size.DW]: 'u64' };
const LDSX_STRING: Record<number, string> = { [Size.W]: 's32', [Size.H]: 's16', [Size.B]: 's8', [Size.DW]: 's64' };
const MOVSX_STRING: Record<number, string> = { 8: '(s8)', 16: '(s16)', 32: '(s32)' };
/** What the kernel's printf prints for the missing table entry of an invalid operation. */
const NULL = '(null)';
const CLASS_STRING = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'];

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex2 = (code: number): string => HEX2[code & 0xff]!;
/** printf's `%+d`. */
const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
/** printf's `0x%x` of an int: the bits as unsigned. */
const hex32 = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/**
 * One instruction as the verifier prints it, e.g. `(b7) r1 = 0`. A 64-bit immediate load needs `next`,
 * its second half, for the upper 32 bits (taken as 0 when absent).
 */
export function formatInsn(insn: Insn, next?: Insn, options: DisasmOptions = {}): string {
  const code = insn.code;
  const cls = opClass(code);
  const head = `(${hex2(code)})`;
  switch (cls) {
    case Class.ALU:
    case Class.ALU64:
      return `${head} ${formatAlu(insn, cls === Class.ALU ? 'w' : 'r')}`;
    case Class.STX:
      return formatStx(insn, head);
    case Class.ST:
      if (opMode(code) === Mode.MEM) return `${head} *(${LDST_STRING[opSize(code)]} *)(r${insn.dst} ${signed(insn.off)}) = ${insn.imm}`;
      // The kernel inserts ST|NOSPEC (mode 0xc0) itself; it never comes from user space.
      if (opMode(code) === 0xc0) return `${head} nospec`;
      return `BUG_st_${hex2(code)}`;
    case Class.LDX: {
      const mode = opMode(code);
      if (mode !== Mode.MEM && mode !== Mode.MEMSX) return `BUG_ldx_${hex2(code)}`;
      const type = (mode === Mode.MEM ? LDST_STRING : LDSX_STRING)[opSize(code)];
      return `${head} r${insn.dst} = *(${type} *)(r${insn.src} ${signed(insn.off)})`;
    }
    case Class.LD:
      return formatLd(insn, next, options, head);
    case Class.JMP:
    case Class.JMP32:
      return `${head} ${formatJmp(insn, cls === Class.JMP32 ? 'w' : 'r', options)}`;
    default:
      return `${head} ${CLASS_STRING[cls]}`;
  }
}

function formatAlu(insn: Insn, r: 'r' | 'w'): string {
  const op = opAlu(insn.code);
  if (op === AluOp.END) {
    if (r === 'r') return `r${insn.dst} = bswap${insn.imm} r${insn.dst}`;
    return `r${insn.dst} = ${opSource(insn.code) === Endian.TO_BE ? 'be' : 'le'}${insn.imm} r${insn.dst}`;
  }
  if (op === AluOp.NEG) return `${r}${insn.dst} = -${r}${insn.dst}`;
  const isMovX = r === 'r' && insn.code === (Class.ALU64 | Source.X | AluOp.MOV);
  if (isMovX && insn.off === ADDR_SPACE_CAST_OFF) {
    return `r${insn.dst} = addr_space_cast(r${insn.src}, ${insn.imm >>> 16}, ${insn.imm & 0xffff})`;
  }
  if (isMovX && insn.off === ADDR_PERCPU_OFF) return `r${insn.dst} = &(void __percpu *)(r${insn.src})`;
  const signedDivMod = (op === AluOp.DIV || op === AluOp.MOD) && insn.off === SIGNED_OFF;
  const opText = signedDivMod ? `s${ALU_STRING[op]}` : (ALU_STRING[op] ?? NULL);
  if (opSource(insn.code) === Source.X) {
    const movsx = op === AluOp.MOV && (insn.off === 8 || insn.off === 16 || insn.off === 32) ? MOVSX_STRING[insn.off] : '';
    return `${r}${insn.dst} ${opText} ${movsx}${r}${insn.src}`;
  }
  return `${r}${insn.dst} ${opText} ${insn.imm}`;
}

function formatStx(insn: Insn, head: string): string {
  const line = formatStxBody(insn);
  return line === undefined ? `BUG_${hex2(insn.code)}` : `${head} ${line}`;
}

function formatStxBody(insn: Insn): string | undefined {
  const code = insn.code;
  const type = LDST_STRING[opSize(code)];
  const addr = `(${type} *)(r${insn.dst} ${signed(insn.off)})`;
  const mode = opMode(code);
  if (mode === Mode.MEM) return `*${addr} = r${insn.src}`;
  if (mode !== Mode.ATOMIC) return undefined;
  const bits = opSize(code) === Size.DW ? '64' : '';
  const imm = insn.imm;
  switch (imm) {
    case AtomicOp.ADD:
    case AtomicOp.AND:
    case AtomicOp.OR:
    case AtomicOp.XOR:
      return `lock *${addr} ${ALU_STRING[imm]} r${insn.src}`;
    case AtomicOp.FETCH_ADD:
    case AtomicOp.FETCH_AND:
    case AtomicOp.FETCH_OR:
    case AtomicOp.FETCH_XOR:
      return `r${insn.src} = atomic${bits}_fetch_${ATOMIC_ALU_STRING[imm & 0xf0]}(${addr}, r${insn.src})`;
    case AtomicOp.CMPXCHG:
      return `r0 = atomic${bits}_cmpxchg(${addr}, r0, r${insn.src})`;
    case AtomicOp.XCHG:
      return `r${insn.src} = atomic${bits}_xchg(${addr}, r${insn.src})`;
    case AtomicOp.LOAD_ACQ:
      return `r${insn.dst} = load_acquire((${type} *)(r${insn.src} ${signed(insn.off)}))`;
    case AtomicOp.STORE_REL:
      return `store_release(${addr}, r${insn.src})`;
    default:
      return undefined;
  }
}

function formatLd(insn: Insn, next: Insn | undefined, options: DisasmOptions, head: string): string {
  const code = insn.code;
  const type = LDST_STRING[opSize(code)];
  switch (opMode(code)) {
    case Mode.ABS:
      return `${head} r0 = *(${type} *)skb[${insn.imm}]`;
    case Mode.IND:
      return `${head} r0 = *(${type} *)skb[r${insn.src} + ${insn.imm}]`;
  }
  if (code !== LD_IMM64) return `BUG_ld_${hex2(code)}`;
  return `${head} r${insn.dst} = ${formatImm64(insn, next?.imm ?? 0, options)}`;
}

function formatImm64(insn: Insn, high: number, options: DisasmOptions): string {
  const ref = options.mapRef ?? 'fd';
  switch (insn.src) {
    case PseudoLd.MAP_FD:
      return `map[${ref}:${insn.imm}]`;
    case PseudoLd.MAP_VALUE:
      return `map[${ref}:${insn.imm}][0]+${high}`;
    case PseudoLd.MAP_IDX:
      return `map[idx:${insn.imm}]`;
    case PseudoLd.MAP_IDX_VALUE:
      return `map[idx:${insn.imm}]+${high}`;
    case PseudoLd.FUNC:
      return `subprog[${signed(insn.imm)}]`;
    default: {
      const value = (BigInt(high >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      return `0x${value.toString(16)}`;
    }
  }
}

function formatJmp(insn: Insn, r: 'r' | 'w', options: DisasmOptions): string {
  const op = opJmp(insn.code);
  if (op === JmpOp.CALL) {
    if (insn.src === PseudoCall.CALL) return `call pc${signed(insn.imm)}`;
    if (insn.src === PseudoCall.KFUNC_CALL) {
      return `call ${options.kfuncName?.(insn.imm, insn.off) ?? 'kernel-function'}#${insn.imm}`;
    }
    return `call ${(insn.src === PseudoCall.HELPER ? helperName(insn.imm) : undefined) ?? 'unknown'}#${insn.imm}`;
  }
  if (insn.code === (Class.JMP | JmpOp.JA)) return `goto pc${signed(insn.off)}`;
  if (insn.code === (Class.JMP | JmpOp.JCOND) && insn.src === MAY_GOTO) return `may_goto pc${signed(insn.off)}`;
  if (insn.code === (Class.JMP32 | JmpOp.JA)) return `gotol pc${signed(insn.imm)}`;
  if (op === JmpOp.EXIT) return 'exit';
  const rhs = opSource(insn.code) === Source.X ? `${r}${insn.src}` : hex32(insn.imm);
  return `if ${r}${insn.dst} ${JMP_STRING[op] ?? NULL} ${rhs} goto pc${signed(insn.off)}`;
}

/**
 * A program listing with the verifier log's index prefix (`0: (b7) r0 = 0`). The second half of a 64-bit
 * immediate load gets no line of its own, so indices skip it as they do in the log.
 */
export function disassemble(insns: readonly Insn[], options: DisasmOptions = {}): string[] {
  const lines: string[] = [];
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    if (insn.code === LD_IMM64) {
      lines.push(`${i}: ${formatInsn(insn, insns[i + 1], options)}`);
      i++;
    } else {
      lines.push(`${i}: ${formatInsn(insn, undefined, options)}`);
    }
  }
  return lines;
}
