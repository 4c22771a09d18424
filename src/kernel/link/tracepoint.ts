// Tracepoints: a perf event of type PERF_TYPE_TRACEPOINT on the tracepoint's id, with the program attached to it.
import { readFileSync } from 'node:fs';
import { Errno, PerfAttrFlag, PerfType } from '../../sys/index.js';
import { tracefsRoot } from '../features.js';
import { openPerfEvent } from '../perf-event.js';
import { AttachError, attachFailure, type Link, type ProgramRef } from './link.js';
import { attachToPerfEvent } from './perf-link.js';

/** The id of tracepoint CATEGORY:NAME from tracefs. */
export function tracepointId(category: string, name: string): number {
  const target = `${category}:${name}`;
  if (!/^[\w.-]+$/.test(category) || !/^[\w.-]+$/.test(name)) {
    throw new AttachError('tracepoint', target, `invalid tracepoint name ${target}`);
  }
  const root = tracefsRoot();
  if (root === undefined) {
    throw new AttachError('tracepoint', target, 'tracefs is not mounted', { hint: 'mount -t tracefs tracefs /sys/kernel/tracing' });
  }
  let lastErr: unknown;
  try {
    return Number.parseInt(readFileSync(`${root}/events/${category}/${name}/id`, 'utf8').trim(), 10);
  } catch (e) {
    lastErr = e;
  }
  const code = (lastErr as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    throw new AttachError('tracepoint', target, `cannot read the tracepoint id from tracefs`, {
      errno: code === 'EACCES' ? Errno.EACCES : Errno.EPERM,
      hint: 'run as root, and mount tracefs at /sys/kernel/tracing',
      cause: lastErr,
    });
  }
  throw new AttachError('tracepoint', target, `no such tracepoint ${target}`, {
    errno: Errno.ENOENT,
    hint: `the tracepoints are listed under ${root}/events`,
    cause: lastErr,
  });
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
