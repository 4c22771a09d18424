import { afterEach, describe, expect, it } from 'vitest';
import { BpfCmd, Errno, PerfIoctl, setSys } from '../../sys/index.js';
import { AttachError, closeAllLinks, openLinkCount } from './link.js';
import { attachToPerfEvent } from './perf-link.js';
import { fakeKernel } from '../../../test/support/kernel-testkit.js';

describe('attachToPerfEvent', () => {
  afterEach(() => {
    closeAllLinks();
    setSys(undefined);
  });

  it('attaches through a BPF link, enables the event, and closes the link before the event', () => {
    const k = fakeKernel('ok');
    setSys(k.sys);
    const link = attachToPerfEvent('tracepoint', 'a:b', 7, 50);
    expect(k.calls).toEqual([`bpf ${BpfCmd.LINK_CREATE}`, `ioctl 50 0x${PerfIoctl.ENABLE.toString(16)} 0`]);
    expect(openLinkCount()).toBe(1);
    link.close();
    link.close();
    expect(k.calls.slice(2)).toEqual(['close 100', 'close 50']);
    expect(openLinkCount()).toBe(0);
  });

  it('closes the perf event and names the probe when the kernel refuses', () => {
    const k = fakeKernel(Errno.EPERM);
    setSys(k.sys);
    expect(() => attachToPerfEvent('uprobe', '/bin/x:f', 7, 51)).toThrow(AttachError);
    expect(k.calls).toEqual([`bpf ${BpfCmd.LINK_CREATE}`, 'close 51']);
    expect(openLinkCount()).toBe(0);
  });
});
