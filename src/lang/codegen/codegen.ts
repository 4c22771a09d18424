// Code generation straight to eBPF, one program per expanded probe.
//
// Registers: r9 holds the base of the program's memory area for the whole program; r6-r8 are the expression
// registers (callee-saved, so values survive helper calls), spilled to the stack when an expression needs
// more; r0-r5 are used only between helper calls. The context pointer is kept at fp-8.
// Memory: scalar variables and spills live on the stack (growing down from fp-16); strings, tuples, records,
// map keys and values and ring-buffer records live in the memory area at r9 + constant offsets, which the
// verifier tracks exactly. The area is the bottom of the stack when everything fits in 512 bytes (no extra
// work per event), else this CPU's slot of the scratch map (and always for programs with loop callbacks).
import { Assembler } from '../../isa/assembler.js';
import { pruneUnreachable } from './prune.js';
import { emitRuntimeError, helperChecked, runtimeErrorEvent, RUNTIME_ERROR_RECORD_SIZE, type WarningLevel } from './runtime-errors.js';
import { CALLBACK_FUNC_TYPE_ID, MAIN_FUNC_TYPE_ID, type FuncInfo } from './func-info.js';
import {
  alu64Imm,
  alu64Reg,
  call,
  exit,
  ldImm64,
  ldxMem,
  mov32Reg,
  mov64Imm,
  mov64Reg,
  movsx64,
  neg64,
  sdiv64Imm,
  sdiv64Reg,
  smod64Reg,
  stMem,
  stxMem,
  bswap,
} from '../../isa/encode.js';
import { Helper } from '../../isa/helpers.js';
import { AluOp, Class, JmpOp, PseudoCall, R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, FP, Size, type CondJmpOp, type Reg } from '../../isa/opcodes.js';
import type * as A from '../ast/index.js';
import type { Node } from '../ast/node.js';
import { PT_REGS, builtinName, mapName, probeTypeName, signalNumber } from '../passes/semantic.js';
import { walk } from '../walk.js';
import { parseIpAddress } from '../inet.js';
import { keyBytes } from '../passes/resources.js';
import type { CompileContext, ExpandedProbe } from '../passes/context.js';
import {
  EVENT_LOSS_MAP,
  GLOBALS_LAYOUT,
  GLOBALS_MAP,
  JOIN_ARG_SIZE,
  JOIN_MAX_ARGS,
  RINGBUF_MAP,
  SCRATCH_MAP,
  stackMapName,
  type EventDef,
  type MapDef,
} from './artifact.js';
import { I64, U64, isScalar, roundUp, sizeOf, structLayout, typeName, type SizedType } from '../types.js';
import type { Insn } from '../../isa/insn.js';
import type { UsdtArg } from '../../elf/usdt.js';
import type { Relocation } from '../../isa/assembler.js';

/** Raised for a construct the generator cannot handle; compile() turns it into a diagnostic on the node. */
export class CodegenError extends Error {
  override readonly name = 'CodegenError';
  constructor(
    message: string,
    readonly node: Node | undefined,
  ) {
    super(message);
  }
}

export interface GeneratedProgram {
  readonly insns: Insn[];
  readonly relocations: Relocation[];
  readonly funcInfo: FuncInfo[];
  readonly scratchSize: number;
}

const CTX_SLOT = -8;
const CPU_KEY_SLOT = -16;
// The kernel's 512 bytes less the 8 it adds for may_goto's loop budget.
const STACK_LIMIT = 504;
const EXPR_REGS: readonly Reg[] = [R6, R7, R8];
const USER_STACK_FLAG = 1 << 8;
// x86-64 struct pt_regs offsets of the argument registers and the return value.
const PT_REGS_ARGS = [112, 104, 96, 88, 72, 64];
const PT_REGS_RAX = 80;

interface VarSlot {
  readonly type: SizedType;
  /** Stack offset (negative) for scalars; scratch offset for memory values. */
  readonly off: number;
  readonly inScratch: boolean;
  /** A scalar kept in scratch rather than on the stack (it is assigned in a loop callback; see forMap). */
  readonly scalarInScratch?: boolean;
}

interface Loop {
  readonly breakLabel: string;
  readonly continueLabel: string;
}

/**
 * Generates one program. Memory values go on the stack when they fit beside the spills and variables (no
 * scratch-map lookup per event); otherwise, and always for programs with callbacks, in the scratch map.
 */
export function generateProgram(ctx: CompileContext, ep: ExpandedProbe, index: number, hooks: CodegenHooks = {}): GeneratedProgram {
  try {
    const g = new ProbeGenerator(ctx, ep, index, 'stack', hooks);
    const out = g.generate();
    if (g.fitsOnStack()) return out;
  } catch (err) {
    if (!(err instanceof StackOverflow)) throw err;
  }
  return new ProbeGenerator(ctx, ep, index, 'map', hooks).generate();
}

/** Test hooks bpftrace's own tests use. */
export interface CodegenHooks {
  /**
   * BPFTRACE_DUMMY_TS_MAP: a keyless map of unsigned integers whose value every clock read (nsecs, elapsed,
   * tseries' interval) returns instead of a time helper's, so a script steps time itself. Ignored when the map
   * is not such a map.
   */
  readonly dummyTsMap?: string;
  /** The device and inode of bpfkit's PID namespace when it is not the initial one (pid and tid are then its ids). */
  readonly pidNamespace?: { readonly dev: bigint; readonly ino: bigint };
}

/** The stack-memory attempt ran out of room; the map-memory one follows. */
class StackOverflow extends Error {}

class ProbeGenerator {
  private readonly asm = new Assembler();
  private readonly types: Map<Node, SizedType>;
  private readonly freeRegs: Reg[] = [...EXPR_REGS];
  private stackUsed = 16;
  private scratchUsed = 0;
  private readonly vars = new Map<string, VarSlot>();
  private loops: Loop[] = [];
  private exitLabel = 'probe.exit';
  private inCallback = false;
  /** Scratch offset of the innermost for-map loop's "the body returned" flag, while generating its body. */
  private returnFlag: number | undefined;
  private readonly pending: (() => void)[] = [];
  private readonly callbacks: string[] = [];
  private readonly callbackAssigned = new Set<string>();
  private errorOff: number | undefined;
  /** Whether code outside callbacks loads ctx back from its stack slot. */
  private ctxRead = false;

  constructor(
    private readonly ctx: CompileContext,
    private readonly ep: ExpandedProbe,
    index: number,
    private readonly memory: 'stack' | 'map',
    private readonly hooks: CodegenHooks = {},
  ) {
    this.types = ctx.types.nodeTypes.get(index) ?? new Map();
  }

  /** In stack mode: whether memory values and stack slots fitted together, with no callbacks. */
  fitsOnStack(): boolean {
    return this.callbacks.length === 0 && this.stackUsed + roundUp(this.scratchUsed, 8) <= STACK_LIMIT;
  }

  generate(): GeneratedProgram {
    const a = this.asm;
    a.emit(stxMem(Size.DW, FP, R1, CTX_SLOT));
    if (this.memory === 'stack') {
      // r9 = the bottom of the stack; memory values grow up from there, stack slots down from the top.
      a.emit(mov64Reg(R9, FP), alu64Imm(AluOp.ADD, R9, -STACK_LIMIT));
    } else {
      a.emit(call(Helper.get_smp_processor_id));
      a.emit(stxMem(Size.W, FP, R0, CPU_KEY_SLOT));
      a.ldMap(R1, SCRATCH_MAP);
      a.emit(mov64Reg(R2, FP), alu64Imm(AluOp.ADD, R2, CPU_KEY_SLOT));
      a.emit(call(Helper.map_lookup_elem));
      a.jmpImm(JmpOp.JEQ, R0, 0, this.exitLabel);
      a.emit(mov64Reg(R9, R0));
    }
    // Scalars assigned inside for-loop callbacks live in scratch: the verifier would otherwise follow their exact
    // values through every iteration of the callback and give up.
    walk(this.ep.probe, {
      enter: (n) => {
        if (n.kind === 'For' && (n as A.For).iterable.kind === 'MapRef') {
          walk((n as A.For).body, {
            enter: (m) => {
              if (m.kind === 'Assignment') {
                const t = (m as A.Assignment).target;
                const v = t.kind === 'VarDecl' ? t.variable : t;
                if (v.kind === 'Variable') this.callbackAssigned.add(this.varKey(v));
              } else if (m.kind === 'Unary' && ((m as A.Unary).op === '++' || (m as A.Unary).op === '--') && (m as A.Unary).operand.kind === 'Variable') {
                this.callbackAssigned.add(this.varKey((m as A.Unary).operand as A.Variable));
              } else if (m.kind === 'For') this.callbackAssigned.add(this.varKey((m as A.For).variable));
            },
          });
        }
      },
    });
    // Every variable starts at zero (scratch memory keeps values from earlier runs on this CPU).
    for (const name of this.ctx.types.variables.get(this.ep.probe)?.keys() ?? []) this.varSlot(name, this.ep.probe);
    const p = this.ep.probe;
    this.skipIterEnd();
    if (p.predicate) this.jumpUnless(p.predicate, this.exitLabel);
    this.block(p.body);
    a.label(this.exitLabel);
    a.emit(mov64Imm(R0, 0), exit());
    // Callbacks (for-loop bodies) follow the main program, each a subprogram of its own.
    while (this.pending.length > 0) this.pending.shift()!();
    const assembled = a.assemble();
    // The ctx spill (the first instruction) goes when nothing reads it back.
    const spillUnread = !this.ctxRead && this.callbacks.length === 0;
    const prog = pruneUnreachable(assembled.insns, assembled.relocations, spillUnread ? new Set([0]) : new Set());
    const funcInfo: FuncInfo[] =
      this.callbacks.length === 0
        ? []
        : [
            { insnOff: 0, typeId: MAIN_FUNC_TYPE_ID },
            ...this.callbacks.map((l) => ({ insnOff: prog.newIndex(assembled.labels.get(l)!), typeId: CALLBACK_FUNC_TYPE_ID })),
          ];
    return { insns: prog.insns, relocations: prog.relocations, funcInfo, scratchSize: this.memory === 'map' ? roundUp(Math.max(8, this.scratchUsed), 8) : 8 };
  }

  /**
   * An iterator calls its program once more after the last object, with the object pointers NULL: a probe
   * that reads the context returns then (the verifier wants the check; bpftrace makes it on the access).
   */
  private skipIterEnd(): void {
    if (this.ep.target.kind !== 'iter') return;
    let readsCtx = false;
    walk(this.ep.probe, {
      enter: (n) => {
        if ((n.kind === 'Builtin' || n.kind === 'Identifier') && (n as A.Builtin).name === 'ctx') readsCtx = true;
        return undefined;
      },
    });
    if (!readsCtx) return;
    // The first object pointer follows `struct bpf_iter_meta *meta` in every iterator context.
    this.ctxTo(R1);
    this.asm.emit(ldxMem(Size.DW, R1, R1, 8));
    this.asm.jmpImm(JmpOp.JEQ, R1, 0, this.exitLabel);
  }

  // ---- resources ----

  private typeOf(n: Node): SizedType {
    const t = this.types.get(n);
    if (!t) throw new CodegenError(`Internal error: no type for ${n.kind}`, n);
    return t;
  }

  private reg(node?: Node): Reg {
    const r = this.freeRegs.shift();
    if (r === undefined) throw new CodegenError('Expression is too complex: out of registers', node);
    return r;
  }

  private tryReg(): Reg | undefined {
    return this.freeRegs.shift();
  }

  private release(r: Reg): void {
    this.freeRegs.unshift(r);
  }

  private stackSlot(size = 8): number {
    this.stackUsed = roundUp(this.stackUsed + size, 8);
    if (this.memory === 'stack' && this.stackUsed + this.scratchUsed > STACK_LIMIT) throw new StackOverflow();
    if (this.stackUsed > STACK_LIMIT) throw new CodegenError('Program uses too much stack', undefined);
    return -this.stackUsed;
  }

  private scratch(size: number, align = 8): number {
    const off = roundUp(this.scratchUsed, Math.max(align, 8));
    this.scratchUsed = off + Math.max(size, 1);
    if (this.memory === 'stack' && (this.stackUsed + roundUp(this.scratchUsed, 8) > STACK_LIMIT || this.callbacks.length > 0)) throw new StackOverflow();
    return off;
  }

  /** dst = r9 + off (an address in scratch). */
  private addr(dst: Reg, off: number): void {
    this.asm.emit(mov64Reg(dst, R9));
    if (off !== 0) this.asm.emit(alu64Imm(AluOp.ADD, dst, off));
  }

  private ctxTo(dst: Reg): void {
    this.ctxRead = true;
    this.asm.emit(ldxMem(Size.DW, dst, FP, CTX_SLOT));
    // In a callback, CTX_SLOT holds a pointer to the main frame's CTX_SLOT.
    if (this.inCallback) this.asm.emit(ldxMem(Size.DW, dst, dst, 0));
  }

  /** dst = a scalar variable (in the main frame's stack, reached through the callback context in callbacks). */
  private varLoad(dst: Reg, v: VarSlot): void {
    if (v.scalarInScratch) {
      this.asm.emit(ldxMem(Size.DW, dst, R9, v.off));
      return;
    }
    if (!this.inCallback) {
      this.asm.emit(ldxMem(Size.DW, dst, FP, v.off));
      return;
    }
    this.asm.emit(ldxMem(Size.DW, dst, FP, CTX_SLOT), ldxMem(Size.DW, dst, dst, v.off - CTX_SLOT));
  }

  /** variable = src; tmp (not src) is clobbered in callbacks. */
  private varStore(src: Reg, v: VarSlot, tmp: Reg = R0): void {
    if (v.scalarInScratch) {
      this.asm.emit(stxMem(Size.DW, R9, src, v.off));
      return;
    }
    if (!this.inCallback) {
      this.asm.emit(stxMem(Size.DW, FP, src, v.off));
      return;
    }
    this.asm.emit(ldxMem(Size.DW, tmp, FP, CTX_SLOT), stxMem(Size.DW, tmp, src, v.off - CTX_SLOT));
  }

  private mapDef(name: string): MapDef {
    const m = this.ctx.resources!.maps.find((x) => x.name === name);
    if (!m) throw new CodegenError(`Internal error: no map ${name}`, undefined);
    return m;
  }

  private event(node: Node): EventDef {
    const id = this.ctx.resources!.eventOf.get(node);
    if (id === undefined) throw new CodegenError('Internal error: no event for call', node);
    return this.ctx.resources!.events[id]!;
  }

  // ---- statements ----

  private block(b: A.BlockExpr): void {
    for (const s of b.statements) this.stmt(s);
    if (b.tail) this.effect(b.tail);
  }

  /** Evaluates an expression for its side effects. */
  private effect(e: A.Expression): void {
    const t = this.typeOf(e);
    if (e.kind === 'IfExpr' && (t.kind === 'void' || t.kind === 'none')) return this.ifExpr(e);
    if (e.kind === 'BlockExpr') return this.block(e);
    if (e.kind === 'Ternary' && (t.kind === 'void' || t.kind === 'none')) {
      // `cond ? printf(...) : printf(...)`: a branch for its effects.
      const a = this.asm;
      const other = a.newLabel('te.else');
      const done = a.newLabel('te.done');
      this.jumpUnless(e.cond, other);
      if (e.then) this.effect(e.then);
      a.ja(done);
      a.label(other);
      this.effect(e.otherwise);
      a.label(done);
      return;
    }
    if (e.kind === 'Call' && (t.kind === 'void' || t.kind === 'none')) return this.callEffect(e);
    if (e.kind === 'Unary' && (e.op === '++' || e.op === '--')) {
      const r = this.reg(e);
      this.scalar(e, r);
      this.release(r);
      return;
    }
    if (isScalar(t)) {
      const r = this.reg(e);
      this.scalar(e, r);
      this.release(r);
    } else if (t.kind !== 'void' && t.kind !== 'none') {
      const off = this.scratch(sizeOf(t));
      this.memInto(e, off, t);
    }
  }

  private stmt(s: A.Statement): void {
    const a = this.asm;
    switch (s.kind) {
      case 'ExprStatement':
      case 'Discard':
        this.effect(s.expr);
        return;
      case 'VarDecl':
        this.varSlot(this.varKey(s.variable), s.variable);
        return;
      case 'Assignment':
        return this.assignment(s);
      case 'While': {
        const top = a.newLabel('while');
        const end = a.newLabel('endwhile');
        a.label(top);
        // may_goto bounds a loop for the verifier (it stops after the kernel's iteration budget) so that loops
        // whose end depends on run-time values verify; loops against a constant verify faster without it.
        if (!comparesWithConstant(s.cond)) a.mayGoto(end);
        // Branch into the body and fall through to the exit: the verifier then finishes the exit path at once
        // instead of keeping one pending branch per iteration (it gives up past 8192).
        const body = a.newLabel('whilebody');
        this.jumpIf(s.cond, body);
        a.ja(end);
        a.label(body);
        this.loops.push({ breakLabel: end, continueLabel: top });
        this.block(s.body);
        this.loops.pop();
        a.ja(top);
        a.label(end);
        return;
      }
      case 'Unroll': {
        const p = s.count.kind === 'PositionalParameter' ? this.ctx.options.positional?.[s.count.index - 1] : undefined;
        const n = s.count.kind === 'IntegerLiteral' ? Number(s.count.value) : p !== undefined ? Number(p) : 0;
        for (let i = 0; i < n; i++) this.block(s.body);
        return;
      }
      case 'For': {
        if (s.iterable.kind !== 'RangeExpr') return this.forMap(s, s.iterable);
        const v = this.varSlot(this.varKey(s.variable), s.variable);
        const endSlot = this.stackSlot();
        const r = this.reg(s);
        this.scalar(s.iterable.start, r);
        this.varStore(r, v);
        this.scalar(s.iterable.end, r);
        a.emit(stxMem(Size.DW, FP, r, endSlot));
        const top = a.newLabel('for');
        const next = a.newLabel('fornext');
        const end = a.newLabel('endfor');
        a.label(top);
        if (s.iterable.end.kind !== 'IntegerLiteral' || s.iterable.start.kind !== 'IntegerLiteral') a.mayGoto(end);
        this.varLoad(R1, v);
        a.emit(ldxMem(Size.DW, R2, FP, endSlot));
        const body = a.newLabel('forbody');
        a.jmpReg(JmpOp.JSLT, R1, R2, body);
        a.ja(end);
        a.label(body);
        this.release(r);
        this.loops.push({ breakLabel: end, continueLabel: next });
        this.block(s.body);
        this.loops.pop();
        a.label(next);
        this.varLoad(R1, v);
        a.emit(alu64Imm(AluOp.ADD, R1, 1));
        this.varStore(R1, v);
        a.ja(top);
        a.label(end);
        return;
      }
      case 'Jump': {
        if (s.jump === 'return') return this.emitReturn();
        const loop = this.loops[this.loops.length - 1];
        if (!loop) throw new CodegenError(`'${s.jump}' outside of a loop`, s);
        a.ja(s.jump === 'break' ? loop.breakLabel : loop.continueLabel);
        return;
      }
      case 'ImportStatement':
        throw new CodegenError('imports are not supported', s);
    }
  }

