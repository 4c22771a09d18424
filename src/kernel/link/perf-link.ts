// Attaching a program to an open perf event, shared by tracepoints, kprobes, uprobes and sampling events.
//
// BPF_LINK_CREATE (attach type BPF_PERF_EVENT, kernels since 5.15) is preferred over ioctl(PERF_EVENT_IOC_SET_BPF):
// the program then hangs off a BPF link whose close detaches it at once, the link shows up in `bpftool link`, and
// it can carry a bpf_cookie. Older kernels answer EINVAL (unknown attach type); then the ioctl is used, and closing
// the perf event fd is what detaches.
import { AttachType, BpfCmd, Errno, LinkCreateAttr, PerfIoctl, SysError, encodeAttr, sys } from '../../sys/index.js';
import { FdLink, attachFailure, programFd, type ErrnoMeanings, type Link, type ProgramRef } from './link.js';

let linkCreateWorks: boolean | undefined;

/**
 * Attaches `prog` to the perf event `perfFd` and enables it. Takes ownership of `perfFd`: it is closed with the
 * link, or at once when attaching fails.
 */
export function attachToPerfEvent(
  kind: string,
  target: string,
  prog: ProgramRef,
  perfFd: number,
  meanings: ErrnoMeanings = {},
  cookie = 0n,
): Link {
  const s = sys();
  const fds: number[] = [];
  let fellBack = false;
  try {
    if (linkCreateWorks !== false) {
      try {
        const attr = encodeAttr(LinkCreateAttr, {
          progFd: programFd(prog),
          targetFd: perfFd,
          attachType: AttachType.PERF_EVENT,
          perfEventBpfCookie: cookie,
        });
        fds.push(s.bpf(BpfCmd.LINK_CREATE, attr));
        linkCreateWorks = true;
      } catch (e) {
        // A kernel that has never made a BPF_PERF_EVENT link may be too old for them: try the ioctl.
        if (!(e instanceof SysError) || e.errno !== Errno.EINVAL || linkCreateWorks === true) throw e;
        fellBack = true;
      }
    }
    if (fds.length === 0) {
      s.ioctl(perfFd, PerfIoctl.SET_BPF, programFd(prog));
      // The ioctl took the program the link refused, so the refusal was the kernel's age, not the program.
      if (fellBack) linkCreateWorks = false;
    }
    s.ioctl(perfFd, PerfIoctl.ENABLE, 0);
  } catch (e) {
    for (const fd of fds) s.close(fd);
    s.close(perfFd);
    throw attachFailure(kind, target, e, meanings);
  }
  // The BPF link first, so the program is detached before the event goes away.
  return new FdLink(kind, target, [...fds, perfFd], s);
}
