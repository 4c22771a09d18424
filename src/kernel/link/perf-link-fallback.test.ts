// In a file of its own: which way perf events are attached is decided once per process.
import { afterEach, describe, expect, it } from 'vitest';
import { BpfCmd, Errno, PerfIoctl, setSys } from '../../sys/index.js';
import { closeAllLinks } from './link.js';
import { attachToPerfEvent } from './perf-link.js';
import { fakeKernel } from '../../../test/support/kernel-testkit.js';

describe('attachToPerfEvent on a kernel without perf-event links', () => {
  afterEach(() => {
    closeAllLinks();
    setSys(undefined);
  });

  it('falls back to PERF_EVENT_IOC_SET_BPF and remembers it', () => {
    const k = fakeKernel(Errno.EINVAL);
    setSys(k.sys);
    const link = attachToPerfEvent('tracepoint', 'a:b', 7, 52);
    expect(k.calls).toEqual([
      `bpf ${BpfCmd.LINK_CREATE}`,
      `ioctl 52 0x${PerfIoctl.SET_BPF.toString(16)} 7`,
      `ioctl 52 0x${PerfIoctl.ENABLE.toString(16)} 0`,
    ]);
    link.close();
    expect(k.calls.at(-1)).toBe('close 52');
    attachToPerfEvent('tracepoint', 'a:b', 7, 53);
    expect(k.calls.filter((c) => c === `bpf ${BpfCmd.LINK_CREATE}`)).toHaveLength(1);
  });
});
