// The shared wait loop against a scripted kernel: what it registers, when it drains, and how it ends.
import { afterEach, describe, expect, it } from 'vitest';
import { Epoll, setSys, type Sys } from '../sys/index.js';
import { EpollLoop } from './epoll-loop.js';
import { scriptedSys } from '../../test/support/kernel-testkit.js';

/** A kernel whose epoll waits return at once with no events; every epoll call is recorded. */
function fakeEpoll(): { sys: Sys; calls: string[] } {
  const calls: string[] = [];
  const sys = scriptedSys({
    epollCreate: () => {
      calls.push('create');
      return 9;
    },
    epollCtl: (epfd, op, fd, events) => {
      calls.push(`ctl ${epfd} ${op} ${fd} ${events}`);
    },
    epollWaitAsync: async (epfd, maxEvents) => {
      calls.push(`wait ${epfd} ${maxEvents}`);
      return [];
    },
    close: (fd) => {
      calls.push(`close ${fd}`);
    },
  });
  return { sys, calls };
}

describe('EpollLoop', () => {
  afterEach(() => setSys(undefined));

  it('drains before each wait and once more after stop, registering the fds once', async () => {
    const k = fakeEpoll();
    setSys(k.sys);
    const loop = new EpollLoop('test reader');
    let drains = 0;
    const drain = (): void => {
      drains++;
      if (drains === 3) void loop.stop();
    };
    await loop.start([4, 5], 10, drain);
    // Drains 1 and 2 each precede a wait; drain 3 sees the stop; drain 4 is the last one after it.
    expect(drains).toBe(4);
    expect(k.calls).toEqual(['create', `ctl 9 ${Epoll.CTL_ADD} 4 ${Epoll.IN}`, `ctl 9 ${Epoll.CTL_ADD} 5 ${Epoll.IN}`, 'wait 9 2', 'wait 9 2']);

    k.calls.length = 0;
    drains = 0;
    await loop.start([4, 5], 10, drain);
    expect(k.calls).toEqual(['wait 9 2', 'wait 9 2']);
    loop.close();
    expect(k.calls.at(-1)).toBe('close 9');
  });

  it('rejects when a drain throws, and can be started again afterwards', async () => {
    setSys(fakeEpoll().sys);
    const loop = new EpollLoop('test reader');
    await expect(
      loop.start([4], 10, () => {
        throw new Error('bad record');
      }),
    ).rejects.toThrow('bad record');
    let drains = 0;
    const done = loop.start([4], 10, () => {
      drains++;
    });
    await loop.stop();
    await done;
    // One drain before the first wait, one after the stop.
    expect(drains).toBe(2);
    loop.close();
  });

  it('refuses a second start while running', async () => {
    setSys(fakeEpoll().sys);
    const loop = new EpollLoop('test reader');
    const done = loop.start([4], 10, () => undefined);
    expect(() => loop.start([4], 10, () => undefined)).toThrow('Cannot start the test reader: it is already running');
    await loop.stop();
    await done;
    loop.close();
  });
});
