// BTF-typed tracepoints (tp_btf): the tracepoint was chosen at load time (attach_btf_id = the btf_trace_NAME
// typedef), so BPF_RAW_TRACEPOINT_OPEN is called without a name.
import { BpfCmd, RawTracepointOpenAttr, encodeAttr, sys } from '../../sys/index.js';
import { FdLink, attachFailure, programFd, type Link, type ProgramRef } from './link.js';

/** Attaches a tp_btf program (BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP); `description` names it in listings. */
export function attachTpBtf(prog: ProgramRef, description = typeof prog === 'number' ? `prog fd ${prog}` : (prog.name ?? 'tp_btf')): Link {
  const s = sys();
  let fd: number;
  try {
    fd = s.bpf(BpfCmd.RAW_TRACEPOINT_OPEN, encodeAttr(RawTracepointOpenAttr, { name: 0n, progFd: programFd(prog) }));
  } catch (e) {
    throw attachFailure('tp_btf', description, e, {
      EINVAL: { detail: 'the program was not loaded as tp_btf', hint: 'load it with expected attach type BPF_TRACE_RAW_TP and attachBtfId' },
    });
  }
  return new FdLink('tp_btf', description, [fd], s);
}
