// BPF iterators (iter:task, iter:task_file, ...): a tracing program loaded with expected attach type
// BPF_TRACE_ITER and attach_btf_id = the `bpf_iter_<name>` function, linked with BPF_LINK_CREATE. Nothing runs
// until someone reads an iterator made from the link (BPF_ITER_CREATE): each read() runs the program over the
// next objects (tasks, files, ...) and returns what it wrote with bpf_seq_printf/bpf_seq_write; 0 means done.
import { readSync } from 'node:fs';
import { AttachType, BpfCmd, LinkCreateAttr, encodeAttr, sys } from '../../sys/index.js';
import { AttachError, FdLink, attachFailure, programFd, type ProgramRef } from './link.js';

// union bpf_attr for BPF_ITER_CREATE: { __u32 link_fd; __u32 flags; } (sys has no layout for it).
const ITER_CREATE_ATTR_SIZE = 8;
const READ_CHUNK = 64 * 1024;

/** An attached iterator program; `run` iterates once, so it can be read again for a fresh pass. */
export class IterLink extends FdLink {
  readonly #linkFd: number;

  constructor(description: string, linkFd: number) {
    super('iter', description, [linkFd], sys());
    this.#linkFd = linkFd;
  }

  /**
   * Runs the program over every object of the iterator (one pass), handing each chunk of its seq output to
   * `onData` (the view is valid only during the call). Returns the number of bytes the program wrote.
   */
  run(onData: (chunk: Uint8Array) => void = () => undefined): number {
    const s = sys();
    const attr = new Uint8Array(ITER_CREATE_ATTR_SIZE);
    new DataView(attr.buffer).setUint32(0, this.#linkFd, true);
    let fd: number;
    try {
      fd = s.bpf(BpfCmd.ITER_CREATE, attr);
    } catch (e) {
      throw attachFailure('iter', this.description, e);
    }
    const buf = Buffer.alloc(READ_CHUNK);
    let total = 0;
    try {
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          // A signal may interrupt the read between objects; the iterator resumes where it stopped.
          if ((e as NodeJS.ErrnoException).code === 'EINTR' || (e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
          throw new AttachError('iter', this.description, `reading the iterator failed: ${(e as Error).message}`, { cause: e });
        }
        if (n === 0) break;
        total += n;
        onData(buf.subarray(0, n));
      }
    } finally {
      s.close(fd);
    }
    return total;
  }
}

/** Links an iterator program (loaded with BPF_TRACE_ITER on `bpf_iter_<name>`); nothing runs until `run`. */
export function attachIter(prog: ProgramRef, name: string): IterLink {
  const target = `bpf_iter_${name}`;
  let fd: number;
  try {
    fd = sys().bpf(BpfCmd.LINK_CREATE, encodeAttr(LinkCreateAttr, { progFd: programFd(prog), targetFd: 0, attachType: AttachType.TRACE_ITER }));
  } catch (e) {
    throw attachFailure('iter', target, e, {
      EINVAL: { detail: 'the program was not loaded as an iterator', hint: `load it with expected attach type BPF_TRACE_ITER and the BTF id of ${target}` },
      EPERM: { detail: 'the kernel refused the iterator', hint: 'needs root; lockdown or a security module may forbid it' },
    });
  }
  return new IterLink(target, fd);
}
