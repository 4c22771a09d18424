// The wait loop both buffer readers run: deliver what is there, then sleep in epoll_wait on one of koffi's worker
// threads (so Node's event loop stays free), until stop().
import { Epoll, sys } from '../sys/index.js';

export class EpollLoop {
  private epfd = -1;
  private running = false;
  private loop: Promise<void> | undefined;

  /** `what` names the reader in errors, e.g. "ring buffer reader". */
  constructor(private readonly what: string) {}

  /**
   * Calls `drain` now and after every wake-up on `fds` (or every `waitMs`), and once more after stop() so that what
   * was committed meanwhile is still delivered. Settles when the loop ends: resolved after stop(), rejected if
   * `drain` throws. The fds are registered on the first start; a reader passes the same ones every time.
   */
  start(fds: readonly number[], waitMs: number, drain: () => void): Promise<void> {
    if (this.running) throw new Error(`Cannot start the ${this.what}: it is already running`);
    const s = sys();
    if (this.epfd < 0) {
      this.epfd = s.epollCreate();
      for (const fd of fds) s.epollCtl(this.epfd, Epoll.CTL_ADD, fd, Epoll.IN);
    }
    const epfd = this.epfd;
    const maxEvents = Math.max(1, fds.length);
    this.running = true;
    this.loop = (async () => {
      try {
        while (this.running) {
          drain();
          if (!this.running) break;
          await s.epollWaitAsync(epfd, maxEvents, waitMs);
        }
        drain();
      } finally {
        this.running = false;
      }
    })();
    return this.loop;
  }

  /** Ends the loop after its last drain; never rejects (start()'s promise carries the loop's error). */
  async stop(): Promise<void> {
    this.running = false;
    const loop = this.loop;
    this.loop = undefined;
    if (loop) await loop.catch(() => undefined);
  }

  /** Closes the epoll fd. Call stop() first. */
  close(): void {
    this.running = false;
    if (this.epfd >= 0) sys().close(this.epfd);
    this.epfd = -1;
  }
}