  // In a for-loop body `return` ends the probe: the callback records it in its loop's flag, which the caller
  // checks once the iteration stops.
  private emitReturn(): void {
    if (this.returnFlag !== undefined) this.asm.emit(stMem(Size.DW, R9, this.returnFlag, 1));
    this.asm.ja(this.exitLabel);
  }

  private varKey(v: A.Variable): string {
    return this.ctx.types.varKeys.get(v) ?? v.name;
  }

  private varSlot(name: string, node: Node): VarSlot {
    let v = this.vars.get(name);
    if (v) return v;
    if (this.inCallback) throw new CodegenError(`Internal error: variable ${name} was not allocated`, node);
    const t = this.ctx.types.variables.get(this.ep.probe)?.get(name) ?? I64;
    if ((isScalar(t) || t.kind === 'none') && this.callbackAssigned.has(name)) {
      v = { type: t.kind === 'none' ? I64 : t, off: this.scratch(8), inScratch: false, scalarInScratch: true };
    } else if (isScalar(t) || t.kind === 'none') v = { type: t.kind === 'none' ? I64 : t, off: this.stackSlot(), inScratch: false };
    else v = { type: t, off: this.scratch(sizeOf(t)), inScratch: true };
    this.vars.set(name, v);
    // Scalars start at zero so that reading an unassigned variable is defined (the verifier insists).
    if (v.scalarInScratch) this.asm.emit(stMem(Size.DW, R9, v.off, 0));
    else if (!v.inScratch) this.asm.emit(stMem(Size.DW, FP, v.off, 0));
    else this.zero(v.off, sizeOf(v.type));
    void node;
    return v;
  }

  private assignment(s: A.Assignment): void {
    const target = s.target.kind === 'VarDecl' ? s.target.variable : s.target;
    if (s.value.kind === 'Call' && isAggregationCall(s.value.name)) {
      if (target.kind === 'Variable') throw new CodegenError('aggregation assigned to a variable', s);
      return this.aggregate(target, s.value);
    }
    if (s.value.kind === 'BlockExpr' && s.value.tail?.kind === 'Call' && isAggregationCall(s.value.tail.name)) {
      if (target.kind === 'Variable') throw new CodegenError('aggregation assigned to a variable', s);
      for (const st of s.value.statements) this.stmt(st);
      return this.aggregate(target, s.value.tail);
    }
    if (target.kind === 'Variable') {
      const v = this.varSlot(this.varKey(target), target);
      if (v.inScratch) {
        this.memInto(s.value, v.off, v.type);
        return;
      }
      const r = this.reg(s);
      if (s.op === '=') this.scalar(s.value, r);
      else this.compound(s.op, () => this.varLoad(R0, v), s.value, r, v.type);
      this.varStore(r, v);
      this.release(r);
      return;
    }
    // Map assignment.
    const name = mapName(target);
    const def = this.mapDef(name);
    const vt = def.user!.valueType;
    const keyOff = this.buildKey(target, def);
    const valOff = this.scratch(def.valueSize);
    if (isScalar(vt)) {
      const r = this.reg(s);
      if (s.op === '=') this.scalar(s.value, r);
      else
        this.compound(
          s.op,
          () => {
            this.lookupInto(def, keyOff, R0, vt);
          },
          s.value,
          r,
          vt,
        );
      this.storeScalar(r, valOff, vt);
      this.release(r);
    } else {
      this.memInto(s.value, valOff, vt);
    }
    this.update(def.name, keyOff, valOff, s);
  }

  /** r = (current, loaded into r0 by `load`) op value. */
  private compound(op: A.AssignOperator, load: () => void, value: A.Expression, r: Reg, t: SizedType): void {
    this.scalar(value, r);
    const spill = this.stackSlot();
    this.asm.emit(stxMem(Size.DW, FP, r, spill));
    load();
    this.asm.emit(ldxMem(Size.DW, R1, FP, spill));
    if (t.kind === 'pointer' && sizeOf(t.pointee) > 1) this.asm.emit(alu64Imm(AluOp.MUL, R1, sizeOf(t.pointee)));
    const bop = op.slice(0, -1) as A.BinaryOperator;
    this.arith(bop, R0, R1, t.kind === 'int' && t.signed);
    this.asm.emit(mov64Reg(r, R0));
  }

  // ---- maps ----

  /** Builds the key of `@m[k]` (or u64 0 for `@m`) in scratch; returns its offset. Leaves room for a bucket. */
  private buildKey(target: A.MapRef | A.MapAccess, def: MapDef): number {
    const info = def.user!;
    const off = this.scratch(def.keySize);
    if (target.kind === 'MapRef' || info.keyTypes.length === 0) {
      this.asm.emit(stMem(def.keySize === 4 ? Size.W : Size.DW, R9, off, 0));
      return off;
    }
    this.keyInto(target.key, info.keyTypes, off);
    return off;
  }

  private keyInto(key: A.Expression, keyTypes: readonly SizedType[], off: number): void {
    const kb = keyBytes(keyTypes);
    const needsZero = keyTypes.length > 1 || keyTypes.some((t) => !isScalar(t));
    if (needsZero) this.zero(off, kb);
    if (keyTypes.length === 1) {
      this.valueInto(key, off, keyTypes[0]!);
      return;
    }
    const layout = structLayout(keyTypes);
    if (key.kind !== 'Tuple') {
      this.memInto(key, off, { kind: 'tuple', elements: keyTypes });
      return;
    }
    key.elements.forEach((p, i) => this.valueInto(p, off + layout.offsets[i]!, keyTypes[i]!));
  }

  /** Writes any value (scalar or memory) into scratch at off as type t. */
  private valueInto(e: A.Expression, off: number, t: SizedType): void {
    if (isScalar(t)) {
      const r = this.reg(e);
      this.scalar(e, r);
      this.storeScalar(r, off, t);
      this.release(r);
    } else this.memInto(e, off, t);
  }

  private lookup(map: string, keyOff: number): void {
    this.asm.ldMap(R1, map);
    this.addr(R2, keyOff);
    this.asm.emit(call(Helper.map_lookup_elem));
  }

  /** Stores the value at valOff under the key at keyOff; a failure (map full) is reported at `site`. */
  private update(map: string, keyOff: number, valOff: number, site: Node): void {
    this.asm.ldMap(R1, map);
    this.addr(R2, keyOff);
    this.addr(R3, valOff);
    this.asm.emit(mov64Imm(R4, 0), call(Helper.map_update_elem));
    this.checkHelper(Helper.map_update_elem, site);
  }

  // ---- run-time errors ----

  private warningLevel(): WarningLevel {
    return this.ctx.options.warningLevel ?? 1;
  }

  /** The 16 bytes a run-time error record is built in (one area per program, allocated on first use). */
  private errorArea(): number {
    this.errorOff ??= this.scratch(RUNTIME_ERROR_RECORD_SIZE);
    return this.errorOff;
  }

  /** After a helper call: when it returned a negative errno (and the level checks it), report it at `site`. */
  private checkHelper(helper: number, site: Node | undefined): void {
    if (site === undefined || !helperChecked(this.warningLevel(), helper)) return;
    const a = this.asm;
    const ok = a.newLabel('he.ok');
    const off = this.errorArea();
    a.jmpImm(JmpOp.JSGE, R0, 0, ok);
    emitRuntimeError(a, runtimeErrorEvent(this.ctx, 'helper', site, helper), { reg: R0 }, off);
    a.label(ok);
  }

  /** Reports a run-time error that is not a helper's (out of bounds index, zero divisor). Clobbers r0-r5. */
  private runtimeError(kind: 'divide_by_zero' | 'array_out_of_bounds', site: Node): void {
    if (this.warningLevel() === 0) return;
    emitRuntimeError(this.asm, runtimeErrorEvent(this.ctx, kind, site), { value: 0 }, this.errorArea());
  }

  /** dst = the scalar value stored under the key (0 when absent; reported at `site` with -k). */
  private lookupInto(def: MapDef, keyOff: number, dst: Reg, t: SizedType, site?: Node): void {
    const a = this.asm;
    const done = a.newLabel('lk');
    this.lookup(def.name, keyOff);
    a.emit(mov64Reg(R1, R0), mov64Imm(dst, 0));
    if (site !== undefined && helperChecked(this.warningLevel(), Helper.map_lookup_elem)) {
      const found = a.newLabel('lk.found');
      a.jmpImm(JmpOp.JNE, R1, 0, found);
      // bpftrace reports a missing key with retcode 0.
      emitRuntimeError(a, runtimeErrorEvent(this.ctx, 'helper', site, Helper.map_lookup_elem), { value: 0 }, this.errorArea());
      a.ja(done);
      a.label(found);
    } else a.jmpImm(JmpOp.JEQ, R1, 0, done);
    this.loadScalar(dst, R1, 0, t);
    a.label(done);
  }

  private aggregate(target: A.MapRef | A.MapAccess, c: A.Call): void {
    const a = this.asm;
    const def = this.mapDef(mapName(target));
    const info = def.user!;
    const vt = info.valueType;
    const args = c.args as A.Expression[];
    // The argument first (it may call helpers), kept in a callee-saved register.
    let v: Reg | undefined;
    if (args[0] && c.name !== 'count') {
      v = this.reg(c);
      this.scalar(args[0], v);
    }
    const keyOff = this.buildKey(target, def);
    if (vt.kind === 'tseries') {
      this.tseries(def, keyOff, vt, v!, c);
      this.release(v!);
      return;
    }
    if (vt.kind === 'hist' || vt.kind === 'lhist') {
      const bucketOff = keyOff + roundUp(info.keyBytes, 8);
      if (vt.kind === 'hist') this.log2Bucket(v!, vt.bits);
      else this.linearBucket(v!, vt.min, vt.max, vt.step);
      a.emit(stxMem(Size.DW, R9, R2, bucketOff));
      this.release(v!);
      v = undefined;
    }
    const present = info.presentOffset;
    const valOff = this.scratch(16);
    const init = a.newLabel('agg.init');
    const done = a.newLabel('agg.done');
    this.lookup(def.name, keyOff);
    // An array's one slot always exists (the check is for the verifier).
    a.jmpImm(JmpOp.JEQ, R0, 0, present === undefined ? init : done);
    switch (vt.kind) {
      case 'count':
      case 'hist':
      case 'lhist':
        a.emit(ldxMem(Size.DW, R1, R0, 0), alu64Imm(AluOp.ADD, R1, 1), stxMem(Size.DW, R0, R1, 0));
        break;
      case 'sum':
        a.emit(ldxMem(Size.DW, R1, R0, 0), alu64Reg(AluOp.ADD, R1, v!), stxMem(Size.DW, R0, R1, 0));
        break;
      case 'avg':
      case 'stats':
        a.emit(ldxMem(Size.DW, R1, R0, 0), alu64Reg(AluOp.ADD, R1, v!), stxMem(Size.DW, R0, R1, 0));
        a.emit(ldxMem(Size.DW, R1, R0, 8), alu64Imm(AluOp.ADD, R1, 1), stxMem(Size.DW, R0, R1, 8));
        break;
      case 'min':
      case 'max': {
        const set = a.newLabel('mm.set');
        a.emit(ldxMem(Size.DW, R1, R0, 8));
        a.jmpImm(JmpOp.JEQ, R1, 0, set);
        a.emit(ldxMem(Size.DW, R1, R0, 0));
        const op: CondJmpOp = vt.kind === 'min' ? (vt.signed ? JmpOp.JSLE : JmpOp.JLE) : vt.signed ? JmpOp.JSGE : JmpOp.JGE;
        // Keep the stored value when it is already the smaller (larger) one: a set value means the slot was
        // written, so its written flag is already set.
        a.jmpReg(op, R1, v!, done);
        a.label(set);
        a.emit(stxMem(Size.DW, R0, v!, 0), stMem(Size.DW, R0, 8, 1));
        break;
      }
      default:
        throw new CodegenError(`Unsupported aggregation ${vt.kind}`, c);
    }
    if (present !== undefined) {
      a.emit(stMem(Size.DW, R0, present, 1));
      a.label(done);
      if (v !== undefined) this.release(v);
      return;
    }
    a.ja(done);
    a.label(init);
    switch (vt.kind) {
      case 'count':
      case 'hist':
      case 'lhist':
        a.emit(stMem(Size.DW, R9, valOff, 1));
        break;
      case 'sum':
        a.emit(stxMem(Size.DW, R9, v!, valOff));
        break;
      case 'avg':
      case 'stats':
      case 'min':
      case 'max':
        a.emit(stxMem(Size.DW, R9, v!, valOff), stMem(Size.DW, R9, valOff + 8, 1));
        break;
    }
    this.update(def.name, keyOff, valOff, c);
    a.label(done);
    if (v !== undefined) this.release(v);
  }

  /** tseries(v): the slot of the current interval, reset when it holds an older interval, then updated. */
  private tseries(def: MapDef, keyOff: number, t: Extract<SizedType, { kind: 'tseries' }>, v: Reg, site: Node): void {
    const a = this.asm;
    const bucketOff = keyOff + roundUp(def.user!.keyBytes, 8);
    const epoch = this.stackSlot();
    const now = this.stackSlot();
    this.clock(Helper.ktime_get_tai_ns, R0);
    a.emit(stxMem(Size.DW, FP, R0, now));
    a.emit(...ldImm64(R1, BigInt(t.intervalNs)), alu64Reg(AluOp.DIV, R0, R1), stxMem(Size.DW, FP, R0, epoch));
    a.emit(...ldImm64(R1, BigInt(t.numIntervals)), alu64Reg(AluOp.MOD, R0, R1), stxMem(Size.DW, R9, R0, bucketOff));
    const valOff = this.scratch(24);
    const have = a.newLabel('ts.have');
    const update = a.newLabel('ts.update');
    const done = a.newLabel('ts.done');
    this.lookup(def.name, keyOff);
    a.jmpImm(JmpOp.JNE, R0, 0, have);
    // A new slot: built in scratch, then inserted.
    a.emit(stMem(Size.DW, R9, valOff, 0), stMem(Size.DW, R9, valOff + 8, 0), ldxMem(Size.DW, R1, FP, epoch), stxMem(Size.DW, R9, R1, valOff + 16));
    this.addr(R0, valOff);
    this.tseriesUpdate(t, v, epoch, now);
    a.ja(update);
    a.label(have);
    this.tseriesUpdate(t, v, epoch, now);
    a.ja(done);
    a.label(update);
    this.update(def.name, keyOff, valOff, site);
    a.label(done);
  }

  /** Updates the slot at r0 with v for this interval. Clobbers r1-r3. */
  private tseriesUpdate(t: Extract<SizedType, { kind: 'tseries' }>, v: Reg, epoch: number, now: number): void {
    const a = this.asm;
    if (t.agg !== 'none') {
      const same = a.newLabel('ts.same');
      a.emit(ldxMem(Size.DW, R1, R0, 16), ldxMem(Size.DW, R2, FP, epoch));
      a.jmpReg(JmpOp.JEQ, R1, R2, same);
      a.emit(stMem(Size.DW, R0, 0, 0), stMem(Size.DW, R0, 8, 0));
      a.label(same);
    }
    switch (t.agg) {
      case 'avg':
        a.emit(ldxMem(Size.DW, R1, R0, 8), alu64Imm(AluOp.ADD, R1, 1), stxMem(Size.DW, R0, R1, 8));
        a.emit(ldxMem(Size.DW, R1, R0, 0), alu64Reg(AluOp.ADD, R1, v), stxMem(Size.DW, R0, R1, 0));
        break;
      case 'sum':
        a.emit(ldxMem(Size.DW, R1, R0, 0), alu64Reg(AluOp.ADD, R1, v), stxMem(Size.DW, R0, R1, 0));
        break;
      case 'min':
      case 'max': {
        const set = a.newLabel('ts.set');
        const keep = a.newLabel('ts.keep');
        a.emit(ldxMem(Size.DW, R1, R0, 8));
        a.jmpImm(JmpOp.JEQ, R1, 0, set);
        a.emit(ldxMem(Size.DW, R1, R0, 0));
        const op: CondJmpOp = t.agg === 'min' ? (t.signed ? JmpOp.JSLE : JmpOp.JLE) : t.signed ? JmpOp.JSGE : JmpOp.JGE;
        a.jmpReg(op, R1, v, keep);
        a.label(set);
        a.emit(stxMem(Size.DW, R0, v, 0), stMem(Size.DW, R0, 8, 1));
        a.label(keep);
        break;
      }
      case 'none':
        a.emit(stxMem(Size.DW, R0, v, 0), ldxMem(Size.DW, R1, FP, now), stxMem(Size.DW, R0, R1, 8));
        break;
    }
    a.emit(ldxMem(Size.DW, R1, FP, epoch), stxMem(Size.DW, R0, R1, 16));
  }

