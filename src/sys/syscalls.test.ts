import { describe, expect, it } from 'vitest';
import { sys, SysError, BpfCmd, MapType, Epoll, Prot, MapMode } from './index.js';

describe('sys', () => {
  it('creates an array map through bpf(2) and reads back what it wrote', () => {
    const attr = Buffer.alloc(72);
    attr.writeUInt32LE(MapType.ARRAY, 0);
    attr.writeUInt32LE(4, 4); // key size
    attr.writeUInt32LE(8, 8); // value size
    attr.writeUInt32LE(4, 12); // max entries
    const fd = sys().bpf(BpfCmd.MAP_CREATE, attr);
    try {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(2);
      const value = Buffer.alloc(8);
      value.writeBigUInt64LE(0x1122334455667788n);
      const elem = Buffer.alloc(32);
      elem.writeUInt32LE(fd, 0);
      elem.writeBigUInt64LE(sys().address(key), 8);
      elem.writeBigUInt64LE(sys().address(value), 16);
      sys().bpf(BpfCmd.MAP_UPDATE_ELEM, elem);
      const out = Buffer.alloc(8);
      elem.writeBigUInt64LE(sys().address(out), 16);
      sys().bpf(BpfCmd.MAP_LOOKUP_ELEM, elem);
      expect(out.readBigUInt64LE()).toBe(0x1122334455667788n);
    } finally {
      sys().close(fd);
    }
  });

  it('names the command and errno when bpf(2) fails', () => {
    const attr = Buffer.alloc(72); // map type 0 is invalid
    let caught: unknown;
    try {
      sys().bpf(BpfCmd.MAP_CREATE, attr);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SysError);
    expect((caught as SysError).op).toBe('BPF_MAP_CREATE');
    expect((caught as SysError).code).toBe('EINVAL');
  });

  it('maps anonymous memory that reads and writes in place', () => {
    const m = sys().mmap(4096, Prot.READ | Prot.WRITE, MapMode.PRIVATE | MapMode.ANONYMOUS, -1, 0);
    m.bytes[10] = 42;
    expect(m.bytes[10]).toBe(42);
    expect(m.address).toBeGreaterThan(0n);
    sys().munmap(m);
  });

  it('waits on epoll without blocking the event loop and times out empty', async () => {
    const ep = sys().epollCreate();
    try {
      const events = await sys().epollWaitAsync(ep, 4, 10);
      expect(events).toEqual([]);
      expect(Epoll.IN).toBe(1);
    } finally {
      sys().close(ep);
    }
  });

  it('gives the process id', () => {
    expect(sys().getpid()).toBe(process.pid);
  });
});
