// Raw tracepoints: BPF_RAW_TRACEPOINT_OPEN by name; the program sees the tracepoint's raw arguments.
import { BpfCmd, RawTracepointOpenAttr, cString, encodeAttr, sys } from '../../sys/index.js';
import { FdLink, attachFailure, programFd, type Link, type ProgramRef } from './link.js';

/** Attaches a raw tracepoint program (BPF_PROG_TYPE_RAW_TRACEPOINT) to the tracepoint NAME (e.g. 'sys_enter'). */
export function attachRawTracepoint(prog: ProgramRef, name: string): Link {
  const s = sys();
  const nameBytes = cString(name);
  let fd: number;
  try {
    fd = s.bpf(BpfCmd.RAW_TRACEPOINT_OPEN, encodeAttr(RawTracepointOpenAttr, { name: s.address(nameBytes), progFd: programFd(prog) }));
  } catch (e) {
    throw attachFailure('raw_tracepoint', name, e, {
      ENOENT: { detail: `no such raw tracepoint ${name}`, hint: 'raw tracepoints are named without a category, e.g. sys_enter' },
      EINVAL: { detail: 'the program is not a raw tracepoint program', hint: 'load it as BPF_PROG_TYPE_RAW_TRACEPOINT' },
    });
  }
  return new FdLink('raw_tracepoint', name, [fd], s);
}