  /** r2 = hist bucket of v (as the runtime's histBucketIndex numbers them). Clobbers r1-r4. */
  private log2Bucket(v: Reg, bits: number): void {
    const a = this.asm;
    const mask = (1 << bits) - 1;
    const neg = a.newLabel('h.neg');
    const small = a.newLabel('h.small');
    const done = a.newLabel('h.done');
    a.emit(mov64Reg(R1, v));
    a.jmpImm(JmpOp.JSLT, R1, 0, neg);
    a.jmpImm(JmpOp.JLE, R1, mask, small);
    a.emit(mov64Imm(R2, 0), mov64Reg(R3, R1));
    for (const s of [32, 16, 8, 4, 2, 1]) {
      a.emit(mov64Reg(R4, R3), alu64Imm(AluOp.RSH, R4, s));
      const skip = a.newLabel('h.s');
      a.jmpImm(JmpOp.JEQ, R4, 0, skip);
      a.emit(mov64Reg(R3, R4), alu64Imm(AluOp.ADD, R2, s));
      a.label(skip);
    }
    // r2 = floor(log2 v); l = r2 - bits; x = (v >> l) & mask; bucket = ((l + 1) << bits) + x + 1
    if (bits > 0) a.emit(alu64Imm(AluOp.SUB, R2, bits));
    a.emit(mov64Reg(R3, R1), alu64Reg(AluOp.RSH, R3, R2), alu64Imm(AluOp.AND, R3, mask));
    a.emit(alu64Imm(AluOp.ADD, R2, 1));
    if (bits > 0) a.emit(alu64Imm(AluOp.LSH, R2, bits));
    a.emit(alu64Reg(AluOp.ADD, R2, R3), alu64Imm(AluOp.ADD, R2, 1));
    a.ja(done);
    a.label(small);
    a.emit(mov64Reg(R2, R1), alu64Imm(AluOp.ADD, R2, 1));
    a.ja(done);
    a.label(neg);
    a.emit(mov64Imm(R2, 0));
    a.label(done);
  }

  /** r2 = lhist bucket of v. Clobbers r1, r2. */
  private linearBucket(v: Reg, min: number, max: number, step: number): void {
    const a = this.asm;
    const below = a.newLabel('l.below');
    const above = a.newLabel('l.above');
    const done = a.newLabel('l.done');
    a.emit(mov64Reg(R1, v));
    a.jmpImm(JmpOp.JSLT, R1, min, below);
    a.jmpImm(JmpOp.JSGT, R1, max, above);
    a.emit(mov64Reg(R2, R1), alu64Imm(AluOp.SUB, R2, min), alu64Imm(AluOp.DIV, R2, step), alu64Imm(AluOp.ADD, R2, 1));
    a.ja(done);
    a.label(below);
    a.emit(mov64Imm(R2, 0));
    a.ja(done);
    a.label(above);
    a.emit(mov64Imm(R2, 1 + Math.trunc((max - min) / step)));
    a.label(done);
  }

  // ---- scalar expressions ----

  private storeScalar(r: Reg, off: number, t: SizedType): void {
    this.asm.emit(stxMem(sizeCode(sizeOf(t)), R9, r, off));
  }

  /** dst = the scalar of type t at [base + off], sign-extended when signed. */
  private loadScalar(dst: Reg, base: Reg, off: number, t: SizedType): void {
    const size = sizeOf(t);
    this.asm.emit(ldxMem(sizeCode(size), dst, base, off));
    if (t.kind === 'int' && t.signed && size < 8) this.asm.emit(movsx64(dst, dst, (size * 8) as 8 | 16 | 32));
  }

  /** Evaluates a scalar expression into dst (a callee-saved register the caller owns). */
  scalar(e: A.Expression, dst: Reg): void {
    const a = this.asm;
    const t = this.typeOf(e);
    switch (e.kind) {
      case 'IntegerLiteral':
        return this.constant(dst, e.value);
      case 'BooleanLiteral':
        a.emit(mov64Imm(dst, e.value ? 1 : 0));
        return;
      case 'PositionalParameter': {
        const v = this.ctx.options.positional?.[e.index - 1] ?? '0';
        return this.constant(dst, positionalInteger(v));
      }
      case 'PositionalParameterCount':
        a.emit(mov64Imm(dst, this.ctx.options.positional?.length ?? 0));
        return;
      case 'Builtin':
      case 'Identifier': {
        const k = this.ctx.types.constants.get(e);
        if (k !== undefined) return this.constant(dst, k);
        return this.builtinScalar(builtinName(e) ?? '', dst, e);
      }
      case 'Variable': {
        const v = this.varSlot(this.varKey(e), e);
        this.varLoad(dst, v);
        return;
      }
      case 'AddressOf': {
        const v = this.varSlot(this.varKey(e.target as A.Variable), e);
        const inScratch = v.inScratch || v.scalarInScratch === true;
        a.emit(mov64Reg(dst, inScratch ? R9 : FP), alu64Imm(AluOp.ADD, dst, v.off));
        return;
      }
      case 'MapRef':
      case 'MapAccess': {
        const def = this.mapDef(mapName(e));
        const keyOff = this.buildKey(e, def);
        const vt = def.user!.valueType;
        if (vt.kind === 'count' || vt.kind === 'sum') {
          // An aggregation read in the kernel is the total over every CPU, as printing shows it.
          const sumOff = this.scratch(8);
          this.sumPerCpuAt(def, keyOff, sumOff);
          a.emit(ldxMem(Size.DW, dst, R9, sumOff));
          return;
        }
        if (vt.kind === 'min' || vt.kind === 'max' || vt.kind === 'avg') return this.mergePerCpu(def, keyOff, vt.kind, vt.signed, dst);
        this.lookupInto(def, keyOff, dst, isScalar(vt) ? vt : U64, e);
        return;
      }
      case 'Binary':
        return this.binary(e, dst);
      case 'Unary':
        return this.unary(e, dst);
      case 'FieldAccess': {
        const k = this.ctx.types.constants.get(e);
        if (k !== undefined) return this.constant(dst, k);
        return this.fieldScalar(e, dst);
      }
      case 'TupleAccess': {
        const tt = this.typeOf(e.object);
        if (tt.kind !== 'tuple') throw new CodegenError('tuple access on a non-tuple', e);
        const off = this.scratch(sizeOf(tt));
        this.memInto(e.object, off, tt);
        const eo = structLayout(tt.elements).offsets[e.index]!;
        this.loadScalar(dst, R9, off + eo, tt.elements[e.index]!);
        return;
      }
      case 'Cast': {
        const from = this.typeOf(e.expr);
        if (from.kind === 'array') {
          const tmp = this.scratch(sizeOf(from));
          this.memInto(e.expr, tmp, from);
          this.loadScalar(dst, R9, tmp, t);
          return;
        }
        this.scalar(e.expr, dst);
        if (t.kind === 'int' && t.bits < 64) {
          if (t.signed) a.emit(movsx64(dst, dst, t.bits as 8 | 16 | 32));
          else if (t.bits === 32) a.emit(mov32Reg(dst, dst));
          else a.emit(alu64Imm(AluOp.AND, dst, t.bits === 8 ? 0xff : 0xffff));
        } else if (t.kind === 'bool') this.toBool(dst);
        return;
      }
      case 'Ternary': {
        const other = a.newLabel('t.else');
        const done = a.newLabel('t.done');
        this.scalar(e.cond, dst);
        a.jmpImm(JmpOp.JEQ, dst, 0, other);
        if (e.then) this.scalar(e.then, dst);
        a.ja(done);
        a.label(other);
        this.scalar(e.otherwise, dst);
        a.label(done);
        return;
      }
      case 'Call':
        return this.callScalar(e, dst);
      case 'ArrayAccess': {
        const ot = this.typeOf(e.object);
        if (ot.kind === 'string') return this.stringIndex(e, ot.size, dst);
        if (ot.kind === 'tuple') {
          const i = Number(this.ctx.types.constants.get(e.index) ?? 0n);
          const off = this.scratch(sizeOf(ot));
          this.memInto(e.object, off, ot);
          this.loadScalar(dst, R9, off + structLayout(ot.elements).offsets[i]!, ot.elements[i]!);
          return;
        }
        if (ot.kind === 'array' && !this.inCMemory(e.object)) {
          const base = this.valueElement(e, ot, dst);
          this.loadScalar(dst, base.reg, base.off, t);
          return;
        }
        this.elementAddress(e, dst);
        this.readKernel(dst, dst, 0, sizeOf(t), t, this.isUserPointer(e.object), e);
        return;
      }
      case 'Offsetof':
      case 'Sizeof': {
        const k = this.ctx.types.constants.get(e);
        if (k === undefined) throw new CodegenError('sizeof of an unresolved type', e);
        return this.constant(dst, k);
      }
      case 'Comptime':
        return this.scalar(e.expr, dst);
      case 'IfExpr': {
        const other = a.newLabel('ie.else');
        const done = a.newLabel('ie.done');
        this.jumpUnless(e.cond, other);
        this.scalar(e.then, dst);
        a.ja(done);
        a.label(other);
        if (e.otherwise) this.scalar(e.otherwise, dst);
        a.label(done);
        return;
      }
      case 'BlockExpr':
        for (const s of e.statements) this.stmt(s);
        if (e.tail) this.scalar(e.tail, dst);
        return;
      default:
        throw new CodegenError(`Cannot generate code for ${e.kind}`, e);
    }
  }

  private constant(dst: Reg, v: bigint): void {
    const s = BigInt.asIntN(64, v);
    if (s >= -0x80000000n && s <= 0x7fffffffn) this.asm.emit(mov64Imm(dst, Number(s)));
    else this.asm.emit(...ldImm64(dst, s));
  }

  private toBool(r: Reg): void {
    const a = this.asm;
    const z = a.newLabel('b');
    a.jmpImm(JmpOp.JEQ, r, 0, z);
    a.emit(mov64Imm(r, 1));
    a.label(z);
  }

  private builtinScalar(name: string, dst: Reg, e: Node): void {
    const a = this.asm;
    const helper = (id: number) => {
      a.emit(call(id), mov64Reg(dst, R0));
    };
    switch (name) {
      case 'pid':
      case 'tid':
        return this.pidOrTid(name, false, dst);
      case 'uid':
      case 'username':
        helper(Helper.get_current_uid_gid);
        a.emit(mov32Reg(dst, dst));
        return;
      case 'gid':
        helper(Helper.get_current_uid_gid);
        a.emit(alu64Imm(AluOp.RSH, dst, 32));
        return;
      case 'nsecs':
        return this.clock(Helper.ktime_get_ns, dst);
      case 'elapsed':
      case 'cpid': {
        const field = name === 'elapsed' ? GLOBALS_LAYOUT.startNs : GLOBALS_LAYOUT.cpid;
        const none = a.newLabel('g');
        a.emit(stMem(Size.W, FP, CPU_KEY_SLOT, 0));
        a.ldMap(R1, GLOBALS_MAP);
        a.emit(mov64Reg(R2, FP), alu64Imm(AluOp.ADD, R2, CPU_KEY_SLOT), call(Helper.map_lookup_elem));
        a.emit(mov64Imm(dst, 0));
        a.jmpImm(JmpOp.JEQ, R0, 0, none);
        a.emit(ldxMem(Size.DW, dst, R0, field));
        a.label(none);
        if (name === 'elapsed') {
          if (this.dummyTsMap() === undefined) {
            a.emit(call(Helper.ktime_get_ns), alu64Reg(AluOp.SUB, R0, dst), mov64Reg(dst, R0));
            return;
          }
          const start = this.stackSlot();
          a.emit(stxMem(Size.DW, FP, dst, start));
          this.clock(Helper.ktime_get_ns, R0);
          a.emit(ldxMem(Size.DW, dst, FP, start), alu64Reg(AluOp.SUB, R0, dst), mov64Reg(dst, R0));
        }
        return;
      }
      case 'cpu':
        return helper(Helper.get_smp_processor_id);
      case 'ncpus':
        a.emit(mov64Imm(dst, this.ctx.options.cpus ?? 1));
        return;
      case 'cgroup':
        return helper(Helper.get_current_cgroup_id);
      case 'curtask':
        return helper(Helper.get_current_task);
      case 'jiffies':
        return helper(Helper.jiffies64);
      case 'rand':
        return helper(Helper.get_prandom_u32);
      case 'numaid':
        return helper(Helper.get_numa_node_id);
      case 'retval':
        this.ctxTo(R1);
        if (this.ep.target.kind === 'fentry' && this.ep.target.ret) {
          // fexit: the return value follows the arguments in the context's u64 array.
          a.emit(ldxMem(Size.DW, dst, R1, (this.ep.args?.length ?? 0) * 8));
          return;
        }
        if (this.ep.argsKind !== 'pt_regs') throw new CodegenError('retval is not available in this probe', e);
        a.emit(ldxMem(Size.DW, dst, R1, PT_REGS_RAX));
        return;
      case 'ctx':
        this.ctxTo(dst);
        return;
      case 'usermode': {
        // The probed code ran in user mode when the saved cs is ring 3; begin and end run from the process.
        const k = this.ep.target.kind;
        if (k === 'begin' || k === 'end') a.emit(mov64Imm(dst, 1));
        else if (this.ep.argsKind === 'pt_regs') {
          this.ctxTo(R1);
          a.emit(ldxMem(Size.DW, dst, R1, PT_REGS.cs!), alu64Imm(AluOp.AND, dst, 3));
          const user = a.newLabel('um.user');
          const done = a.newLabel('um.done');
          a.jmpImm(JmpOp.JEQ, dst, 3, user);
          a.emit(mov64Imm(dst, 0));
          a.ja(done);
          a.label(user);
          a.emit(mov64Imm(dst, 1));
          a.label(done);
        } else a.emit(mov64Imm(dst, 0));
        return;
      }
      case 'func':
        // kprobe/fentry: the traced function's address, printed as its symbol.
        this.ctxTo(R1);
        a.emit(call(Helper.get_func_ip), mov64Reg(dst, R0));
        return;
      default: {
        const m = /^arg([0-9]+)$/.exec(name);
        if (m && this.ep.usdtArgs) return this.usdtArg(this.ep.usdtArgs[Number(m[1])]!, dst, e);
        if (m) {
          const i = Number(m[1]);
          this.ctxTo(R1);
          if (this.ep.argsKind === 'pt_regs') {
            const off = PT_REGS_ARGS[i];
            if (off === undefined) throw new CodegenError(`${name} is beyond the register arguments`, e);
            a.emit(ldxMem(Size.DW, dst, R1, off));
          } else a.emit(ldxMem(Size.DW, dst, R1, i * 8));
          return;
        }
        throw new CodegenError(`Cannot generate code for builtin ${name}`, e);
      }
    }
  }

