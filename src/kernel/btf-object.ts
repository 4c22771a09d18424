// A BTF blob loaded into the kernel (BPF_BTF_LOAD): programs with callback subprograms reference it for their func_info.
import { BpfCmd, sys, SysError } from '../sys/index.js';
import { BtfLoadAttr, encodeAttr, fromCString } from '../sys/bpf-attr.js';

export class BtfObject {
  readonly fd: number;
  private closed = false;

  constructor(fd: number) {
    this.fd = fd;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    sys().close(this.fd);
  }
}

const LOG_SIZE = 64 * 1024;

/** Loads raw BTF (header, types, strings); a refusal carries the kernel's BTF log as its detail. */
export function loadBtfObject(blob: Uint8Array): BtfObject {
  const attr = encodeAttr(BtfLoadAttr, { btf: sys().address(blob), btfSize: blob.byteLength });
  try {
    return new BtfObject(sys().bpf(BpfCmd.BTF_LOAD, attr));
  } catch (err) {
    if (!(err instanceof SysError)) throw err;
  }
  // Again with a log, only to say why.
  const log = new Uint8Array(LOG_SIZE);
  const withLog = encodeAttr(BtfLoadAttr, {
    btf: sys().address(blob),
    btfSize: blob.byteLength,
    btfLogBuf: sys().address(log),
    btfLogSize: log.byteLength,
    btfLogLevel: 1,
  });
  try {
    return new BtfObject(sys().bpf(BpfCmd.BTF_LOAD, withLog));
  } catch (err) {
    if (!(err instanceof SysError)) throw err;
    const reason = fromCString(log).trim().split('\n').filter(Boolean).pop();
    throw new SysError('Cannot load BTF', err.errno, err.hint, reason);
  }
}
