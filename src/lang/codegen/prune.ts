// Removes instructions no path reaches (code after exit(), break, continue or return): the verifier refuses
// programs with unreachable instructions. Jump offsets and relocation indices are rewritten to match.
import type { Relocation } from '../../isa/assembler.js';
import type { Insn } from '../../isa/insn.js';
import { Class, JmpOp, LD_IMM64, PseudoCall, PseudoLd, opClass, opJmp } from '../../isa/opcodes.js';

function isJump(i: Insn): boolean {
  const c = opClass(i.code);
  if (c !== Class.JMP && c !== Class.JMP32) return false;
  const op = opJmp(i.code);
  return op !== JmpOp.CALL && op !== JmpOp.EXIT;
}

export interface Pruned {
  readonly insns: Insn[];
  readonly relocations: Relocation[];
  /** Where an instruction that was kept moved to. */
  newIndex(old: number): number;
}

/**
 * `dropped`: instructions to remove although reachable (a store nothing reads); none may be a jump target.
 */
export function pruneUnreachable(insns: readonly Insn[], relocations: readonly Relocation[], dropped: ReadonlySet<number> = new Set()): Pruned {
  const n = insns.length;
  const reach = new Uint8Array(n);
  const work = [0];
  while (work.length > 0) {
    const i = work.pop()!;
    if (i >= n || reach[i]) continue;
    reach[i] = 1;
    const ins = insns[i]!;
    if (ins.code === LD_IMM64) {
      reach[i + 1] = 1;
      // The address of a callback: its code is reachable too.
      if (ins.src === PseudoLd.FUNC) work.push(i + 1 + ins.imm);
      work.push(i + 2);
      continue;
    }
    const c = opClass(ins.code);
    if (c === Class.JMP || c === Class.JMP32) {
      const op = opJmp(ins.code);
      if (op === JmpOp.EXIT) continue;
      if (op === JmpOp.CALL) {
        if (ins.src === PseudoCall.CALL) work.push(i + 1 + ins.imm);
        work.push(i + 1);
        continue;
      }
      const wide = op === JmpOp.JA && c === Class.JMP32;
      work.push(i + 1 + (wide ? ins.imm : ins.off));
      if (op !== JmpOp.JA) work.push(i + 1);
      continue;
    }
    work.push(i + 1);
  }
  for (const i of dropped) reach[i] = 0;
  const newIndex = new Int32Array(n + 1);
  let k = 0;
  for (let i = 0; i < n; i++) {
    newIndex[i] = k;
    if (reach[i]) k++;
  }
  newIndex[n] = k;
  const out: Insn[] = [];
  for (let i = 0; i < n; i++) {
    if (!reach[i]) continue;
    const ins = insns[i]!;
    if (ins.code === LD_IMM64 && ins.src === PseudoLd.FUNC) {
      out.push({ ...ins, imm: newIndex[i + 1 + ins.imm]! - newIndex[i]! - 1 });
    } else if (isJump(ins) || (opClass(ins.code) === Class.JMP && opJmp(ins.code) === JmpOp.CALL && ins.src === PseudoCall.CALL)) {
      if (!isJump(ins)) {
        out.push({ ...ins, imm: newIndex[i + 1 + ins.imm]! - newIndex[i]! - 1 });
        continue;
      }
      const c = opClass(ins.code);
      const wide = opJmp(ins.code) === JmpOp.JA && c === Class.JMP32;
      const target = i + 1 + (wide ? ins.imm : ins.off);
      const dist = newIndex[target]! - newIndex[i]! - 1;
      out.push(wide ? { ...ins, imm: dist } : { ...ins, off: dist });
    } else out.push(ins);
  }
  const relocs = relocations.filter((r) => reach[r.index]).map((r) => ({ ...r, index: newIndex[r.index]! }));
  return { insns: out, relocations: relocs, newIndex: (old) => newIndex[old]! };
}
