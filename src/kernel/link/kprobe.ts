// kprobes and kretprobes through the kprobe PMU: perf_event_open on its dynamic type with the function name in
// config1 and the offset into it in config2; the retprobe bit is wherever the PMU's format says.
import { PerfAttrFlag, cString, sys } from '../../sys/index.js';
import { formatBits, openPerfEvent, pmuFormatField, pmuType } from '../perf-event.js';
import { AttachError, AttachUnavailableError, attachFailure, type Link, type ProgramRef } from './link.js';
import { attachToPerfEvent } from './perf-link.js';

export interface KprobeOptions {
  /** Bytes into the function (kprobe only). */
  readonly offset?: number;
  readonly retprobe?: boolean;
}

/** Attaches a kprobe program (BPF_PROG_TYPE_KPROBE) to the kernel function SYMBOL, or its return. */
export function attachKprobe(prog: ProgramRef, symbol: string, opts: KprobeOptions = {}): Link {
  const kind = opts.retprobe ? 'kretprobe' : 'kprobe';
  const offset = opts.offset ?? 0;
  const target = offset ? `${symbol}+${offset}` : symbol;
  const type = pmuType('kprobe');
  if (type === undefined) {
    throw new AttachUnavailableError('kprobes', 'CONFIG_KPROBES is not set', 'kprobes are not available on this kernel (CONFIG_KPROBES is not set)');
  }
  if (opts.retprobe && offset !== 0) throw new AttachError(kind, target, 'a kretprobe cannot have an offset');
  let config = 0n;
  if (opts.retprobe) {
    const bit = pmuFormatField('kprobe', 'retprobe');
    if (!bit) throw new AttachUnavailableError('kretprobes', 'the kprobe PMU has no retprobe format', 'kretprobes are not available on this kernel');
    config |= formatBits(bit, 1n);
  }
  const name = cString(symbol);
  let fd: number;
  try {
    fd = openPerfEvent(
      { type, config, config1: sys().address(name), config2: BigInt(offset), samplePeriod: 1n, wakeupEvents: 1, flags: PerfAttrFlag.DISABLED },
      -1,
      0,
    );
  } catch (e) {
    throw attachFailure(kind, target, e, {
      ENOENT: { detail: `no such kernel function ${symbol}`, hint: 'check /proc/kallsyms; inlined and static functions may have no symbol' },
      EINVAL: { detail: `cannot probe ${target}`, hint: 'the function may be blacklisted for kprobes or the offset is not on an instruction' },
      EADDRNOTAVAIL: { detail: `no such kernel function ${symbol}` },
      EPERM: { detail: 'permission denied', hint: 'needs root; lockdown may forbid kprobes' },
    });
  }
  return attachToPerfEvent(kind, target, prog, fd, {
    EINVAL: { detail: 'the program is not a kprobe program', hint: 'load it as BPF_PROG_TYPE_KPROBE' },
  });
}
