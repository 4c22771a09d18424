// Tracepoints: a perf event of type PERF_TYPE_TRACEPOINT on the tracepoint's id, with the program attached to it.
import { Errno, PerfAttrFlag, PerfType } from '../../sys/index.js';
import { TracefsError, traceEvents, type TraceEvents } from '../../tracefs/index.js';
import { openPerfEvent } from '../perf-event.js';
import { AttachError, attachFailure, type Link, type ProgramRef } from './link.js';
import { attachToPerfEvent } from './perf-link.js';

/** The id of tracepoint CATEGORY:NAME from tracefs. */
export function tracepointId(category: string, name: string): number {
  const target = `${category}:${name}`;
  // Checked here because the names become a path under tracefs.
  if (!/^[\w.-]+$/.test(category) || !/^[\w.-]+$/.test(name)) {
    throw new AttachError('tracepoint', target, `invalid tracepoint name ${target}`);
  }
  let events: TraceEvents;
  try {
    events = traceEvents();
  } catch (e) {
    if (!(e instanceof TracefsError)) throw e;
    throw new AttachError('tracepoint', target, 'tracefs is not mounted', { hint: 'mount -t tracefs tracefs /sys/kernel/tracing', cause: e });
  }
  try {
    return events.id(category, name);
  } catch (e) {
    if (!(e instanceof TracefsError)) throw e;
    const code = (e.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new AttachError('tracepoint', target, 'cannot read the tracepoint id from tracefs', {
        errno: code === 'EACCES' ? Errno.EACCES : Errno.EPERM,
        hint: 'run as root, and mount tracefs at /sys/kernel/tracing',
        cause: e,
      });
    }
    throw new AttachError('tracepoint', target, `no such tracepoint ${target}`, {
      errno: Errno.ENOENT,
      hint: `the tracepoints are listed under ${events.root}/events`,
      cause: e,
    });
  }
}

/** Attaches a tracepoint program (BPF_PROG_TYPE_TRACEPOINT) to CATEGORY:NAME. */
export function attachTracepoint(prog: ProgramRef, category: string, name: string): Link {
  const target = `${category}:${name}`;
  const id = tracepointId(category, name);
  let fd: number;
  try {
    // One event, any task, CPU 0: the kernel runs the program on every CPU whenever the tracepoint fires.
    fd = openPerfEvent({ type: PerfType.TRACEPOINT, config: BigInt(id), samplePeriod: 1n, wakeupEvents: 1, flags: PerfAttrFlag.DISABLED }, -1, 0);
  } catch (e) {
    throw attachFailure('tracepoint', target, e, {
      ENOENT: { detail: `no such tracepoint ${target}` },
      EINVAL: { detail: `the kernel refused tracepoint ${target}`, hint: 'check the tracepoint id in tracefs' },
    });
  }
  return attachToPerfEvent('tracepoint', target, prog, fd, {
    EINVAL: { detail: 'the program is not a tracepoint program', hint: 'load it as BPF_PROG_TYPE_TRACEPOINT' },
    EEXIST: { detail: 'this program is already attached to this tracepoint' },
  });
}
