// A builder for instruction lists: the code generator appends instructions, jumps to named labels and
// loads of maps by name; `assemble` resolves labels into offsets and hands the map references on as
// relocations for the loader to patch with fds.
import { callLocal, gotol, ja, jmp32Imm, jmp32Reg, jmpImm, jmpReg, ldFunc, ldImm64Raw, mayGoto, type LdImm64 } from './encode.js';
import type { Insn } from './insn.js';
import { PseudoLd, type CondJmpOp, type Reg } from './opcodes.js';

/** A label that is missing, defined twice, or too far from its jump. */
export class AssemblerError extends Error {
  override readonly name = 'AssemblerError';
}

/** An instruction the loader must patch: a map load whose immediate becomes the map's fd. */
export type Relocation =
  | { readonly index: number; readonly kind: 'map-fd'; readonly map: string }
  | { readonly index: number; readonly kind: 'map-value'; readonly map: string; readonly offset: number };

export interface Program {
  readonly insns: Insn[];
  readonly relocations: Relocation[];
  /** Where each label ended up (instruction index). */
  readonly labels: ReadonlyMap<string, number>;
}

/** Which field of the jump holds the distance: 16-bit `off` for jumps, 32-bit `imm` for gotol and calls. */
type Field = 'off' | 'imm';

interface Fixup {
  readonly index: number;
  readonly label: string;
  readonly field: Field;
}

export class Assembler {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: Fixup[] = [];
  private readonly relocations: Relocation[] = [];
  private nextLabel = 0;

  /** The index the next instruction will have. */
  get length(): number {
    return this.insns.length;
  }

  /** Appends instructions (a 64-bit immediate load may be spread in: `asm.emit(...ldImm64(r1, 5n))`). */
  emit(...insns: Insn[]): this {
    for (const i of insns) this.insns.push(i);
    return this;
  }

  /** Defines a label at the next instruction. */
  label(name: string): this {
    if (this.labels.has(name)) throw new AssemblerError(`Cannot define label ${name}: already defined at instruction ${this.labels.get(name)}`);
    this.labels.set(name, this.insns.length);
    return this;
  }

  /** A label name not used before, for generated control flow (`else.3`). */
  newLabel(prefix = 'L'): string {
    return `${prefix}.${this.nextLabel++}`;
  }

  hasLabel(name: string): boolean {
    return this.labels.has(name);
  }

  /** goto label. */
  ja(label: string): this {
    return this.jump(ja(0), label, 'off');
  }

  /** goto label with a 32-bit offset. */
  gotol(label: string): this {
    return this.jump(gotol(0), label, 'imm');
  }

  mayGoto(label: string): this {
    return this.jump(mayGoto(0), label, 'off');
  }

  /** if dst <op> imm goto label. */
  jmpImm(op: CondJmpOp, dst: Reg, imm: number, label: string): this {
    return this.jump(jmpImm(op, dst, imm, 0), label, 'off');
  }

  jmpReg(op: CondJmpOp, dst: Reg, src: Reg, label: string): this {
    return this.jump(jmpReg(op, dst, src, 0), label, 'off');
  }

  jmp32Imm(op: CondJmpOp, dst: Reg, imm: number, label: string): this {
    return this.jump(jmp32Imm(op, dst, imm, 0), label, 'off');
  }

  jmp32Reg(op: CondJmpOp, dst: Reg, src: Reg, label: string): this {
    return this.jump(jmp32Reg(op, dst, src, 0), label, 'off');
  }

  /** Calls the subprogram starting at label. */
  callLocal(label: string): this {
    return this.jump(callLocal(0), label, 'imm');
  }

  /** dst = the address of the subprogram at label (a callback for bpf_loop and friends). */
  ldFunc(dst: Reg, label: string): this {
    const [lo, hi] = ldFunc(dst, 0);
    this.jump(lo, label, 'imm');
    this.insns.push(hi);
    return this;
  }

  /** Any jump-shaped instruction whose `field` will be set to reach label. */
  jump(jmp: Insn, label: string, field: Field): this {
    this.fixups.push({ index: this.insns.length, label, field });
    this.insns.push(jmp);
    return this;
  }

  /** dst = the address of the named map; the loader patches in its fd. */
  ldMap(dst: Reg, map: string): this {
    this.relocations.push({ index: this.insns.length, kind: 'map-fd', map });
    return this.emit(...ldImm64Raw(dst, PseudoLd.MAP_FD, 0, 0));
  }

  /** dst = the address of the named (array) map's value plus offset; the loader patches in its fd. */
  ldMapValue(dst: Reg, map: string, offset: number): this {
    this.relocations.push({ index: this.insns.length, kind: 'map-value', map, offset });
    return this.emit(...ldImm64Raw(dst, PseudoLd.MAP_VALUE, 0, offset));
  }

  /**
   * Resolves every jump to its label and returns the program. Throws AssemblerError for an unknown label
   * or a distance the jump's field cannot hold. The builder can keep being used afterwards.
   */
  assemble(): Program {
    const insns = this.insns.slice();
    for (const { index, label, field } of this.fixups) {
      const target = this.labels.get(label);
      if (target === undefined) throw new AssemblerError(`Cannot resolve jump at instruction ${index}: unknown label ${label}`);
      const distance = target - index - 1;
      const jmp = insns[index]!;
      if (field === 'off') {
        if (distance < -0x8000 || distance > 0x7fff) {
          throw new AssemblerError(`Cannot resolve jump at instruction ${index} to label ${label}: offset ${distance} does not fit in 16 bits`);
        }
        insns[index] = { code: jmp.code, dst: jmp.dst, src: jmp.src, off: distance, imm: jmp.imm };
      } else {
        insns[index] = { code: jmp.code, dst: jmp.dst, src: jmp.src, off: jmp.off, imm: distance };
      }
    }
    return { insns, relocations: this.relocations.slice(), labels: new Map(this.labels) };
  }
}

/**
 * Patches map relocations with fds (the loader's last step before BPF_PROG_LOAD); returns a new list.
 * `fdOf` throws or returns undefined for a map it does not know, which is an error here.
 */
export function applyRelocations(insns: readonly Insn[], relocations: readonly Relocation[], fdOf: (map: string) => number | undefined): Insn[] {
  const out = insns.slice();
  for (const reloc of relocations) {
    const fd = fdOf(reloc.map);
    if (fd === undefined) throw new AssemblerError(`Cannot relocate instruction ${reloc.index}: no fd for map ${reloc.map}`);
    const pair: LdImm64 =
      reloc.kind === 'map-fd'
        ? ldImm64Raw(out[reloc.index]!.dst as Reg, PseudoLd.MAP_FD, fd, 0)
        : ldImm64Raw(out[reloc.index]!.dst as Reg, PseudoLd.MAP_VALUE, fd, reloc.offset);
    out[reloc.index] = pair[0];
    out[reloc.index + 1] = pair[1];
  }
  return out;
}
