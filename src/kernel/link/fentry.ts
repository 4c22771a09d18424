// fentry/fexit: tracing programs bound at load time to a kernel function by its BTF id; BPF_LINK_CREATE attaches
// them (the trampoline is built then), and the attach type must match the one the program was loaded with.
import { AttachType, BpfCmd, LinkCreateAttr, encodeAttr, sys } from '../../sys/index.js';
import { FdLink, attachFailure, programFd, type Link, type ProgramRef } from './link.js';

function attachTracing(kind: 'fentry' | 'fexit', attachType: number, prog: ProgramRef, description: string): Link {
  const s = sys();
  let fd: number;
  try {
    fd = s.bpf(BpfCmd.LINK_CREATE, encodeAttr(LinkCreateAttr, { progFd: programFd(prog), targetFd: 0, attachType }));
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
  return attachTracing('fentry', AttachType.TRACE_FENTRY, prog, description);
}

/** Attaches an fexit program (loaded with BPF_TRACE_FEXIT and the function's BTF id). */
export function attachFexit(prog: ProgramRef, description = describe(prog, 'fexit')): Link {
  return attachTracing('fexit', AttachType.TRACE_FEXIT, prog, description);
}
