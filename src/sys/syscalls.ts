// The FFI seam: every system call bpfkit makes goes through the one `Sys` object here (koffi, no native build).
import koffi from 'koffi';
import { defaultHint, SysError } from './error.js';
import { Errno } from './errno.js';
import { bpfCmdName, SYS_bpf, SYS_perf_event_open } from './uapi.js';

/** A region of memory mapped with mmap(2); `bytes` reads and writes it in place. */
export interface Mapping {
  readonly address: bigint;
  readonly length: number;
  readonly bytes: Uint8Array;
  /** koffi's handle, given back to munmap. */
  readonly handle: unknown;
}

export interface EpollEvent {
  readonly events: number;
  /** The user data registered with the fd (bpfkit registers the fd itself). */
  readonly data: number;
}

/**
 * Every system call bpfkit makes. Each returns the kernel's result or throws a SysError naming the call.
 * Tests may replace the implementation with `setSys` to script the kernel's replies.
 */
export interface Sys {
  bpf(cmd: number, attr: Uint8Array): number;
  perfEventOpen(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): number;
  ioctl(fd: number, request: number, arg: number): number;
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): Mapping;
  munmap(mapping: Mapping): void;
  close(fd: number): void;
  epollCreate(): number;
  epollCtl(epfd: number, op: number, fd: number, events: number): void;
  /** Blocks the calling thread; timeout in ms (-1 forever). */
  epollWait(epfd: number, maxEvents: number, timeoutMs: number): EpollEvent[];
  /** Waits on one of koffi's worker threads, leaving Node's event loop free. */
  epollWaitAsync(epfd: number, maxEvents: number, timeoutMs: number): Promise<EpollEvent[]>;
  /** The address of a buffer's first byte, to place in attribute structs (keep the buffer alive). */
  address(buf: Uint8Array): bigint;
  getpid(): number;
}

const EPOLL_EVENT_SIZE = 12; // struct epoll_event is packed on x86_64: u32 events, u64 data

class KoffiSys implements Sys {
  private readonly syscall3;
  private readonly syscall5;
  private readonly ioctlFn;
  private readonly mmapFn;
  private readonly munmapFn;
  private readonly closeFn;
  private readonly epollCreateFn;
  private readonly epollCtlFn;
  private readonly epollWaitFn;
  private readonly getpidFn;

  constructor() {
    const libc = koffi.load('libc.so.6');
    this.syscall3 = libc.func('long syscall(long nr, long a, void *b, long c)');
    this.syscall5 = libc.func('long syscall(long nr, void *a, long b, long c, long d, long e)');
    this.ioctlFn = libc.func('int ioctl(int fd, unsigned long req, unsigned long arg)');
    this.mmapFn = libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)');
    this.munmapFn = libc.func('int munmap(void *addr, size_t len)');
    this.closeFn = libc.func('int close(int fd)');
    this.epollCreateFn = libc.func('int epoll_create1(int flags)');
    this.epollCtlFn = libc.func('int epoll_ctl(int epfd, int op, int fd, void *event)');
    this.epollWaitFn = libc.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)');
    this.getpidFn = libc.func('int getpid()');
  }

  private fail(op: string, detail?: string): never {
    const errno = koffi.errno();
    throw new SysError(op, errno, defaultHint(errno), detail);
  }

  bpf(cmd: number, attr: Uint8Array): number {
    const r = Number(this.syscall3(SYS_bpf, cmd, attr, attr.byteLength));
    if (r < 0) this.fail(bpfCmdName(cmd));
    return r;
  }

  perfEventOpen(attr: Uint8Array, pid: number, cpu: number, groupFd: number, flags: number): number {
    const r = Number(this.syscall5(SYS_perf_event_open, attr, pid, cpu, groupFd, flags));
    if (r < 0) this.fail('perf_event_open');
    return r;
  }

  ioctl(fd: number, request: number, arg: number): number {
    const r = this.ioctlFn(fd, request, arg) as number;
    if (r < 0) this.fail(`ioctl(0x${request.toString(16)})`);
    return r;
  }

  mmap(length: number, prot: number, flags: number, fd: number, offset: number): Mapping {
    const handle = this.mmapFn(null, length, prot, flags, fd, offset);
    const address = handle === null ? 0n : koffi.address(handle);
    if (address === 0n || address === 0xffffffffffffffffn) this.fail('mmap');
    const bytes = new Uint8Array(koffi.view(handle, length));
    return { address, length, bytes, handle };
  }

  munmap(mapping: Mapping): void {
    if ((this.munmapFn(mapping.handle, mapping.length) as number) < 0) this.fail('munmap');
  }

  close(fd: number): void {
    if ((this.closeFn(fd) as number) < 0) this.fail('close');
  }

  epollCreate(): number {
    const r = this.epollCreateFn(0o2000000) as number;
    if (r < 0) this.fail('epoll_create1');
    return r;
  }

  epollCtl(epfd: number, op: number, fd: number, events: number): void {
    const ev = Buffer.alloc(EPOLL_EVENT_SIZE);
    ev.writeUInt32LE(events >>> 0, 0);
    ev.writeUInt32LE(fd, 4);
    if ((this.epollCtlFn(epfd, op, fd, ev) as number) < 0) this.fail('epoll_ctl');
  }

  epollWait(epfd: number, maxEvents: number, timeoutMs: number): EpollEvent[] {
    const buf = Buffer.alloc(EPOLL_EVENT_SIZE * maxEvents);
    for (;;) {
      const r = this.epollWaitFn(epfd, buf, maxEvents, timeoutMs) as number;
      if (r >= 0) return decodeEpoll(buf, r);
      if (koffi.errno() !== Errno.EINTR) this.fail('epoll_wait');
    }
  }

  epollWaitAsync(epfd: number, maxEvents: number, timeoutMs: number): Promise<EpollEvent[]> {
    const buf = Buffer.alloc(EPOLL_EVENT_SIZE * maxEvents);
    return new Promise((resolve, reject) => {
      this.epollWaitFn.async(epfd, buf, maxEvents, timeoutMs, (err: unknown, r: number) => {
        if (err) reject(err);
        // errno is per thread and the worker's is not visible here; an interrupted wait is just an empty one.
        else resolve(r < 0 ? [] : decodeEpoll(buf, r));
      });
    });
  }

  address(buf: Uint8Array): bigint {
    return koffi.address(buf);
  }

  getpid(): number {
    return this.getpidFn() as number;
  }
}

function decodeEpoll(buf: Buffer, n: number): EpollEvent[] {
  const out: EpollEvent[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ events: buf.readUInt32LE(i * EPOLL_EVENT_SIZE), data: buf.readUInt32LE(i * EPOLL_EVENT_SIZE + 4) });
  }
  return out;
}

let current: Sys | undefined;

/** The process's system-call implementation, created on first use so that importing bpfkit loads no libc. */
export function sys(): Sys {
  current ??= new KoffiSys();
  return current;
}

/** Replaces the implementation (tests script the kernel with a fake); returns the previous one. */
export function setSys(next: Sys | undefined): Sys | undefined {
  const prev = current;
  current = next;
  return prev;
}
