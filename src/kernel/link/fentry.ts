// fentry/fexit: tracing programs bound at load time to a kernel function by its BTF id (attachBtfId) and attach
// type (BPF_TRACE_FENTRY or BPF_TRACE_FEXIT). BPF_RAW_TRACEPOINT_OPEN without a name builds the trampoline and
// returns a link; it works on every kernel with fentry (5.5+), where BPF_LINK_CREATE for tracing came later.
import { BpfCmd, RawTracepointOpenAttr, encodeAttr, sys } from '../../sys/index.js';
import { FdLink, attachFailure, programFd, type Link, type ProgramRef } from './link.js';

function attachTracing(kind: 'fentry' | 'fexit', prog: ProgramRef, description: string): Link {
  const s = sys();
  let fd: number;
  try {
    fd = s.bpf(BpfCmd.RAW_TRACEPOINT_OPEN, encodeAttr(RawTracepointOpenAttr, { name: 0n, progFd: programFd(prog) }));
  } catch (e) {
    throw attachFailure(kind, description, e, {
      EINVAL: { detail: `the program was not loaded as ${kind}`, hint: `load it with expected attach type BPF_TRACE_${kind.toUpperCase()} and attachBtfId` },
      EPERM: { detail: 'the kernel refused the trampoline', hint: 'needs root; lockdown or a security module may forbid it' },
      EBUSY: { detail: 'too many programs on this function' },
    });
  }
  return new FdLink(kind, description, [fd], s);
}

function describe(prog: ProgramRef, kind: string): string {
  return typeof prog === 'number' ? `prog fd ${prog}` : (prog.name ?? kind);
}

/** Attaches an fentry program (loaded with BPF_TRACE_FENTRY and the function's BTF id). */
export function attachFentry(prog: ProgramRef, description = describe(prog, 'fentry')): Link {
  return attachTracing('fentry', prog, description);
}

/** Attaches an fexit program (loaded with BPF_TRACE_FEXIT and the function's BTF id). */
export function attachFexit(prog: ProgramRef, description = describe(prog, 'fexit')): Link {
  return attachTracing('fexit', prog, description);
}
