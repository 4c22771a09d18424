// Watchpoints: hardware breakpoints (PERF_TYPE_BREAKPOINT perf events) on a memory address, firing a
// BPF_PROG_TYPE_PERF_EVENT program on every read, write or execution there. With a pid, one event per existing
// thread of the process (inherited by threads created later); without one, one event per CPU.
import { readdirSync } from 'node:fs';
import { PERF_FLAG_FD_CLOEXEC, PerfAttrFlag, PerfType, sys } from '../../sys/index.js';
import { onlineCpus } from '../cpus.js';
import { encodePerfEventAttr } from '../perf-event.js';
import { AttachError, MultiLink, attachFailure, type Link, type ProgramRef } from './link.js';
import { attachToPerfEvent } from './perf-link.js';

// HW_BREAKPOINT_* (linux/hw_breakpoint.h).
const BREAKPOINT_R = 1;
const BREAKPOINT_W = 2;
const BREAKPOINT_X = 4;
// perf_event_attr.bp_type sits between wakeup_events and bp_addr; the shared encoder has no field for it.
const BP_TYPE_OFFSET = 52;

export interface WatchpointOptions {
  readonly address: bigint;
  /** Bytes watched: 1, 2, 4 or 8 (ignored for execution breakpoints, which cover one instruction). */
  readonly length: number;
  /** Any of r, w, x: read, write, execute. */
  readonly mode: string;
  /** Only this process (all its threads); default every task on every CPU. */
  readonly pid?: number;
}

/** The threads of a process, or the pid alone when /proc cannot list them. */
function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((t) => Number.isInteger(t) && t > 0);
  } catch {
    return [pid];
  }
}

/**
 * Attaches a perf-event program to a hardware breakpoint. Threads can exit and CPUs go offline while the events
 * are opened, so only failing everywhere is an error (the last failure, or "No more HW registers left" when the
 * debug registers ran out, as bpftrace says).
 */
export function attachWatchpoint(prog: ProgramRef, opts: WatchpointOptions): Link {
  const kind = 'watchpoint';
  const target = `0x${opts.address.toString(16)}:${opts.length}:${opts.mode}`;
  let bpType = 0;
  for (const c of opts.mode) bpType |= c === 'r' ? BREAKPOINT_R : c === 'w' ? BREAKPOINT_W : c === 'x' ? BREAKPOINT_X : 0;
  if (bpType === 0) throw new AttachError(kind, target, `invalid mode ${opts.mode}: use a combination of r, w and x`);
  const attr = encodePerfEventAttr({
    type: PerfType.BREAKPOINT,
    config: 0n,
    samplePeriod: 1n,
    wakeupEvents: 1,
    config1: opts.address,
    // The kernel wants an execution breakpoint to span sizeof(long).
    config2: BigInt(bpType & BREAKPOINT_X ? 8 : opts.length),
    flags: PerfAttrFlag.DISABLED | (opts.pid !== undefined ? PerfAttrFlag.INHERIT : 0n),
  });
  new DataView(attr.buffer, attr.byteOffset).setUint32(BP_TYPE_OFFSET, bpType, true);
  const placements: [tid: number, cpu: number][] = opts.pid !== undefined ? threadsOf(opts.pid).map((t) => [t, -1]) : onlineCpus().map((c) => [-1, c]);
  const links: Link[] = [];
  let lastError: Error | undefined;
  for (const [tid, cpu] of placements) {
    const where = tid >= 0 ? `${target} tid ${tid}` : `${target} cpu ${cpu}`;
    let fd: number;
    try {
      fd = sys().perfEventOpen(attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
    } catch (e) {
      lastError = attachFailure(kind, where, e, {
        ENOSPC: { detail: 'No more HW registers left' },
        EINVAL: { detail: 'the kernel refused the breakpoint', hint: 'the address, length and mode must suit the CPU (aligned, and execution only on code)' },
        ENOENT: { detail: 'this machine has no hardware breakpoints' },
        ESRCH: { detail: `no thread ${tid}` },
      });
      continue;
    }
    try {
      links.push(attachToPerfEvent(kind, where, prog, fd, { EINVAL: { detail: 'the program is not a perf-event program', hint: 'load it as BPF_PROG_TYPE_PERF_EVENT' } }));
    } catch (e) {
      lastError = e instanceof Error ? e : new Error(String(e));
    }
  }
  if (links.length === 0) throw lastError ?? new AttachError(kind, target, 'no thread or CPU to watch on');
  return new MultiLink(kind, target, links);
}
