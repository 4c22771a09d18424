// Run-time error reporting: which failures a program checks for (by the warning level, as bpftrace's -k and
// --no-warnings set it), one event per place that can fail, and the instructions that send such an event.
//
// A check costs a branch and, on the failure path only, a ring-buffer write of 16 bytes: the event id and the
// helper's return value. Everything else (message, source range, context) is in the artifact's event.
import type { Assembler } from '../../isa/assembler.js';
import { alu64Imm, call, mov64Imm, mov64Reg, stMem, stxMem } from '../../isa/encode.js';
import { Helper, helperName } from '../../isa/helpers.js';
import { AluOp, R1, R2, R3, R4, R9, Size, type Reg } from '../../isa/opcodes.js';
import type { Node } from '../ast/node.js';
import type { CompileContext } from '../passes/context.js';
import { sourceSites } from '../passes/resources.js';
import { I64 } from '../types.js';
import { RINGBUF_MAP, eventLayout, type RuntimeErrorKind } from './artifact.js';

/**
 * 0: no run-time warnings (--no-warnings); 1: the default, helper failures except reads and map lookups (which
 * give 0 and a script can test for that); 2: every helper failure (-k).
 */
export type WarningLevel = 0 | 1 | 2;

/** Helpers whose failure leaves a zero result a script can see, checked only at level 2 (bpftrace's list). */
const ZERO_ON_FAILURE = new Set<number>([
  Helper.probe_read,
  Helper.probe_read_str,
  Helper.probe_read_kernel,
  Helper.probe_read_kernel_str,
  Helper.probe_read_user,
  Helper.probe_read_user_str,
  Helper.map_lookup_elem,
]);

/** Whether a failure of this helper is reported at this level. */
export function helperChecked(level: WarningLevel, helper: number): boolean {
  if (level === 0) return false;
  return level === 2 || !ZERO_ON_FAILURE.has(helper);
}

/** Bytes of a run-time error record: the event id and an i64 return value. */
export const RUNTIME_ERROR_RECORD_SIZE = 16;

const registries = new WeakMap<CompileContext, Map<string, number>>();
const nodeIds = new WeakMap<Node, number>();
let nextNodeId = 0;

/**
 * The event id for a failure at `node`: added to the artifact's events on first use, the same id afterwards (the
 * code generator may generate a program twice, once trying stack memory).
 */
export function runtimeErrorEvent(ctx: CompileContext, kind: RuntimeErrorKind, node: Node, helper?: number): number {
  let registry = registries.get(ctx);
  if (!registry) {
    registry = new Map();
    registries.set(ctx, registry);
  }
  let nodeId = nodeIds.get(node);
  if (nodeId === undefined) {
    nodeId = nextNodeId++;
    nodeIds.set(node, nodeId);
  }
  const key = `${kind}:${helper ?? ''}:${nodeId}`;
  const known = registry.get(key);
  if (known !== undefined) return known;
  const events = ctx.resources!.events;
  const id = events.length;
  const layout = eventLayout([I64]);
  events.push({
    id,
    kind: 'runtime_error',
    error: kind,
    helper: helper === undefined ? undefined : (helperName(helper)?.replace(/^bpf_/, '') ?? String(helper)),
    locations: sourceSites(ctx, node),
    args: [layout.args[0]!],
    size: layout.size,
  });
  registry.set(key, id);
  return id;
}

/** The return value a record carries: a helper's, in a register, or a constant (0 for other errors). */
export type Retcode = { readonly reg: Reg } | { readonly value: number };

/** Sends the record of event `id` with `retcode`, built in the 16 bytes at r9 + off. Clobbers r0-r5. */
export function emitRuntimeError(a: Assembler, id: number, retcode: Retcode, off: number): void {
  if ('reg' in retcode) a.emit(stxMem(Size.DW, R9, retcode.reg, off + 8));
  else a.emit(stMem(Size.DW, R9, off + 8, retcode.value));
  a.emit(stMem(Size.DW, R9, off, id));
  a.ldMap(R1, RINGBUF_MAP);
  a.emit(mov64Reg(R2, R9), alu64Imm(AluOp.ADD, R2, off));
  a.emit(mov64Imm(R3, RUNTIME_ERROR_RECORD_SIZE), mov64Imm(R4, 0), call(Helper.ringbuf_output));
}
