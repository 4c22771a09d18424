// One eBPF instruction as the kernel stores it (8 bytes); a 64-bit immediate load is two of these.

export interface Insn {
  /** opcode: class | size/source | mode/operation */
  readonly code: number;
  /** destination register, 0..10 */
  readonly dst: number;
  /** source register, or a pseudo source for 64-bit immediates and calls */
  readonly src: number;
  /** signed 16-bit offset */
  readonly off: number;
  /** signed 32-bit immediate */
  readonly imm: number;
}

export const INSN_SIZE = 8;

/** An instruction that cannot be encoded: a register, offset or immediate out of range, or a bad operation. */
export class InsnError extends Error {
  override readonly name = 'InsnError';
}

/** Encodes instructions into the byte layout bpf(BPF_PROG_LOAD) expects (little-endian). */
export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(out.buffer);
  insns.forEach((insn, i) => {
    const at = i * INSN_SIZE;
    view.setUint8(at, insn.code);
    view.setUint8(at + 1, ((insn.src & 0xf) << 4) | (insn.dst & 0xf));
    view.setInt16(at + 2, insn.off, true);
    view.setInt32(at + 4, insn.imm | 0, true);
  });
  return out;
}

/** Decodes the kernel's byte layout back into instructions (for the disassembler and BPF_OBJ_GET_INFO). */
export function decodeInsns(bytes: Uint8Array): Insn[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let at = 0; at + INSN_SIZE <= bytes.byteLength; at += INSN_SIZE) {
    const regs = view.getUint8(at + 1);
    out.push({ code: view.getUint8(at), dst: regs & 0xf, src: regs >> 4, off: view.getInt16(at + 2, true), imm: view.getInt32(at + 4, true) });
  }
  return out;
}