  /** dst = a USDT argument: a register of the probed code, memory at register + offset, or a constant. */
  private usdtArg(spec: UsdtArg, dst: Reg, node: Node): void {
    const a = this.asm;
    const size = spec.size || 8;
    const t: SizedType = { kind: 'int', bits: (size * 8) as 8, signed: spec.signed };
    const regOffset = (name: string | undefined): number => {
      const off = name === undefined ? undefined : USDT_REGS[name];
      if (off === undefined) throw new CodegenError(`Unsupported register in USDT argument ${spec.text}`, node);
      return off;
    };
    if (spec.kind === 'const') {
      // The note spells constants as signed immediates; the size and sign in front of `@` say what they are.
      const bits = size * 8;
      const v = spec.value ?? 0n;
      return this.constant(dst, spec.signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
    }
    this.ctxTo(R1);
    if (spec.kind === 'reg') {
      a.emit(ldxMem(Size.DW, dst, R1, regOffset(spec.reg)));
      if (size < 8) {
        if (spec.signed) a.emit(movsx64(dst, dst, (size * 8) as 8 | 16 | 32));
        else if (size === 4) a.emit(mov32Reg(dst, dst));
        else a.emit(alu64Imm(AluOp.AND, dst, size === 1 ? 0xff : 0xffff));
      }
      return;
    }
    if (spec.symbol !== undefined) throw new CodegenError(`USDT arguments at symbols are not supported yet: ${spec.text}`, node);
    // Memory: base (+ index * scale) + offset, read from the traced process.
    a.emit(ldxMem(Size.DW, dst, R1, regOffset(spec.base)));
    if (spec.index !== undefined) {
      a.emit(ldxMem(Size.DW, R2, R1, regOffset(spec.index)));
      if ((spec.scale ?? 1) !== 1) a.emit(alu64Imm(AluOp.MUL, R2, spec.scale!));
      a.emit(alu64Reg(AluOp.ADD, dst, R2));
    }
    const off = Number(spec.offset ?? 0n);
    this.readKernel(dst, dst, off, size, t, true);
  }

  private fieldScalar(e: A.FieldAccess, dst: Reg): void {
    const obj = e.object;
    const cf = this.ctx.types.cfields.get(e);
    if (cf) {
      this.fieldBase(e, dst);
      const size = cf.bitSize > 0 ? 8 : sizeOf(cf.type);
      this.readKernel(dst, dst, cf.offset, size, cf.bitSize > 0 ? U64 : cf.type, this.isUserPointer(obj), e);
      if (cf.bitSize > 0) {
        if (cf.bitOffset > 0) this.asm.emit(alu64Imm(AluOp.RSH, dst, cf.bitOffset));
        if (cf.bitSize < 32) this.asm.emit(alu64Imm(AluOp.AND, dst, (1 << cf.bitSize) - 1));
        else if (cf.bitSize < 64) this.asm.emit(alu64Imm(AluOp.LSH, dst, 64 - cf.bitSize), alu64Imm(AluOp.RSH, dst, 64 - cf.bitSize));
      }
      return;
    }
    if ((obj.kind === 'Builtin' && obj.name === 'args') && this.ep.args) {
      const f = this.ep.args.find((x) => x.name === e.field);
      if (!f) throw new CodegenError(`No field ${e.field}`, e);
      this.ctxTo(R1);
      if (this.ep.argsKind === 'u64-array') {
        this.asm.emit(ldxMem(Size.DW, dst, R1, f.offset));
        const t = f.type;
        if (t.kind === 'int' && t.bits < 64) {
          if (t.signed) this.asm.emit(movsx64(dst, dst, t.bits as 8 | 16 | 32));
          else if (t.bits === 32) this.asm.emit(mov32Reg(dst, dst));
          else this.asm.emit(alu64Imm(AluOp.AND, dst, t.bits === 8 ? 0xff : 0xffff));
        }
        return;
      }
      const size = f.type.kind === 'pointer' ? 8 : sizeOf(f.type);
      this.asm.emit(ldxMem(sizeCode(size), dst, R1, f.offset));
      if (f.type.kind === 'int' && f.type.signed && size < 8) this.asm.emit(movsx64(dst, dst, (size * 8) as 8 | 16 | 32));
      return;
    }
    // A field of a record value: build the record, then load the field.
    const rt = this.typeOf(obj);
    if (rt.kind !== 'record') throw new CodegenError('field access on a non-record', e);
    const off = this.scratch(sizeOf(rt));
    this.memInto(obj, off, rt);
    const i = rt.fields.findIndex((f) => f.name === e.field);
    const fo = structLayout(rt.fields.map((f) => f.type)).offsets[i]!;
    this.loadScalar(dst, R9, off + fo, rt.fields[i]!.type);
  }

  /**
   * Whether the memory reached through e belongs to the traced process: e's own pointer type says so, and a
   * struct or array inside user memory (`$p->inner.arr[1]`) is user memory too.
   */
  private isUserPointer(e: A.Expression): boolean {
    const t = this.typeOf(e);
    if (t.kind === 'pointer') return t.userSpace;
    if (e.kind === 'FieldAccess' || e.kind === 'ArrayAccess') return this.isUserPointer(e.object);
    if (e.kind === 'Unary' && e.op === '*') return this.isUserPointer(e.operand);
    return false;
  }

  /** dst = the value of type t at kernel (or user) address addr + off, read with probe_read. */
  private readKernel(dst: Reg, addr: Reg, off: number, size: number, t: SizedType, user: boolean, site?: Node): void {
    const a = this.asm;
    const tmp = this.scratch(8);
    const helper = user ? Helper.probe_read_user : Helper.probe_read_kernel;
    a.emit(mov64Reg(R3, addr));
    if (off !== 0) a.emit(alu64Imm(AluOp.ADD, R3, off));
    this.addr(R1, tmp);
    a.emit(mov64Imm(R2, Math.min(size, 8)), call(helper));
    this.checkHelper(helper, site);
    this.loadScalar(dst, R9, tmp, t);
  }

  /** dst = the address of the struct that a kernel field access reads from. */
  private fieldBase(e: A.FieldAccess, dst: Reg): void {
    const ot = this.typeOf(e.object);
    if (ot.kind === 'pointer') this.scalar(e.object, dst);
    else this.cAddress(e.object, dst);
  }

  /** dst = the kernel address of a struct- or array-valued expression (`p->inner`, `*p`, `p->arr[i]`). */
  private cAddress(e: A.Expression, dst: Reg): void {
    if (e.kind === 'FieldAccess') {
      const f = this.ctx.types.cfields.get(e);
      if (f) {
        this.fieldBase(e, dst);
        if (f.offset !== 0) this.asm.emit(alu64Imm(AluOp.ADD, dst, f.offset));
        return;
      }
    }
    if (e.kind === 'Unary' && e.op === '*') return this.scalar(e.operand, dst);
    if (e.kind === 'ArrayAccess') return this.elementAddress(e, dst);
    throw new CodegenError(`Cannot take the address of ${e.kind}`, e);
  }

  /**
   * The C struct a `*p` or `p->inner` expression reads, when the node's own type was replaced by the record it
   * is stored as (a map key records its key type on the key expression).
   */
  private structBehind(e: A.Expression): SizedType | undefined {
    if (e.kind === 'Unary' && e.op === '*') {
      const pt = this.typeOf(e.operand);
      return pt.kind === 'pointer' && pt.pointee.kind === 'cstruct' ? pt.pointee : undefined;
    }
    if (e.kind === 'FieldAccess') {
      const cf = this.ctx.types.cfields.get(e);
      return cf?.type.kind === 'cstruct' ? cf.type : undefined;
    }
    return undefined;
  }

  /** Whether e is a struct or array that lives in traced memory (reached through a pointer), not a value. */
  private inCMemory(e: A.Expression): boolean {
    if (e.kind === 'FieldAccess') return this.ctx.types.cfields.has(e);
    if (e.kind === 'Unary' && e.op === '*') return true;
    if (e.kind === 'ArrayAccess') {
      const ot = this.typeOf(e.object);
      return ot.kind === 'pointer' || (ot.kind === 'array' && this.inCMemory(e.object));
    }
    return false;
  }

  /**
   * An element of an array value (in a variable, a map, a tuple): the array is built in scratch and the element
   * is at { reg, off }: R9 and a fixed offset for a constant index, else `reg` holding its address (a variable
   * index past the end reads the first element, so the verifier sees a bounded access).
   */
  private valueElement(e: A.ArrayAccess, ot: Extract<SizedType, { kind: 'array' }>, reg: Reg): { reg: Reg; off: number } {
    const a = this.asm;
    const tmp = this.scratch(sizeOf(ot));
    this.memInto(e.object, tmp, ot);
    const size = Math.max(1, sizeOf(ot.element));
    if (e.index.kind === 'IntegerLiteral') return { reg: R9, off: tmp + Number(e.index.value) * size };
    this.scalar(e.index, reg);
    const ok = a.newLabel('ai.ok');
    a.jmpImm(JmpOp.JLT, reg, ot.length, ok);
    this.runtimeError('array_out_of_bounds', e);
    a.emit(mov64Imm(reg, 0));
    a.label(ok);
    a.emit(alu64Imm(AluOp.MUL, reg, size), alu64Imm(AluOp.ADD, reg, tmp), alu64Reg(AluOp.ADD, reg, R9));
    return { reg, off: 0 };
  }

  /** dst = the byte at `str[index]` (0 past the end), sign-extended like C's char. */
  private stringIndex(e: A.ArrayAccess, size: number, dst: Reg): void {
    const a = this.asm;
    const off = this.scratch(size);
    this.memInto(e.object, off, { kind: 'string', size });
    if (e.index.kind === 'IntegerLiteral') {
      const i = Number(e.index.value);
      if (i >= size) a.emit(mov64Imm(dst, 0));
      else a.emit(ldxMem(Size.B, dst, R9, off + i), movsx64(dst, dst, 8));
      return;
    }
    const out = a.newLabel('si.out');
    const done = a.newLabel('si.done');
    this.scalar(e.index, dst);
    a.jmpImm(JmpOp.JGE, dst, size, out);
    a.emit(mov64Reg(R1, R9), alu64Imm(AluOp.ADD, R1, off), alu64Reg(AluOp.ADD, R1, dst), ldxMem(Size.B, dst, R1, 0), movsx64(dst, dst, 8));
    a.ja(done);
    a.label(out);
    a.emit(mov64Imm(dst, 0));
    a.label(done);
  }

  /** dst = the address of `object[index]` where object is a pointer or a kernel array. */
  private elementAddress(e: A.ArrayAccess, dst: Reg): void {
    const ot = this.typeOf(e.object);
    const elem = ot.kind === 'pointer' ? ot.pointee : ot.kind === 'array' ? ot.element : undefined;
    if (!elem) throw new CodegenError('Indexing a value that is not a pointer or array', e);
    if (ot.kind === 'pointer') this.scalar(e.object, dst);
    else this.cAddress(e.object, dst);
    const size = Math.max(1, sizeOf(elem));
    if (e.index.kind === 'IntegerLiteral') {
      const off = Number(e.index.value) * size;
      if (off !== 0) this.asm.emit(alu64Imm(AluOp.ADD, dst, off));
      return;
    }
    if (ot.kind === 'array' && ot.length > 0) {
      // An index past a kernel array's end is reported (the read goes ahead, as bpftrace's does).
      const a = this.asm;
      const slot = this.stackSlot();
      const ok = a.newLabel('ae.ok');
      this.withSecond(e.index, dst, (r) => a.emit(stxMem(Size.DW, FP, r, slot)));
      a.emit(ldxMem(Size.DW, R1, FP, slot));
      a.jmpImm(JmpOp.JLT, R1, ot.length, ok);
      this.runtimeError('array_out_of_bounds', e);
      a.label(ok);
      a.emit(ldxMem(Size.DW, R1, FP, slot), alu64Imm(AluOp.MUL, R1, size), alu64Reg(AluOp.ADD, dst, R1));
      return;
    }
    this.withSecond(e.index, dst, (r) => {
      this.asm.emit(alu64Imm(AluOp.MUL, r, size), alu64Reg(AluOp.ADD, dst, r));
    });
  }

  /** Evaluates e into a second register while dst stays live, then calls use(reg) with no helper call between. */
  private withSecond(e: A.Expression, dst: Reg, use: (r: Reg) => void): void {
    const a = this.asm;
    const t = this.tryReg();
    if (t !== undefined) {
      this.scalar(e, t);
      use(t);
      this.release(t);
      return;
    }
    const spill = this.stackSlot();
    a.emit(stxMem(Size.DW, FP, dst, spill));
    this.scalar(e, dst);
    a.emit(mov64Reg(R5, dst), ldxMem(Size.DW, dst, FP, spill));
    use(R5);
  }

  private binary(e: A.Binary, dst: Reg): void {
    const a = this.asm;
    const lt = this.typeOf(e.left);
    const rt = this.typeOf(e.right);
    if (e.op === '&&' || e.op === '||') {
      const done = a.newLabel('sc');
      this.scalar(e.left, dst);
      this.toBool(dst);
      a.jmpImm(JmpOp.JEQ, dst, e.op === '&&' ? 0 : 1, done);
      this.scalar(e.right, dst);
      this.toBool(dst);
      a.label(done);
      return;
    }
    if (lt.kind === 'string' && rt.kind === 'string') {
      const lo = this.scratch(lt.size);
      const ro = this.scratch(rt.size);
      this.memInto(e.left, lo, lt);
      this.memInto(e.right, ro, rt);
      this.stringEquals(dst, lo, ro, Math.min(lt.size, rt.size), this.literalLength(e.left, e.right));
      if (e.op === '!=') a.emit(alu64Imm(AluOp.XOR, dst, 1));
      return;
    }
    if (lt.kind === 'buffer' && rt.kind === 'buffer') return this.bufferEquals(e, lt.size, rt.size, dst);
    if (lt.kind === 'array' && rt.kind === 'array') {
      // Arrays compare byte for byte (the semantic pass checked that both have the same type).
      const size = sizeOf(lt);
      const lo = this.scratch(size);
      const ro = this.scratch(size);
      this.memInto(e.left, lo, lt);
      this.memInto(e.right, ro, rt);
      const differ = a.newLabel('ae.ne');
      const done = a.newLabel('ae.done');
      for (const [pos, width] of chunks(lo, size, (ro - lo) % 8 === 0 ? 8 : 1)) {
        a.emit(ldxMem(sizeCode(width), R1, R9, pos), ldxMem(sizeCode(width), R2, R9, ro + (pos - lo)));
        a.jmpReg(JmpOp.JNE, R1, R2, differ);
      }
      a.emit(mov64Imm(dst, e.op === '==' ? 1 : 0));
      a.ja(done);
      a.label(differ);
      a.emit(mov64Imm(dst, e.op === '==' ? 0 : 1));
      a.label(done);
      return;
    }
    const signed = (lt.kind === 'int' && lt.signed) && (rt.kind === 'int' && rt.signed);
    // Right side a small constant: use the immediate form.
    this.scalar(e.left, dst);
    let right: Reg;
    let spill: number | undefined;
    const t = this.tryReg();
    if (t !== undefined) {
      this.scalar(e.right, t);
      right = t;
    } else {
      spill = this.stackSlot();
      a.emit(stxMem(Size.DW, FP, dst, spill));
      this.scalar(e.right, dst);
      a.emit(mov64Reg(R5, dst), ldxMem(Size.DW, dst, FP, spill));
      right = R5;
    }
    const cmp = comparison(e.op, signed || (lt.kind === 'int' && lt.signed && rt.kind !== 'int') || (rt.kind === 'int' && rt.signed && lt.kind !== 'int'));
    if (cmp !== undefined) {
      const yes = a.newLabel('cmp');
      a.emit(mov64Reg(R0, dst), mov64Imm(dst, 1));
      a.jmpReg(cmp, R0, right, yes);
      a.emit(mov64Imm(dst, 0));
      a.label(yes);
    } else {
      const anySigned = (lt.kind === 'int' && lt.signed) || (rt.kind === 'int' && rt.signed);
      // Pointer arithmetic: scale the integer by the pointee's size (and a difference back down).
      const scale = (t: SizedType) => (t.kind === 'pointer' ? Math.max(1, sizeOf(t.pointee)) : 1);
      if (lt.kind === 'pointer' && rt.kind === 'int' && scale(lt) > 1) a.emit(alu64Imm(AluOp.MUL, right, scale(lt)));
      if (rt.kind === 'pointer' && lt.kind === 'int' && scale(rt) > 1) a.emit(alu64Imm(AluOp.MUL, dst, scale(rt)));
      let done: string | undefined;
      if ((e.op === '/' || e.op === '%') && e.right.kind !== 'IntegerLiteral') {
        // A zero divisor gives 1, with a warning (bpftrace's rule).
        const nonzero = a.newLabel('div.nz');
        done = a.newLabel('div.done');
        a.jmpImm(JmpOp.JNE, right, 0, nonzero);
        this.runtimeError('divide_by_zero', e);
        a.emit(mov64Imm(dst, 1));
        a.ja(done);
        a.label(nonzero);
      }
      this.arith(e.op, dst, right, e.op === '>>' ? lt.kind === 'int' && lt.signed : anySigned);
      if (done !== undefined) a.label(done);
      if (lt.kind === 'pointer' && rt.kind === 'pointer' && scale(lt) > 1) a.emit(sdiv64Imm(dst, scale(lt)));
    }
    if (t !== undefined) this.release(t);
  }

  private arith(op: A.BinaryOperator, dst: Reg, src: Reg, signed: boolean): void {
    const a = this.asm;
    switch (op) {
      case '+':
        a.emit(alu64Reg(AluOp.ADD, dst, src));
        return;
      case '-':
        a.emit(alu64Reg(AluOp.SUB, dst, src));
        return;
      case '*':
        a.emit(alu64Reg(AluOp.MUL, dst, src));
        return;
      case '/':
        a.emit(signed ? sdiv64Reg(dst, src) : alu64Reg(AluOp.DIV, dst, src));
        return;
      case '%':
        a.emit(signed ? smod64Reg(dst, src) : alu64Reg(AluOp.MOD, dst, src));
        return;
      case '&':
        a.emit(alu64Reg(AluOp.AND, dst, src));
        return;
      case '|':
        a.emit(alu64Reg(AluOp.OR, dst, src));
        return;
      case '^':
        a.emit(alu64Reg(AluOp.XOR, dst, src));
        return;
      case '<<':
        a.emit(alu64Reg(AluOp.LSH, dst, src));
        return;
      case '>>':
        a.emit(alu64Reg(signed ? AluOp.ARSH : AluOp.RSH, dst, src));
        return;
      default:
        throw new CodegenError(`Operator ${op} is not arithmetic`, undefined);
    }
  }

  private unary(e: A.Unary, dst: Reg): void {
    const a = this.asm;
    switch (e.op) {
      case '!':
        this.scalar(e.operand, dst);
        this.toBool(dst);
        a.emit(alu64Imm(AluOp.XOR, dst, 1));
        return;
      case '~':
        this.scalar(e.operand, dst);
        a.emit(alu64Imm(AluOp.XOR, dst, -1));
        return;
      case '-':
        this.scalar(e.operand, dst);
        a.emit(neg64(dst));
        return;
      case '++':
      case '--': {
        // Pointers step by the size of what they point to, as in C.
        const vt = this.typeOf(e.operand);
        const step = vt.kind === 'pointer' ? Math.max(1, sizeOf(vt.pointee)) : 1;
        const delta = e.op === '++' ? step : -step;
        const target = e.operand;
        if (target.kind === 'Variable') {
          const v = this.varSlot(this.varKey(target), target);
          this.varLoad(dst, v);
          a.emit(mov64Reg(R1, dst), alu64Imm(AluOp.ADD, R1, delta));
          this.varStore(R1, v);
          if (!e.postfix) a.emit(mov64Reg(dst, R1));
          return;
        }
        if (target.kind === 'MapRef' || target.kind === 'MapAccess') {
          const def = this.mapDef(mapName(target));
          const vt = def.user!.valueType;
          const keyOff = this.buildKey(target, def);
          const valOff = this.scratch(8);
          this.lookupInto(def, keyOff, dst, vt);
          a.emit(mov64Reg(R1, dst), alu64Imm(AluOp.ADD, R1, delta));
          this.storeScalar(R1, valOff, vt);
          if (!e.postfix) a.emit(mov64Reg(dst, R1));
          this.update(def.name, keyOff, valOff, e);
          return;
        }
        throw new CodegenError(`The ${e.op} operator must be applied to a map or variable`, e);
      }
      case '*': {
        const t = this.typeOf(e);
        this.scalar(e.operand, dst);
        if (this.typeOf(e.operand).kind === 'int') {
          this.readKernel(dst, dst, 0, 8, t, this.ep.target.kind === 'uprobe' || this.ep.target.kind === 'usdt', e);
          return;
        }
        this.readKernel(dst, dst, 0, sizeOf(t), t, this.isUserPointer(e.operand), e);
        return;
      }
      default:
        throw new CodegenError(`Unary ${e.op} is not supported`, e);
    }
  }

  private callScalar(c: A.Call, dst: Reg): void {
    const a = this.asm;
    const args = c.args as A.Expression[];
    switch (c.name) {
      case 'kptr':
      case 'uptr':
        return this.scalar(args[0]!, dst);
      case 'has_key': {
        const m = args[0] as A.MapRef;
        const def = this.mapDef(m.name);
        const keyOff = this.scratch(def.keySize);
        this.keyInto(args[1]!, def.user!.keyTypes, keyOff);
        this.lookup(def.name, keyOff);
        a.emit(mov64Reg(dst, R0));
        this.toBool(dst);
        return;
      }
      case 'strncmp': {
        const lt = this.typeOf(args[0]!);
        const rt = this.typeOf(args[1]!);
        if (lt.kind !== 'string' || rt.kind !== 'string') throw new CodegenError('strncmp of non-strings', c);
        const n = args[2]!.kind === 'IntegerLiteral' ? Number(args[2].value) : 0;
        const lo = this.scratch(lt.size);
        const ro = this.scratch(rt.size);
        this.memInto(args[0]!, lo, lt);
        this.memInto(args[1]!, ro, rt);
        this.stringEquals(dst, lo, ro, Math.min(n, lt.size, rt.size), undefined, n);
        a.emit(alu64Imm(AluOp.XOR, dst, 1));
        return;
      }
      case 'len': {
        const m = args[0]!;
        const lt = this.typeOf(m);
        if (lt.kind === 'stack') {
          // bpf_get_stack returns the bytes it wrote: 8 per frame.
          const buf = this.scratch(lt.depth * 8);
          const done = a.newLabel('len.st');
          this.ctxTo(R1);
          this.addr(R2, buf);
          a.emit(mov64Imm(R3, lt.depth * 8), mov64Imm(R4, lt.user ? USER_STACK_FLAG : 0), call(Helper.get_stack));
          a.emit(mov64Imm(dst, 0));
          a.jmpImm(JmpOp.JSLE, R0, 0, done);
          a.emit(mov64Reg(dst, R0), alu64Imm(AluOp.RSH, dst, 3));
          a.label(done);
          return;
        }
        if (m.kind !== 'MapRef') throw new CodegenError('len() expects a map', c);
        return this.mapLength(this.mapDef(m.name), dst);
      }
      case 'strlen': {
        const st = this.typeOf(args[0]!);
        if (st.kind !== 'string') throw new CodegenError('strlen() of a non-string', c);
        const so = this.scratch(st.size);
        this.memInto(args[0]!, so, st);
        const loop = a.newLabel('sl.loop');
        const done = a.newLabel('sl.done');
        a.emit(mov64Imm(dst, 0));
        // Loops branch *into* the next iteration and fall through to the exit, so the verifier finishes the short
        // exit paths first instead of piling one pending branch per iteration (it gives up past 8192).
        const body = a.newLabel('sl.body');
        const more = a.newLabel('sl.more');
        a.label(loop);
        a.jmpImm(JmpOp.JLT, dst, st.size, body);
        a.ja(done);
        a.label(body);
        a.emit(mov64Reg(R1, R9), alu64Imm(AluOp.ADD, R1, so), alu64Reg(AluOp.ADD, R1, dst), ldxMem(Size.B, R1, R1, 0));
        a.jmpImm(JmpOp.JNE, R1, 0, more);
        a.ja(done);
        a.label(more);
        a.emit(alu64Imm(AluOp.ADD, dst, 1));
        a.ja(loop);
        a.label(done);
        return;
      }
      case 'strcontains': {
        const ht = this.typeOf(args[0]!);
        const needle = args[1]!;
        if (ht.kind !== 'string') throw new CodegenError('strcontains() of a non-string', c);
        if (needle.kind !== 'StringLiteral') return this.strcontainsValue(args[0]!, ht.size, needle, dst);
        const full = Buffer.from(needle.value, 'utf8');
        // A C string ends at its first NUL.
        const lit = full.subarray(0, full.indexOf(0) < 0 ? full.length : full.indexOf(0));
        const ho = this.scratch(ht.size);
        this.memInto(args[0]!, ho, ht);
        if (lit.length === 0) {
          a.emit(mov64Imm(dst, 1));
          return;
        }
        const last = ht.size - 1 - lit.length;
        a.emit(mov64Imm(dst, 0));
        if (last < 0) return;
        const loop = a.newLabel('sc.loop');
        const next = a.newLabel('sc.next');
        const done = a.newLabel('sc.done');
        // r1 = start index; each start is compared with the needle byte by byte.
        a.emit(mov64Imm(R1, 0));
        const body = a.newLabel('sc.body');
        const scan = a.newLabel('sc.scan');
        // Branches go into the next step and fall through to the exits (see strlen).
        a.label(loop);
        a.jmpImm(JmpOp.JLE, R1, last, body);
        a.ja(done);
        a.label(body);
        a.emit(mov64Reg(R2, R9), alu64Imm(AluOp.ADD, R2, ho), alu64Reg(AluOp.ADD, R2, R1));
        a.emit(ldxMem(Size.B, R3, R2, 0));
        a.jmpImm(JmpOp.JNE, R3, 0, scan);
        a.ja(done);
        a.label(scan);
        for (let j = 0; j < lit.length; j++) {
          const ok = a.newLabel('sc.ok');
          if (j > 0) a.emit(ldxMem(Size.B, R3, R2, j));
          a.jmpImm(JmpOp.JEQ, R3, lit[j]!, ok);
          a.ja(next);
          a.label(ok);
        }
        a.emit(mov64Imm(dst, 1));
        a.ja(done);
        a.label(next);
        a.emit(alu64Imm(AluOp.ADD, R1, 1));
        a.ja(loop);
        a.label(done);
        return;
      }
      case 'delete': {
        this.callEffect(c);
        a.emit(mov64Reg(dst, R0));
        a.emit(mov64Imm(R1, 1));
        const ok = a.newLabel('del');
        a.jmpImm(JmpOp.JEQ, dst, 0, ok);
        a.emit(mov64Imm(R1, 0));
        a.label(ok);
        a.emit(mov64Reg(dst, R1));
        return;
      }
      case 'bswap': {
        const t = this.typeOf(c);
        this.scalar(args[0]!, dst);
        const bits = t.kind === 'int' ? t.bits : 64;
        if (bits > 8) a.emit(bswap(dst, bits as 16 | 32 | 64));
        return;
      }
      case 'ksym':
      case 'strerror':
      case 'syscall_name':
      case 'signal_name':
      case 'cgroup_path':
        this.scalar(args[0]!, dst);
        return;
      case 'kaddr':
      case 'uaddr':
      case 'cgroupid':
        return this.constant(dst, this.ctx.types.constants.get(c) ?? 0n);
      case 'strftime':
        this.scalar(args[1]!, dst);
        return;
      case 'getopt': {
        // The semantic pass folded a given option into a constant; otherwise the default is the value.
        const k = this.ctx.types.constants.get(c);
        if (k !== undefined) return this.constant(dst, k);
        this.scalar(args[1]!, dst);
        return;
      }
      case 'reg': {
        const off = PT_REGS[(args[0] as A.StringLiteral).value]!;
        this.ctxTo(R1);
        a.emit(ldxMem(Size.DW, dst, R1, off));
        return;
      }
      case 'pid':
      case 'tid':
        return this.pidOrTid(c.name, args[0]?.kind === 'Identifier' && args[0].name === 'init', dst);
      case 'nsecs': {
        const mode = args[0]?.kind === 'Identifier' ? args[0].name : 'monotonic';
        const helper = mode === 'boot' ? Helper.ktime_get_boot_ns : mode === 'tai' ? Helper.ktime_get_tai_ns : Helper.ktime_get_ns;
        return this.clock(helper, dst);
      }
      default:
        throw new CodegenError(`${c.name}() cannot be used as a value here`, c);
    }
  }

  /**
   * dst = whether the haystack string contains the needle string, both computed at run time: every start in the
   * haystack (up to its NUL) against the needle's bytes (up to its NUL), with loops bounded by the buffers' sizes.
   */
  private strcontainsValue(haystack: A.Expression, hsize: number, needle: A.Expression, dst: Reg): void {
    const a = this.asm;
    const nt = this.typeOf(needle);
    if (nt.kind !== 'string') throw new CodegenError('strcontains() of a non-string', needle);
    const ho = this.scratch(hsize);
    const no = this.scratch(nt.size);
    this.memInto(haystack, ho, { kind: 'string', size: hsize });
    this.memInto(needle, no, nt);
    const outer = a.newLabel('scv.outer');
    const outerBody = a.newLabel('scv.obody');
    const inner = a.newLabel('scv.inner');
    const innerBody = a.newLabel('scv.ibody');
    const inRange = a.newLabel('scv.inrange');
    const same = a.newLabel('scv.same');
    const next = a.newLabel('scv.next');
    const found = a.newLabel('scv.found');
    const done = a.newLabel('scv.done');
    a.emit(mov64Imm(dst, 0), mov64Imm(R1, 0));
    // Branches go into the next step and fall through to the exits (see strlen).
    a.label(outer);
    a.jmpImm(JmpOp.JLT, R1, hsize, outerBody);
    a.ja(done);
    a.label(outerBody);
    a.emit(mov64Imm(R2, 0));
    a.label(inner);
    a.jmpImm(JmpOp.JLT, R2, nt.size, innerBody);
    a.ja(found);
    a.label(innerBody);
    // r3 = needle[j]; the needle's end is a match.
    a.emit(mov64Reg(R3, R9), alu64Imm(AluOp.ADD, R3, no), alu64Reg(AluOp.ADD, R3, R2), ldxMem(Size.B, R3, R3, 0));
    a.jmpImm(JmpOp.JEQ, R3, 0, found);
    // r4 = haystack[i + j], when inside the buffer.
    a.emit(mov64Reg(R4, R1), alu64Reg(AluOp.ADD, R4, R2));
    a.jmpImm(JmpOp.JLT, R4, hsize, inRange);
    a.ja(done);
    a.label(inRange);
    a.emit(mov64Reg(R5, R9), alu64Imm(AluOp.ADD, R5, ho), alu64Reg(AluOp.ADD, R5, R4), ldxMem(Size.B, R4, R5, 0));
    a.jmpReg(JmpOp.JEQ, R3, R4, same);
    a.ja(next);
    a.label(same);
    a.emit(alu64Imm(AluOp.ADD, R2, 1));
    a.ja(inner);
    a.label(next);
    // The haystack's end: no later start can match.
    a.emit(mov64Reg(R5, R9), alu64Imm(AluOp.ADD, R5, ho), alu64Reg(AluOp.ADD, R5, R1), ldxMem(Size.B, R4, R5, 0));
    a.emit(alu64Imm(AluOp.ADD, R1, 1));
    a.jmpImm(JmpOp.JNE, R4, 0, outer);
    a.ja(done);
    a.label(found);
    a.emit(mov64Imm(dst, 1));
    a.label(done);
  }

  /** dst = whether two buf() values are equal (`==`) or differ (`!=`): the same length and the same bytes. */
  private bufferEquals(e: A.Binary, lsize: number, rsize: number, dst: Reg): void {
    const a = this.asm;
    const lo = this.scratch(4 + lsize);
    const ro = this.scratch(4 + rsize);
    this.memInto(e.left, lo, { kind: 'buffer', size: lsize });
    this.memInto(e.right, ro, { kind: 'buffer', size: rsize });
    const differ = a.newLabel('be.ne');
    const equal = a.newLabel('be.eq');
    const done = a.newLabel('be.done');
    a.emit(ldxMem(Size.W, R1, R9, lo), ldxMem(Size.W, R2, R9, ro));
    a.jmpReg(JmpOp.JNE, R1, R2, differ);
    for (let i = 0; i < Math.min(lsize, rsize); i++) {
      // r1 is the length: bytes past it do not count.
      a.jmpImm(JmpOp.JLE, R1, i, equal);
      a.emit(ldxMem(Size.B, R2, R9, lo + 4 + i), ldxMem(Size.B, R3, R9, ro + 4 + i));
      a.jmpReg(JmpOp.JNE, R2, R3, differ);
    }
    a.label(equal);
    a.emit(mov64Imm(dst, e.op === '==' ? 1 : 0));
    a.ja(done);
    a.label(differ);
    a.emit(mov64Imm(dst, e.op === '==' ? 0 : 1));
    a.label(done);
  }

  /** A literal on either side bounds how many bytes need comparing. */
  private literalLength(l: A.Expression, r: A.Expression): number | undefined {
    if (l.kind === 'StringLiteral') return Buffer.byteLength(l.value) + 1;
    if (r.kind === 'StringLiteral') return Buffer.byteLength(r.value) + 1;
    return undefined;
  }

  /** dst = 1 when the strings at scratch offsets lo and ro are equal (up to NUL, at most n bytes). */
  private stringEquals(dst: Reg, lo: number, ro: number, size: number, literal: number | undefined, limit?: number): void {
    const a = this.asm;
    const n = Math.min(size, literal ?? size, limit ?? size);
    const ne = a.newLabel('s.ne');
    const eq = a.newLabel('s.eq');
    const done = a.newLabel('s.done');
    for (let i = 0; i < n; i++) {
      a.emit(ldxMem(Size.B, R1, R9, lo + i), ldxMem(Size.B, R2, R9, ro + i));
      a.jmpReg(JmpOp.JNE, R1, R2, ne);
      if (limit === undefined || i < n - 1) a.jmpImm(JmpOp.JEQ, R1, 0, eq);
    }
    a.label(eq);
    a.emit(mov64Imm(dst, 1));
    a.ja(done);
    a.label(ne);
    a.emit(mov64Imm(dst, 0));
    a.label(done);
  }

  // ---- memory values ----

  private zero(off: number, size: number): void {
    for (const [pos, width] of chunks(off, size)) this.asm.emit(stMem(sizeCode(width), R9, pos, 0));
  }

  /** Copies size bytes from scratch src to scratch dst. */
  private copy(dst: number, src: number, size: number): void {
    const a = this.asm;
    if (size > 128) {
      this.addr(R1, dst);
      a.emit(mov64Imm(R2, size));
      this.addr(R3, src);
      a.emit(call(Helper.probe_read_kernel));
      return;
    }
    // Chunks aligned for the destination; the source is read with the same widths (map memory allows it, and
    // stack sources are values this program wrote at the same relative alignment or byte by byte).
    for (const [pos, width] of chunks(dst, size, (src - dst) % 8 === 0 ? 8 : 1)) {
      a.emit(ldxMem(sizeCode(width), R1, R9, src + (pos - dst)), stxMem(sizeCode(width), R9, R1, pos));
    }
  }

  private stringLiteral(value: string, off: number, size: number): void {
    const bytes = Buffer.from(value, 'utf8');
    const n = Math.min(bytes.length + 1, size);
    const buf = Buffer.alloc(roundUp(n, 8));
    bytes.copy(buf, 0, 0, Math.min(bytes.length, n - 1));
    const a = this.asm;
    for (const [pos, width] of chunks(off, n)) {
      const i = pos - off;
      if (width === 8) a.emit(...ldImm64(R1, buf.readBigUInt64LE(i)), stxMem(Size.DW, R9, R1, pos));
      else a.emit(stMem(sizeCode(width), R9, pos, width === 4 ? buf.readInt32LE(i) : width === 2 ? buf.readUInt16LE(i) : buf[i]!));
    }
  }

  /** Evaluates a memory-typed expression (string, tuple, record, stack, ...) into scratch at off as type t. */
  memInto(e: A.Expression, off: number, t: SizedType): void {
    const a = this.asm;
    const et = this.typeOf(e);
    if (isScalar(t)) {
      this.valueInto(e, off, t);
      return;
    }
    if (t.kind === 'tuple' && et.kind === 'tuple' && e.kind !== 'Tuple' && typeName(et) !== typeName(t)) {
      // A tuple stored as a wider one (`@m[$t]` with a key of int64s): built as it is, then converted.
      const tmp = this.scratch(sizeOf(et));
      this.memInto(e, tmp, et);
      this.convertTuple(tmp, et, off, t);
      return;
    }
    if (t.kind === 'array' && t.element.kind === 'record' && et.kind === 'array' && et.element.kind === 'cstruct' && this.inCMemory(e)) {
      const r = this.reg(e);
      this.cAddress(e, r);
      this.structArrayCopy(et, r, off, t, this.isUserPointer(e));
      this.release(r);
      return;
    }
    const cst = et.kind === 'cstruct' ? et : this.structBehind(e);
    if (cst && t.kind === 'record') {
      const r = this.reg(e);
      if (e.kind === 'Unary' && e.op === '*') this.scalar(e.operand, r);
      else this.cAddress(e, r);
      this.structCopy(cst, r, off, t, this.isUserPointer(e));
      this.release(r);
      return;
    }
    switch (e.kind) {
      case 'StringLiteral':
        this.stringLiteral(e.value, off, sizeOf(t));
        return;
      case 'PositionalParameter':
        this.stringLiteral(this.ctx.options.positional?.[e.index - 1] ?? '', off, sizeOf(t));
        return;
      case 'Builtin':
      case 'Identifier': {
        const name = builtinName(e);
        if (name === 'comm') {
          this.addr(R1, off);
          a.emit(mov64Imm(R2, Math.min(16, sizeOf(t))), call(Helper.get_current_comm));
          return;
        }
        if (name === 'func' && et.kind === 'usym') {
          this.ctxTo(R1);
          a.emit(call(Helper.get_func_ip), stxMem(Size.DW, R9, R0, off));
          this.pidOrTid('pid', false, R0);
          a.emit(stxMem(Size.DW, R9, R0, off + 8));
          return;
        }
        if (name === 'probetype') {
          this.stringLiteral(probeTypeName(this.ep.target.kind), off, sizeOf(t));
          return;
        }
        if (name === 'probe' || name === 'func') {
          this.stringLiteral(this.ep.name, off, sizeOf(t));
          return;
        }
        if (name === 'kstack' || name === 'ustack') return this.stack(et, off);
        if (name === 'args' && t.kind === 'record' && this.ep.args) return this.argsRecord(off, t);
        throw new CodegenError(`Cannot generate code for builtin ${name}`, e);
      }
      case 'Variable': {
        const v = this.varSlot(this.varKey(e), e);
        if (!v.inScratch) throw new CodegenError('Internal error: scalar variable used as memory', e);
        this.copy(off, v.off, Math.min(sizeOf(t), sizeOf(v.type)));
        return;
      }
      case 'MapRef':
      case 'MapAccess': {
        const def = this.mapDef(mapName(e));
        const keyOff = this.buildKey(e, def);
        const size = Math.min(sizeOf(t), def.valueSize);
        const missing = a.newLabel('m.miss');
        const done = a.newLabel('m.done');
        this.lookup(def.name, keyOff);
        a.jmpImm(JmpOp.JEQ, R0, 0, missing);
        this.addr(R1, off);
        a.emit(mov64Imm(R2, size), mov64Reg(R3, R0), call(Helper.probe_read_kernel));
        a.ja(done);
        a.label(missing);
        this.zero(off, size);
        a.label(done);
        return;
      }
      case 'Tuple': {
        if (t.kind !== 'tuple') throw new CodegenError('tuple stored as a non-tuple', e);
        const layout = structLayout(t.elements);
        this.zero(off, layout.size);
        e.elements.forEach((x, i) => this.valueInto(x, off + layout.offsets[i]!, t.elements[i]!));
        return;
      }
      case 'RecordLiteral': {
        if (t.kind !== 'record') throw new CodegenError('record stored as a non-record', e);
        const layout = structLayout(t.fields.map((f) => f.type));
        this.zero(off, layout.size);
        // Fields are evaluated as written, and stored where the record's type puts them.
        for (const src of e.fields) {
          const i = t.fields.findIndex((f) => f.name === src.name);
          if (i >= 0) this.valueInto(src.value, off + layout.offsets[i]!, t.fields[i]!.type);
        }
        return;
      }
      case 'FieldAccess': {
        const known = this.ctx.types.stringConstants.get(e);
        if (known !== undefined) return this.stringLiteral(known, off, sizeOf(t));
        return this.fieldMem(e, off, t);
      }
      case 'Ternary': {
        const other = a.newLabel('t.else');
        const done = a.newLabel('t.done');
        const r = this.reg(e);
        this.scalar(e.cond, r);
        a.jmpImm(JmpOp.JEQ, r, 0, other);
        this.release(r);
        if (e.then) this.memInto(e.then, off, t);
        a.ja(done);
        a.label(other);
        this.memInto(e.otherwise, off, t);
        a.label(done);
        return;
      }
      case 'Call':
        return this.callMem(e, off, t);
      case 'IfExpr': {
        const other = a.newLabel('ie.else');
        const done = a.newLabel('ie.done');
        this.jumpUnless(e.cond, other);
        this.memInto(e.then, off, t);
        a.ja(done);
        a.label(other);
        if (e.otherwise) this.memInto(e.otherwise, off, t);
        a.label(done);
        return;
      }
      case 'BlockExpr':
        for (const s of e.statements) this.stmt(s);
        if (!e.tail) throw new CodegenError('Block has no value', e);
        return this.memInto(e.tail, off, t);
      case 'ArrayAccess': {
        const ot = this.typeOf(e.object);
        if (ot.kind === 'tuple') {
          const i = Number(this.ctx.types.constants.get(e.index) ?? 0n);
          const tmp = this.scratch(sizeOf(ot));
          this.memInto(e.object, tmp, ot);
          this.copy(off, tmp + structLayout(ot.elements).offsets[i]!, Math.min(sizeOf(t), sizeOf(ot.elements[i]!)));
          return;
        }
        if (ot.kind === 'array' && !this.inCMemory(e.object)) {
          const r = this.reg(e);
          const base = this.valueElement(e, ot, r);
          // copy() works on R9-relative offsets; a variable index gives a register base instead.
          if (base.reg === R9) this.copy(off, base.off, Math.min(sizeOf(t), sizeOf(ot.element)));
          else {
            this.addr(R1, off);
            a.emit(mov64Imm(R2, Math.min(sizeOf(t), sizeOf(ot.element))), mov64Reg(R3, r), call(Helper.probe_read_kernel));
          }
          this.release(r);
          return;
        }
        this.bytesOf(e, off, sizeOf(t), e);
        return;
      }
      case 'Cast': {
        // A value seen as an array (the semantic pass allows integers and strings of the array's size).
        const from = this.typeOf(e.expr);
        if (from.kind === 'string') return this.memInto(e.expr, off, from);
        const r = this.reg(e);
        this.scalar(e.expr, r);
        a.emit(stxMem(sizeCode(sizeOf(from)), R9, r, off));
        this.release(r);
        return;
      }
      case 'Unary': {
        // `*(&$t)`: a memory value read back through a pointer to it.
        if (e.op !== '*' || this.typeOf(e.operand).kind !== 'pointer') throw new CodegenError(`Cannot generate code for Unary of type ${et.kind}`, e);
        const r = this.reg(e);
        this.scalar(e.operand, r);
        this.addr(R1, off);
        const helper = this.isUserPointer(e.operand) ? Helper.probe_read_user : Helper.probe_read_kernel;
        a.emit(mov64Imm(R2, Math.min(sizeOf(t), sizeOf(et))), mov64Reg(R3, r), call(helper));
        this.release(r);
        this.checkHelper(helper, e);
        return;
      }
      case 'TupleAccess': {
        const tt = this.typeOf(e.object);
        if (tt.kind !== 'tuple') throw new CodegenError('tuple access on a non-tuple', e);
        const tmp = this.scratch(sizeOf(tt));
        this.memInto(e.object, tmp, tt);
        this.copy(off, tmp + structLayout(tt.elements).offsets[e.index]!, Math.min(sizeOf(t), sizeOf(tt.elements[e.index]!)));
        return;
      }
      default:
        throw new CodegenError(`Cannot generate code for ${e.kind} of type ${et.kind}`, e);
    }
  }

  /** Copies the tuple at scratch `src` (type from) to `dst` as type `to`, widening integers element by element. */
  private convertTuple(src: number, from: Extract<SizedType, { kind: 'tuple' }>, dst: number, to: Extract<SizedType, { kind: 'tuple' }>): void {
    const fl = structLayout(from.elements);
    const tl = structLayout(to.elements);
    this.zero(dst, tl.size);
    to.elements.forEach((te, i) => {
      const fe = from.elements[i]!;
      const so = src + fl.offsets[i]!;
      const d = dst + tl.offsets[i]!;
      if (isScalar(te) && isScalar(fe)) {
        this.loadScalar(R1, R9, so, fe);
        this.storeScalar(R1, d, te);
      } else if (te.kind === 'tuple' && fe.kind === 'tuple') this.convertTuple(so, fe, d, te);
      else this.copy(d, so, Math.min(sizeOf(te), sizeOf(fe)));
    });
  }

  private fieldMem(e: A.FieldAccess, off: number, t: SizedType): void {
    const a = this.asm;
    const obj = e.object;
    const cf = this.ctx.types.cfields.get(e);
    if (cf) {
      const r = this.reg(e);
      this.fieldBase(e, r);
      a.emit(mov64Reg(R3, r));
      if (cf.offset !== 0) a.emit(alu64Imm(AluOp.ADD, R3, cf.offset));
      this.release(r);
      this.addr(R1, off);
      const size = Math.min(sizeOf(t), sizeOf(cf.type));
      const user = this.isUserPointer(obj);
      const helper = cf.type.kind === 'string' ? (user ? Helper.probe_read_user_str : Helper.probe_read_kernel_str) : user ? Helper.probe_read_user : Helper.probe_read_kernel;
      a.emit(mov64Imm(R2, size), call(helper));
      return;
    }
    if (obj.kind === 'Builtin' && obj.name === 'args' && this.ep.args) {
      const f = this.ep.args.find((x) => x.name === e.field)!;
      const size = Math.min(sizeOf(t), sizeOf(f.type));
      if (f.dataLoc) {
        this.ctxTo(R3);
        a.emit(ldxMem(Size.W, R1, R3, f.offset), alu64Imm(AluOp.AND, R1, 0xffff), alu64Reg(AluOp.ADD, R3, R1));
        this.addr(R1, off);
        a.emit(mov64Imm(R2, size), call(Helper.probe_read_kernel_str));
        return;
      }
      this.ctxTo(R3);
      a.emit(alu64Imm(AluOp.ADD, R3, f.offset));
      this.addr(R1, off);
      a.emit(mov64Imm(R2, size), call(f.type.kind === 'string' ? Helper.probe_read_kernel_str : Helper.probe_read_kernel));
      return;
    }
    const rt = this.typeOf(obj);
    if (rt.kind !== 'record') throw new CodegenError('field access on a non-record', e);
    const tmp = this.scratch(sizeOf(rt));
    this.memInto(obj, tmp, rt);
    const i = rt.fields.findIndex((f) => f.name === e.field);
    this.copy(off, tmp + structLayout(rt.fields.map((f) => f.type)).offsets[i]!, Math.min(sizeOf(t), sizeOf(rt.fields[i]!.type)));
  }

  private callMem(c: A.Call, off: number, t: SizedType): void {
    const a = this.asm;
    const args = c.args as A.Expression[];
    switch (c.name) {
      case 'path': {
        // A `struct path *` argument, or a struct path held in another struct (`args.file->f_path`).
        const size = Math.min(sizeOf(t), this.ctx.config.maxStrlen);
        this.zero(off, sizeOf(t));
        const p = this.reg(c);
        if (this.typeOf(args[0]!).kind === 'pointer') this.scalar(args[0]!, p);
        else this.cAddress(args[0]!, p);
        a.emit(mov64Reg(R1, p));
        this.addr(R2, off);
        a.emit(mov64Imm(R3, size), call(Helper.d_path));
        this.release(p);
        return;
      }
      case 'comm': {
        if (args[0] === undefined) {
          this.addr(R1, off);
          a.emit(mov64Imm(R2, Math.min(16, sizeOf(t))), call(Helper.get_current_comm));
          return;
        }
        return this.commOfPid(args[0], off, Math.min(16, sizeOf(t)), c);
      }
      case 'str': {
        const known = this.ctx.types.stringConstants.get(c);
        if (known !== undefined) return this.stringLiteral(known, off, Math.min(sizeOf(t), sizeOf(this.typeOf(c))));
        const at = this.typeOf(args[0]!);
        const size = sizeOf(t);
        if (at.kind === 'string') {
          this.memInto(args[0]!, off, t);
          return;
        }
        const r = this.reg(c);
        this.scalar(args[0]!, r);
        // Plain integers: user memory in uprobes, else the helper that reads either (x86-64 has disjoint
        // address spaces, so bpf_probe_read_str tells them apart).
        const inUser = this.ep.target.kind === 'uprobe' || this.ep.target.kind === 'usdt';
        let helper: number = inUser ? Helper.probe_read_user_str : Helper.probe_read_str;
        if (at.kind === 'pointer') helper = at.userSpace ? Helper.probe_read_user_str : Helper.probe_read_kernel_str;
        if (args[0]!.kind === 'FieldAccess' && this.ep.args) {
          const f = this.ep.args.find((x) => x.name === (args[0] as A.FieldAccess).field);
          if (f?.userPointer) helper = Helper.probe_read_user_str;
        }
        // bpftrace's sizes: str(p, n) reads n bytes (n - 1 characters and the NUL) into a string[n + 1]; str(p)
        // reads max_strlen + 1 bytes and keeps max_strlen, so that a string that filled them has no NUL and
        // prints with the truncation trailer.
        const own = sizeOf(this.typeOf(c));
        const explicit = args[1] !== undefined;
        const read = explicit ? Math.max(1, own - 1) : own < 1024 ? own + 1 : own;
        const keep = Math.min(size, own);
        const buf = read > keep ? this.scratch(read) : off;
        if (explicit && args[1]!.kind !== 'IntegerLiteral') {
          // A length known only at run time: at most what the buffer holds.
          const n = this.reg(c);
          this.scalar(args[1]!, n);
          const ok = a.newLabel('str.len');
          a.jmpImm(JmpOp.JLE, n, keep, ok);
          a.emit(mov64Imm(n, keep));
          a.label(ok);
          this.addr(R1, buf);
          a.emit(mov64Reg(R2, n), mov64Reg(R3, r), call(helper));
          this.release(n);
        } else {
          this.addr(R1, buf);
          a.emit(mov64Imm(R2, read), mov64Reg(R3, r), call(helper));
        }
        this.checkHelper(helper, c);
        this.release(r);
        if (buf !== off) this.copy(off, buf, keep);
        if (explicit && args[1]!.kind === 'IntegerLiteral' && keep > read) a.emit(stMem(Size.B, R9, off + read, 0));
        return;
      }
      case 'kstack':
      case 'ustack':
        return this.stack(this.typeOf(c), off);
      case 'getopt': {
        const given = this.ctx.types.stringConstants.get(c);
        if (given !== undefined) return this.stringLiteral(given, off, sizeOf(t));
        return this.memInto(args[1]!, off, t);
      }
      case 'pton': {
        // The literal was parsed when compiling; its bytes are stored as constants.
        const bytes = parseIpAddress((args[0] as A.StringLiteral).value)!;
        bytes.forEach((b, i) => a.emit(stMem(Size.B, R9, off + i, b)));
        return;
      }
      case 'macaddr':
        // The array's first 6 bytes, from traced memory or from a value.
        this.bytesOf(args[0]!, off, 6, c);
        return;
      case 'ntop': {
        const addr = args[args.length - 1]!;
        const at = this.typeOf(addr);
        const size = at.kind === 'int' ? 4 : sizeOf(at);
        this.zero(off, 24);
        if (args.length === 2) this.valueInto(args[0]!, off, { kind: 'int', bits: 64, signed: true });
        else a.emit(stMem(Size.DW, R9, off, size === 16 ? 10 : 2));
        if (at.kind === 'int') {
          const r = this.reg(c);
          this.scalar(addr, r);
          a.emit(stxMem(Size.W, R9, r, off + 8));
          this.release(r);
          return;
        }
        // An array in kernel memory (a struct field) or in the tracepoint record.
        this.bytesOf(addr, off + 8, size, c);
        return;
      }
      case 'buf': {
        const own = this.typeOf(c);
        if (t.kind !== 'buffer' || own.kind !== 'buffer') throw new CodegenError('buf() of a non-buffer type', c);
        // This call's own size (the destination may be a wider buffer, as a ternary's other branch makes it).
        const size = Math.min(own.size, t.size);
        const src = args[0]!;
        const st = this.typeOf(src);
        const r = this.reg(c);
        if (args[1] && args[1].kind !== 'IntegerLiteral') {
          this.scalar(args[1], r);
          // The verifier needs the length bounded by the buffer.
          const ok = a.newLabel('buf.len');
          a.jmpImm(JmpOp.JLE, r, size, ok);
          a.emit(mov64Imm(r, size));
          a.label(ok);
        } else a.emit(mov64Imm(r, size));
        a.emit(stxMem(Size.W, R9, r, off));
        if (st.kind === 'array' || st.kind === 'string') {
          this.release(r);
          this.bytesOf(src, off + 4, size, c);
          return;
        }
        const p = this.reg(c);
        this.scalar(src, p);
        this.addr(R1, off + 4);
        a.emit(mov64Reg(R2, r), mov64Reg(R3, p), call(st.kind === 'pointer' && st.userSpace ? Helper.probe_read_user : Helper.probe_read_kernel));
        this.release(p);
        this.release(r);
        return;
      }
      case 'usym': {
        const r = this.reg(c);
        this.scalar(args[0]!, r);
        a.emit(stxMem(Size.DW, R9, r, off));
        // The pid user space symbolizes in: as its own /proc sees it.
        this.pidOrTid('pid', false, R0);
        a.emit(stxMem(Size.DW, R9, R0, off + 8));
        this.release(r);
        return;
      }
      default:
        throw new CodegenError(`${c.name}() cannot be used as a value here`, c);
    }
  }

  private stack(t: SizedType, off: number): void {
    if (t.kind !== 'stack') throw new CodegenError('Internal error: not a stack', undefined);
    const a = this.asm;
    this.ctxTo(R1);
    a.ldMap(R2, stackMapName(t));
    a.emit(mov64Imm(R3, t.user ? USER_STACK_FLAG : 0), call(Helper.get_stackid), stxMem(Size.DW, R9, R0, off));
    if (t.user) {
      this.pidOrTid('pid', false, R0);
      a.emit(stxMem(Size.DW, R9, R0, off + 8));
    }
  }

  // ---- calls for effect ----

  private callEffect(c: A.Call): void {
    const a = this.asm;
    const args = c.args as A.Expression[];
    switch (c.name) {
      case 'printf':
      case 'errorf':
      case 'warnf':
      case 'system':
      case 'cat':
      case 'debugf': {
        const ev = this.event(c);
        if (c.name === 'printf' && this.ep.target.kind === 'iter' && !this.inCallback && seqPrintable(ev)) return this.seqPrintf(ev, args.slice(1));
        const off = this.scratch(ev.size);
        args.slice(1).forEach((x, i) => this.valueInto(x, off + ev.args[i]!.offset, ev.args[i]!.type));
        return this.emitEvent(ev, off);
      }
      case 'print': {
        const ev = this.event(c);
        const off = this.scratch(ev.size);
        if (ev.kind === 'print_map') {
          for (let i = 0; i < 2; i++) {
            if (args[i + 1]) this.valueInto(args[i + 1]!, off + ev.args[i]!.offset, I64);
            else a.emit(stMem(Size.DW, R9, off + ev.args[i]!.offset, 0));
          }
        } else this.valueInto(args[0]!, off + ev.args[0]!.offset, ev.args[0]!.type);
        return this.emitEvent(ev, off);
      }
      case 'exit': {
        const ev = this.event(c);
        const off = this.scratch(ev.size);
        if (args[0]) this.valueInto(args[0], off + 8, I64);
        else a.emit(stMem(Size.DW, R9, off + 8, 0));
        this.emitEvent(ev, off);
        a.ja(this.exitLabel);
        return;
      }
      case 'clear':
      case 'zero':
      case 'time': {
        const ev = this.event(c);
        const off = this.scratch(ev.size);
        return this.emitEvent(ev, off);
      }
      case 'join': {
        const ev = this.event(c);
        const off = this.scratch(ev.size);
        const countOff = off + ev.args[0]!.offset;
        const strOff = off + ev.args[1]!.offset;
        const user = this.argIsUser(args[0]!);
        const done = a.newLabel('join.done');
        const ptrSlot = this.stackSlot();
        const r = this.reg(c);
        this.scalar(args[0]!, r);
        a.emit(stMem(Size.DW, R9, countOff, 0));
        for (let i = 0; i < JOIN_MAX_ARGS; i++) {
          // The i-th pointer of the array, then the string it points to.
          a.emit(mov64Reg(R1, FP), alu64Imm(AluOp.ADD, R1, ptrSlot));
          a.emit(mov64Imm(R2, 8), mov64Reg(R3, r), alu64Imm(AluOp.ADD, R3, i * 8));
          a.emit(call(user ? Helper.probe_read_user : Helper.probe_read_kernel));
          a.jmpImm(JmpOp.JNE, R0, 0, done);
          a.emit(ldxMem(Size.DW, R3, FP, ptrSlot));
          a.jmpImm(JmpOp.JEQ, R3, 0, done);
          this.addr(R1, strOff + i * JOIN_ARG_SIZE);
          a.emit(mov64Imm(R2, JOIN_ARG_SIZE), call(user ? Helper.probe_read_user_str : Helper.probe_read_kernel_str));
          a.emit(mov64Imm(R1, i + 1), stxMem(Size.DW, R9, R1, countOff));
        }
        a.label(done);
        this.release(r);
        return this.emitEvent(ev, off);
      }
      case 'delete': {
        let def: MapDef;
        let keyOff: number;
        if (args.length === 2) {
          def = this.mapDef((args[0] as A.MapRef).name);
          keyOff = this.scratch(def.keySize);
          this.keyInto(args[1]!, def.user!.keyTypes, keyOff);
        } else {
          const m = args[0] as A.MapRef | A.MapAccess;
          def = this.mapDef(mapName(m));
          keyOff = this.buildKey(m, def);
        }
        if (def.user?.presentOffset !== undefined) return this.clearScalarArray(def, keyOff);
        a.ldMap(R1, def.name);
        this.addr(R2, keyOff);
        a.emit(call(Helper.map_delete_elem));
        return;
      }
      case 'write_user': {
        const st = this.typeOf(args[1]!);
        const src = this.scratch(sizeOf(st));
        this.memInto(args[1]!, src, st);
        const r = this.reg(c);
        this.scalar(args[0]!, r);
        // A buffer's bytes follow its u32 length.
        this.addr(R2, st.kind === 'buffer' ? src + 4 : src);
        a.emit(mov64Reg(R1, r), mov64Imm(R3, Number(this.ctx.types.constants.get(args[2]!) ?? 1n)), call(Helper.probe_write_user));
        this.release(r);
        this.checkHelper(Helper.probe_write_user, c);
        return;
      }
      case 'signal': {
        const s = args[0]!;
        if (s.kind === 'StringLiteral') a.emit(mov64Imm(R1, signalNumber(s.value) ?? 0));
        else {
          const r = this.reg(c);
          this.scalar(s, r);
          a.emit(mov64Reg(R1, r));
          this.release(r);
        }
        a.emit(call(Helper.send_signal));
        return;
      }
      default: {
        const r = this.reg(c);
        this.callScalar(c, r);
        this.release(r);
      }
    }
  }

  /** Copies size bytes of an array-valued expression (kernel struct field, tracepoint field, memory value). */
  private bytesOf(e: A.Expression, off: number, size: number, node: Node): void {
    const a = this.asm;
    if (e.kind === 'FieldAccess' && e.object.kind === 'Builtin' && e.object.name === 'args' && this.ep.args) {
      const f = this.ep.args.find((x) => x.name === e.field)!;
      this.ctxTo(R3);
      a.emit(alu64Imm(AluOp.ADD, R3, f.offset));
      this.addr(R1, off);
      a.emit(mov64Imm(R2, size), call(Helper.probe_read_kernel));
      return;
    }
    if (e.kind === 'FieldAccess' || e.kind === 'ArrayAccess' || (e.kind === 'Unary' && e.op === '*')) {
      const r = this.reg(node);
      this.cAddress(e, r);
      a.emit(mov64Reg(R3, r));
      this.release(r);
      this.addr(R1, off);
      a.emit(mov64Imm(R2, size), call(this.isUserPointer(e) ? Helper.probe_read_user : Helper.probe_read_kernel));
      return;
    }
    this.memInto(e, off, this.typeOf(e));
  }

  /** `args` as a value (print(args)): every field of the probe's arguments into a record at scratch `off`. */
  private argsRecord(off: number, rec: Extract<SizedType, { kind: 'record' }>): void {
    const a = this.asm;
    const layout = structLayout(rec.fields.map((f) => f.type));
    this.zero(off, layout.size);
    rec.fields.forEach((rf, i) => {
      const f = this.ep.args!.find((x) => x.name === rf.name);
      if (!f) return;
      const dst = off + layout.offsets[i]!;
      const size = Math.min(sizeOf(rf.type), sizeOf(f.type));
      this.ctxTo(R3);
      if (this.ep.argsKind === 'u64-array') {
        a.emit(ldxMem(Size.DW, R1, R3, f.offset), stxMem(sizeCode(size), R9, R1, dst));
        return;
      }
      if (f.dataLoc) {
        a.emit(ldxMem(Size.W, R1, R3, f.offset), alu64Imm(AluOp.AND, R1, 0xffff), alu64Reg(AluOp.ADD, R3, R1));
      } else a.emit(alu64Imm(AluOp.ADD, R3, f.offset));
      this.addr(R1, dst);
      a.emit(mov64Imm(R2, size), call(f.type.kind === 'string' ? Helper.probe_read_kernel_str : Helper.probe_read_kernel));
    });
  }

  /** Copies an array of C structs at `addr` into an array of records at scratch `off`, element by element. */
  private structArrayCopy(src: SizedType, addr: Reg, off: number, dst: SizedType, user: boolean): void {
    if (src.kind !== 'array' || dst.kind !== 'array') throw new CodegenError('Internal error: struct array copy of a non-array', undefined);
    const cSize = sizeOf(src.element);
    const recSize = sizeOf(dst.element);
    for (let i = 0; i < dst.length; i++) {
      if (i > 0) this.asm.emit(alu64Imm(AluOp.ADD, addr, cSize));
      this.structCopy(src.element, addr, off + i * recSize, dst.element, user);
    }
    if (dst.length > 1) this.asm.emit(alu64Imm(AluOp.SUB, addr, cSize * (dst.length - 1)));
  }

  /** Copies a kernel struct at the address in `addr` into a record at scratch `off`, field by field. */
  private structCopy(st: SizedType, addr: Reg, off: number, rec: SizedType, user: boolean): void {
    if (st.kind !== 'cstruct' || rec.kind !== 'record') throw new CodegenError('Internal error: struct copy of a non-struct', undefined);
    const a = this.asm;
    const fields = this.ctx.scriptTypes().fields(st) ?? [];
    const layout = structLayout(rec.fields.map((f) => f.type));
    this.zero(off, layout.size);
    rec.fields.forEach((rf, i) => {
      const cf = fields.find((f) => f.name === rf.name)?.field;
      if (!cf) return;
      const dst = off + layout.offsets[i]!;
      if (rf.type.kind === 'record' && cf.type.kind === 'cstruct') {
        a.emit(alu64Imm(AluOp.ADD, addr, cf.offset));
        this.structCopy(cf.type, addr, dst, rf.type, user);
        a.emit(alu64Imm(AluOp.SUB, addr, cf.offset));
        return;
      }
      if (rf.type.kind === 'array' && rf.type.element.kind === 'record' && cf.type.kind === 'array') {
        a.emit(alu64Imm(AluOp.ADD, addr, cf.offset));
        this.structArrayCopy(cf.type, addr, dst, rf.type, user);
        a.emit(alu64Imm(AluOp.SUB, addr, cf.offset));
        return;
      }
      const size = Math.min(sizeOf(rf.type), cf.bitSize > 0 ? 8 : sizeOf(cf.type));
      this.addr(R1, dst);
      a.emit(mov64Imm(R2, size), mov64Reg(R3, addr), alu64Imm(AluOp.ADD, R3, cf.offset), call(user ? Helper.probe_read_user : Helper.probe_read_kernel));
      if (cf.bitSize > 0) {
        a.emit(ldxMem(Size.DW, R1, R9, dst));
        if (cf.bitOffset > 0) a.emit(alu64Imm(AluOp.RSH, R1, cf.bitOffset));
        a.emit(alu64Imm(AluOp.LSH, R1, 64 - cf.bitSize), alu64Imm(AluOp.RSH, R1, 64 - cf.bitSize), stxMem(Size.DW, R9, R1, dst));
      }
    });
  }

  /** Whether a pointer expression points into user memory (syscall tracepoint pointers do). */
  private argIsUser(e: A.Expression): boolean {
    const t = this.typeOf(e);
    if (t.kind === 'pointer') return t.userSpace;
    if (e.kind === 'FieldAccess' && this.ep.args) return this.ep.args.find((f) => f.name === e.field)?.userPointer ?? false;
    return false;
  }

  /** Writes the event id at off and sends the record; counts a loss when the ring buffer is full. */
  /**
   * printf in an iterator: bpf_seq_printf into the iterator's seq_file (ctx->meta->seq), which the runtime reads
   * to the end and prints, as bpftrace does. The arguments go in an array of u64: integers by value, strings
   * by address.
   */
  private seqPrintf(ev: EventDef, values: readonly A.Expression[]): void {
    const a = this.asm;
    const fmt = Buffer.from(`${'format' in ev ? ev.format : ''}\0`);
    const fmtOff = this.scratch(roundUp(fmt.length, 8));
    for (let i = 0; i < fmt.length; i += 8) {
      const chunk = Buffer.alloc(8);
      fmt.copy(chunk, 0, i, Math.min(i + 8, fmt.length));
      a.emit(...ldImm64(R1, chunk.readBigUInt64LE(0)), stxMem(Size.DW, R9, R1, fmtOff + i));
    }
    const dataOff = this.scratch(Math.max(8, ev.args.length * 8));
    ev.args.forEach((arg, i) => {
      const t = arg.type;
      if (t.kind === 'string') {
        const str = this.scratch(sizeOf(t));
        this.memInto(values[i]!, str, t);
        this.addr(R1, str);
        a.emit(stxMem(Size.DW, R9, R1, dataOff + i * 8));
      } else this.valueInto(values[i]!, dataOff + i * 8, t.kind === 'int' ? t : U64);
    });
    this.ctxTo(R1);
    // struct bpf_iter_meta *meta is the context's first field; struct seq_file *seq is the meta's.
    a.emit(ldxMem(Size.DW, R1, R1, 0), ldxMem(Size.DW, R1, R1, 0));
    this.addr(R2, fmtOff);
    a.emit(mov64Imm(R3, fmt.length));
    this.addr(R4, dataOff);
    a.emit(mov64Imm(R5, ev.args.length * 8), call(Helper.seq_printf));
  }

  private emitEvent(ev: EventDef, off: number): void {
    const a = this.asm;
    a.emit(stMem(Size.DW, R9, off, ev.id));
    a.ldMap(R1, RINGBUF_MAP);
    this.addr(R2, off);
    a.emit(mov64Imm(R3, ev.size), mov64Imm(R4, 0), call(Helper.ringbuf_output));
    const ok = a.newLabel('ev.ok');
    a.jmpImm(JmpOp.JEQ, R0, 0, ok);
    a.emit(stMem(Size.W, FP, CPU_KEY_SLOT, 0));
    a.ldMap(R1, EVENT_LOSS_MAP);
    a.emit(mov64Reg(R2, FP), alu64Imm(AluOp.ADD, R2, CPU_KEY_SLOT), call(Helper.map_lookup_elem));
    a.jmpImm(JmpOp.JEQ, R0, 0, ok);
    a.emit(ldxMem(Size.DW, R1, R0, 0), alu64Imm(AluOp.ADD, R1, 1), stxMem(Size.DW, R0, R1, 0));
    a.label(ok);
  }

  /**
   * `for ($kv : @m) { body }`: bpf_for_each_map_elem with the body as a callback. The callback gets a pointer to
   * the main frame (to reach its variables and ctx), builds $kv = (key, value) in scratch and runs the body;
   * break and return stop the iteration, continue goes on to the next element.
   */
  private forMap(s: A.For, m: A.MapRef): void {
    // Callbacks reach memory values through the scratch map only.
    if (this.memory === 'stack') throw new StackOverflow();
    const a = this.asm;
    const def = this.mapDef(m.name);
    const info = def.user!;
    const v = this.varSlot(this.varKey(s.variable), s.variable);
    const kvType = v.type;
    if (kvType.kind !== 'tuple') throw new CodegenError('Internal error: loop variable is not a tuple', s);
    const label = a.newLabel('for.cb');
    this.callbacks.push(label);
    a.ldMap(R1, def.name);
    a.ldFunc(R2, label);
    const returned = hasReturn(s.body) ? this.scratch(8) : undefined;
    if (returned !== undefined) a.emit(stMem(Size.DW, R9, returned, 0));
    a.emit(mov64Reg(R3, FP), alu64Imm(AluOp.ADD, R3, CTX_SLOT), mov64Imm(R4, 0), call(Helper.for_each_map_elem));
    if (returned !== undefined) {
      const goOn = a.newLabel('for.goon');
      a.emit(ldxMem(Size.DW, R1, R9, returned));
      a.jmpImm(JmpOp.JEQ, R1, 0, goOn);
      this.emitReturn();
      a.label(goOn);
    }
    this.pending.push(() => {
      const saved = { loops: this.loops, exitLabel: this.exitLabel, inCallback: this.inCallback, returnFlag: this.returnFlag };
      this.returnFlag = returned;
      const stop = a.newLabel('for.stop');
      const next = a.newLabel('for.next');
      this.loops = [{ breakLabel: stop, continueLabel: next }];
      this.exitLabel = stop;
      this.inCallback = true;
      a.label(label);
      a.emit(stxMem(Size.DW, FP, R4, CTX_SLOT), mov64Reg(R6, R2), mov64Reg(R7, R3));
      a.emit(call(Helper.get_smp_processor_id), stxMem(Size.W, FP, R0, CPU_KEY_SLOT));
      a.ldMap(R1, SCRATCH_MAP);
      a.emit(mov64Reg(R2, FP), alu64Imm(AluOp.ADD, R2, CPU_KEY_SLOT), call(Helper.map_lookup_elem));
      a.jmpImm(JmpOp.JEQ, R0, 0, stop);
      a.emit(mov64Reg(R9, R0));
      const layout = structLayout(kvType.elements);
      const keyOff = v.off + layout.offsets[0]!;
      const valOff = v.off + layout.offsets[1]!;
      if (info.presentOffset !== undefined) {
        // A keyless map's one key reads as 0; the body runs once when any CPU wrote the slot.
        this.zero(keyOff, sizeOf(kvType.elements[0]!));
        this.scalarArrayWritten(def, keyOff, false);
        a.jmpImm(JmpOp.JEQ, R0, 0, next);
      } else this.copyFrom(R6, keyOff, sizeOf(kvType.elements[0]!));
      if (info.aggregation === 'count' || info.aggregation === 'sum') this.sumPerCpu(def, R6, valOff);
      else this.copyFrom(R7, valOff, sizeOf(kvType.elements[1]!));
      this.block(s.body);
      a.label(next);
      a.emit(mov64Imm(R0, 0), exit());
      a.label(stop);
      a.emit(mov64Imm(R0, 1), exit());
      this.loops = saved.loops;
      this.exitLabel = saved.exitLabel;
      this.inCallback = saved.inCallback;
      this.returnFlag = saved.returnFlag;
    });
  }

  /** dst = the number of elements of a map, counted with bpf_for_each_map_elem. */
  private mapLength(def: MapDef, dst: Reg): void {
    if (this.memory === 'stack') throw new StackOverflow();
    const a = this.asm;
    const counter = this.scratch(8);
    const label = a.newLabel('len.cb');
    this.callbacks.push(label);
    a.emit(stMem(Size.DW, R9, counter, 0));
    a.ldMap(R1, def.name);
    a.ldFunc(R2, label);
    a.emit(mov64Reg(R3, FP), alu64Imm(AluOp.ADD, R3, CTX_SLOT), mov64Imm(R4, 0), call(Helper.for_each_map_elem));
    a.emit(ldxMem(Size.DW, dst, R9, counter));
    this.pending.push(() => {
      const out = a.newLabel('len.out');
      a.label(label);
      a.emit(call(Helper.get_smp_processor_id), stxMem(Size.W, FP, R0, CPU_KEY_SLOT));
      a.ldMap(R1, SCRATCH_MAP);
      a.emit(mov64Reg(R2, FP), alu64Imm(AluOp.ADD, R2, CPU_KEY_SLOT), call(Helper.map_lookup_elem));
      a.jmpImm(JmpOp.JEQ, R0, 0, out);
      a.emit(ldxMem(Size.DW, R1, R0, counter), alu64Imm(AluOp.ADD, R1, 1), stxMem(Size.DW, R0, R1, counter));
      a.label(out);
      a.emit(mov64Imm(R0, 0), exit());
    });
  }

  /** Copies size bytes from the pointer in src (a map key or value) to scratch at off. */
  private copyFrom(src: Reg, off: number, size: number): void {
    const a = this.asm;
    let i = 0;
    for (; i + 8 <= size; i += 8) a.emit(ldxMem(Size.DW, R1, src, i), stxMem(Size.DW, R9, R1, off + i));
    for (; i < size; i++) a.emit(ldxMem(Size.B, R1, src, i), stxMem(Size.B, R9, R1, off + i));
  }

  /** scratch[off] = the sum over every CPU of a per-CPU u64 value under the key at scratch[keyOff]. */
  private sumPerCpuAt(def: MapDef, keyOff: number, off: number): void {
    const a = this.asm;
    const cpus = this.ctx.options.cpus ?? 1;
    a.emit(stMem(Size.DW, R9, off, 0));
    for (let cpu = 0; cpu < cpus; cpu++) {
      const skip = a.newLabel('pc');
      a.ldMap(R1, def.name);
      this.addr(R2, keyOff);
      a.emit(mov64Imm(R3, cpu), call(Helper.map_lookup_percpu_elem));
      a.jmpImm(JmpOp.JEQ, R0, 0, skip);
      a.emit(ldxMem(Size.DW, R1, R0, 0), ldxMem(Size.DW, R2, R9, off), alu64Reg(AluOp.ADD, R2, R1), stxMem(Size.DW, R9, R2, off));
      a.label(skip);
    }
  }

  /**
   * r0 = 1 when any CPU had written the one slot of a per-CPU array map (the key at scratch[keyOff]), else 0;
   * with `clear`, every CPU's slot is zeroed on the way. Clobbers r1-r5.
   */
  private scalarArrayWritten(def: MapDef, keyOff: number, clear: boolean): void {
    const a = this.asm;
    const cpus = this.ctx.options.cpus ?? 1;
    const present = def.user!.presentOffset!;
    const flag = this.stackSlot();
    a.emit(stMem(Size.DW, FP, flag, 0));
    for (let cpu = 0; cpu < cpus; cpu++) {
      const skip = a.newLabel('pr');
      a.ldMap(R1, def.name);
      this.addr(R2, keyOff);
      a.emit(mov64Imm(R3, cpu), call(Helper.map_lookup_percpu_elem));
      a.jmpImm(JmpOp.JEQ, R0, 0, skip);
      a.emit(ldxMem(Size.DW, R1, R0, present), ldxMem(Size.DW, R2, FP, flag), alu64Reg(AluOp.OR, R2, R1), stxMem(Size.DW, FP, R2, flag));
      if (clear) for (let i = 0; i < def.valueSize; i += 8) a.emit(stMem(Size.DW, R0, i, 0));
      a.label(skip);
    }
    a.emit(ldxMem(Size.DW, R0, FP, flag));
    this.toBool(R0);
  }

  /**
   * delete() of a one-slot per-CPU array: zero every CPU's slot (an array element cannot be removed). r0 = 0 when
   * it was written, else -ENOENT, as bpf_map_delete_elem returns.
   */
  private clearScalarArray(def: MapDef, keyOff: number): void {
    const a = this.asm;
    this.scalarArrayWritten(def, keyOff, true);
    // 1 → 0, 0 → -2
    a.emit(alu64Imm(AluOp.SUB, R0, 1), alu64Imm(AluOp.MUL, R0, 2));
  }

  /**
   * dst = the process (pid) or thread (tid) id: as bpfkit's PID namespace sees it when that is not the initial
   * one (bpf_get_ns_current_pid_tgid), else, or with `init`, as the initial namespace does. Clobbers r0-r5.
   */
  private pidOrTid(which: 'pid' | 'tid', init: boolean, dst: Reg): void {
    const a = this.asm;
    const ns = this.hooks.pidNamespace;
    if (init || ns === undefined) {
      a.emit(call(Helper.get_current_pid_tgid), mov64Reg(dst, R0));
      if (which === 'pid') a.emit(alu64Imm(AluOp.RSH, dst, 32));
      else a.emit(mov32Reg(dst, dst));
      return;
    }
    // struct bpf_pidns_info { u32 pid; u32 tgid; }: zeroed by the helper when it fails.
    const info = this.stackSlot();
    a.emit(...ldImm64(R1, ns.dev), ...ldImm64(R2, ns.ino), mov64Reg(R3, FP), alu64Imm(AluOp.ADD, R3, info), mov64Imm(R4, 8));
    a.emit(call(Helper.get_ns_current_pid_tgid), ldxMem(Size.W, dst, FP, info + (which === 'pid' ? 4 : 0)));
  }

  /**
   * comm(pid): task->comm of the process, through bpf_task_from_pid (which takes a reference, given back with
   * bpf_task_release). A pid with no process reads as "N/A", as bpftrace prints it.
   */
  private commOfPid(pid: A.Expression, off: number, size: number, site: Node): void {
    const a = this.asm;
    const btf = this.ctx.btf();
    const fromPid = btf?.findByName('bpf_task_from_pid', 'func');
    const release = btf?.findByName('bpf_task_release', 'func');
    const task = btf?.findByName('task_struct', 'struct');
    if (!btf || !fromPid || !release || !task) throw new CodegenError('comm(pid) needs the bpf_task_from_pid kfunc in kernel BTF', site);
    const commOff = btf.findMember(task.id, 'comm').byteOffset;
    const r = this.reg(site);
    this.scalar(pid, r);
    const missing = a.newLabel('comm.none');
    const done = a.newLabel('comm.done');
    a.emit(mov32Reg(R1, r), kfuncCall(fromPid.id));
    this.release(r);
    a.jmpImm(JmpOp.JEQ, R0, 0, missing);
    for (let i = 0; i < size; i += 8) a.emit(ldxMem(Size.DW, R2, R0, commOff + i), stxMem(Size.DW, R9, R2, off + i));
    a.emit(mov64Reg(R1, R0), kfuncCall(release.id));
    a.ja(done);
    a.label(missing);
    this.stringLiteral('N/A', off, size);
    a.label(done);
  }

  /** dst = the time `helper` gives, or the dummy time map's value (0 when unset). Clobbers r0-r5. */
  private clock(helper: number, dst: Reg): void {
    const def = this.dummyTsMap();
    if (def === undefined) {
      this.asm.emit(call(helper), mov64Reg(dst, R0));
      return;
    }
    const keyOff = this.scratch(def.keySize);
    this.asm.emit(stMem(Size.DW, R9, keyOff, 0));
    this.lookupInto(def, keyOff, dst, def.user!.valueType);
  }

  private dummyTsMap(): MapDef | undefined {
    const name = this.hooks.dummyTsMap;
    if (name === undefined) return undefined;
    const def = this.ctx.resources!.maps.find((m) => m.name === name);
    const info = def?.user;
    if (!info || info.keyTypes.length !== 0 || info.aggregation !== 'value') return undefined;
    const vt = info.valueType;
    return vt.kind === 'int' && !vt.signed ? def : undefined;
  }

  /** dst = min/max over the CPUs that hold a value, or the average of all (0 when none), as printing merges them. */
  private mergePerCpu(def: MapDef, keyOff: number, kind: 'min' | 'max' | 'avg', signed: boolean, dst: Reg): void {
    const a = this.asm;
    const cpus = this.ctx.options.cpus ?? 1;
    // acc: the result so far (min/max) or the total (avg); aux: whether one was found (min/max) or the count (avg).
    const acc = this.scratch(16);
    a.emit(stMem(Size.DW, R9, acc, 0), stMem(Size.DW, R9, acc + 8, 0));
    for (let cpu = 0; cpu < cpus; cpu++) {
      const skip = a.newLabel('mg');
      a.ldMap(R1, def.name);
      this.addr(R2, keyOff);
      a.emit(mov64Imm(R3, cpu), call(Helper.map_lookup_percpu_elem));
      a.jmpImm(JmpOp.JEQ, R0, 0, skip);
      a.emit(ldxMem(Size.DW, R1, R0, 0), ldxMem(Size.DW, R2, R0, 8));
      if (kind === 'avg') {
        a.emit(ldxMem(Size.DW, R3, R9, acc), alu64Reg(AluOp.ADD, R3, R1), stxMem(Size.DW, R9, R3, acc));
        a.emit(ldxMem(Size.DW, R3, R9, acc + 8), alu64Reg(AluOp.ADD, R3, R2), stxMem(Size.DW, R9, R3, acc + 8));
      } else {
        const take = a.newLabel('mg.take');
        a.jmpImm(JmpOp.JEQ, R2, 0, skip);
        a.emit(ldxMem(Size.DW, R3, R9, acc + 8));
        a.jmpImm(JmpOp.JEQ, R3, 0, take);
        a.emit(ldxMem(Size.DW, R3, R9, acc));
        const keep: CondJmpOp = kind === 'min' ? (signed ? JmpOp.JSLE : JmpOp.JLE) : signed ? JmpOp.JSGE : JmpOp.JGE;
        a.jmpReg(keep, R3, R1, skip);
        a.label(take);
        a.emit(stxMem(Size.DW, R9, R1, acc), stMem(Size.DW, R9, acc + 8, 1));
      }
      a.label(skip);
    }
    a.emit(ldxMem(Size.DW, dst, R9, acc));
    if (kind === 'avg') {
      const zero = a.newLabel('avg.zero');
      const done = a.newLabel('avg.done');
      a.emit(ldxMem(Size.DW, R1, R9, acc + 8));
      a.jmpImm(JmpOp.JEQ, R1, 0, zero);
      a.emit(signed ? sdiv64Reg(dst, R1) : alu64Reg(AluOp.DIV, dst, R1));
      a.ja(done);
      a.label(zero);
      a.emit(mov64Imm(dst, 0));
      a.label(done);
    }
  }

  /** scratch[off] = the sum over every CPU of a per-CPU u64 value under the key at `key`. */
  private sumPerCpu(def: MapDef, key: Reg, off: number): void {
    const a = this.asm;
    const cpus = this.ctx.options.cpus ?? 1;
    a.emit(stMem(Size.DW, R9, off, 0));
    for (let cpu = 0; cpu < cpus; cpu++) {
      const skip = a.newLabel('pc');
      a.ldMap(R1, def.name);
      a.emit(mov64Reg(R2, key), mov64Imm(R3, cpu), call(Helper.map_lookup_percpu_elem));
      a.jmpImm(JmpOp.JEQ, R0, 0, skip);
      a.emit(ldxMem(Size.DW, R1, R0, 0), ldxMem(Size.DW, R2, R9, off), alu64Reg(AluOp.ADD, R2, R1), stxMem(Size.DW, R9, R2, off));
      a.label(skip);
    }
  }

  /**
   * Jumps to `label` when the condition is false, branching on comparisons directly (with the constant in the
   * instruction when there is one) instead of first computing a 0/1 value.
   */
  private jumpUnless(cond: A.Expression, label: string): void {
    const a = this.asm;
    if (cond.kind === 'Binary' && cond.op === '&&') {
      this.jumpUnless(cond.left, label);
      this.jumpUnless(cond.right, label);
      return;
    }
    if (cond.kind === 'Binary' && ['==', '!=', '<', '<=', '>', '>='].includes(cond.op)) {
      const lt = this.typeOf(cond.left);
      const rt = this.typeOf(cond.right);
      if (isScalar(lt) && isScalar(rt)) {
        const signed = (lt.kind === 'int' && lt.signed && rt.kind !== 'int') || (rt.kind === 'int' && rt.signed && lt.kind !== 'int') || (lt.kind === 'int' && lt.signed && rt.kind === 'int' && rt.signed);
        const negated = comparison(negate(cond.op), signed)!;
        const r = this.reg(cond);
        this.scalar(cond.left, r);
        const k = cond.right.kind === 'IntegerLiteral' ? BigInt.asIntN(64, cond.right.value) : undefined;
        if (k !== undefined && k >= -0x80000000n && k <= 0x7fffffffn) {
          a.jmpImm(negated, r, Number(k), label);
        } else {
          this.withSecond(cond.right, r, (t) => {
            a.jmpReg(negated, r, t, label);
          });
        }
        this.release(r);
        return;
      }
    }
    const r = this.reg(cond);
    this.scalar(cond, r);
    a.jmpImm(JmpOp.JEQ, r, 0, label);
    this.release(r);
  }

  /** Jumps to `label` when the condition is true (comparisons branch directly). */
  private jumpIf(cond: A.Expression, label: string): void {
    const a = this.asm;
    if (cond.kind === 'Binary' && ['==', '!=', '<', '<=', '>', '>='].includes(cond.op)) {
      const lt = this.typeOf(cond.left);
      const rt = this.typeOf(cond.right);
      if (isScalar(lt) && isScalar(rt)) {
        const signed = (lt.kind === 'int' && lt.signed && rt.kind !== 'int') || (rt.kind === 'int' && rt.signed && lt.kind !== 'int') || (lt.kind === 'int' && lt.signed && rt.kind === 'int' && rt.signed);
        const op = comparison(cond.op, signed)!;
        const r = this.reg(cond);
        this.scalar(cond.left, r);
        const k = cond.right.kind === 'IntegerLiteral' ? BigInt.asIntN(64, cond.right.value) : undefined;
        if (k !== undefined && k >= -0x80000000n && k <= 0x7fffffffn) a.jmpImm(op, r, Number(k), label);
        else this.withSecond(cond.right, r, (t) => a.jmpReg(op, r, t, label));
        this.release(r);
        return;
      }
    }
    const r = this.reg(cond);
    this.scalar(cond, r);
    a.jmpImm(JmpOp.JNE, r, 0, label);
    this.release(r);
  }

  private ifExpr(e: A.IfExpr): void {
    const a = this.asm;
    const other = a.newLabel('else');
    const done = a.newLabel('endif');
    this.jumpUnless(e.cond, other);
    this.block(e.then);
    a.ja(done);
    a.label(other);
    if (e.otherwise) {
      if (e.otherwise.kind === 'IfExpr') this.ifExpr(e.otherwise);
      else this.block(e.otherwise);
    }
    a.label(done);
  }
}

const PT = { r15: 0, r14: 8, r13: 16, r12: 24, rbp: 32, rbx: 40, r11: 48, r10: 56, r9: 64, r8: 72, rax: 80, rcx: 88, rdx: 96, rsi: 104, rdi: 112, rip: 128, rsp: 152 };
/** x86-64 register names as USDT argument specs write them (any width), to struct pt_regs offsets. */
const USDT_REGS: Readonly<Record<string, number>> = {
  ...PT,
  eax: PT.rax, ax: PT.rax, al: PT.rax, ebx: PT.rbx, bx: PT.rbx, bl: PT.rbx, ecx: PT.rcx, cx: PT.rcx, cl: PT.rcx,
  edx: PT.rdx, dx: PT.rdx, dl: PT.rdx, esi: PT.rsi, si: PT.rsi, sil: PT.rsi, edi: PT.rdi, di: PT.rdi, dil: PT.rdi,
  ebp: PT.rbp, bp: PT.rbp, bpl: PT.rbp, esp: PT.rsp, sp: PT.rsp, spl: PT.rsp,
  ...Object.fromEntries(
    [8, 9, 10, 11, 12, 13, 14, 15].flatMap((n) => {
      const off = PT[`r${n}` as keyof typeof PT];
      return [[`r${n}d`, off], [`r${n}w`, off], [`r${n}b`, off]];
    }),
  ),
};

/** A positional parameter as an integer: decimal, 0x hex or 0-prefixed octal, as bpftrace reads them; else 0. */
function positionalInteger(v: string): bigint {
  const m = /^(-?)(0x[0-9a-fA-F]+|0[0-7]+|[0-9]+)$/.exec(v);
  if (!m) return 0n;
  const d = m[2]!;
  const n = /^0[0-7]+$/.test(d) ? BigInt(`0o${d.slice(1)}`) : BigInt(d);
  return m[1] === '-' ? -n : n;
}

/** `$i < 100`-shaped loop conditions, which the verifier bounds by itself. */
function comparesWithConstant(e: A.Expression): boolean {
  if (e.kind !== 'Binary') return false;
  if (e.op === '&&') return comparesWithConstant(e.left) || comparesWithConstant(e.right);
  return ['<', '<=', '>', '>=', '!=', '=='].includes(e.op) && (e.left.kind === 'IntegerLiteral' || e.right.kind === 'IntegerLiteral');
}

function isAggregationCall(name: string): boolean {
  return ['count', 'sum', 'min', 'max', 'avg', 'stats', 'hist', 'lhist', 'tseries'].includes(name);
}

/** Splits [off, off + size) into naturally aligned pieces of at most maxWidth bytes: [offset, width][]. */
function chunks(off: number, size: number, maxWidth = 8): [number, number][] {
  const out: [number, number][] = [];
  let pos = off;
  const end = off + size;
  while (pos < end) {
    let w = maxWidth;
    while (w > 1 && (((pos % w) + w) % w !== 0 || pos + w > end)) w /= 2;
    out.push([pos, w]);
    pos += w;
  }
  return out;
}

function sizeCode(bytes: number): Size {
  return bytes === 1 ? Size.B : bytes === 2 ? Size.H : bytes === 4 ? Size.W : Size.DW;
}

function negate(op: A.BinaryOperator): A.BinaryOperator {
  const map: Partial<Record<A.BinaryOperator, A.BinaryOperator>> = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };
  return map[op] ?? op;
}

function comparison(op: A.BinaryOperator, signed: boolean): CondJmpOp | undefined {
  switch (op) {
    case '==':
      return JmpOp.JEQ;
    case '!=':
      return JmpOp.JNE;
    case '<':
      return signed ? JmpOp.JSLT : JmpOp.JLT;
    case '<=':
      return signed ? JmpOp.JSLE : JmpOp.JLE;
    case '>':
      return signed ? JmpOp.JSGT : JmpOp.JGT;
    case '>=':
      return signed ? JmpOp.JSGE : JmpOp.JGE;
    default:
      return undefined;
  }
}

// Keep the unused-import checker quiet about registers that document the convention.
void R5;

/** Whether bpf_seq_printf can print an event: integers and strings only, at most the kernel's 12 arguments. */
function seqPrintable(ev: EventDef): boolean {
  return ev.args.length <= 12 && ev.args.every((x) => (x.type.kind === 'int' && x.type.enumType === undefined) || x.type.kind === 'bool' || x.type.kind === 'string');
}

/** A call of the kernel function with this BTF id (vmlinux). */
function kfuncCall(btfId: number): Insn {
  return { code: Class.JMP | JmpOp.CALL, dst: 0, src: PseudoCall.KFUNC_CALL, off: 0, imm: btfId };
}

/** Whether a block holds a `return` (nested blocks and loops included). */
function hasReturn(body: Node): boolean {
  let found = false;
  walk(body, {
    enter: (n) => {
      if (n.kind === 'Jump' && (n as A.Jump).jump === 'return') found = true;
      return undefined;
    },
  });
  return found;
}
