// perf_event_attr and perf_event_open(2): the shared base of tracepoint, kprobe, uprobe and sampling attachments,
// plus the sysfs facts they need (dynamic PMU types and their format bits).
import { readFileSync } from 'node:fs';
import { PERF_FLAG_FD_CLOEXEC, PerfAttrFlag, sys } from '../sys/index.js';

/** PERF_ATTR_SIZE_VER7: every field bpfkit sets lies below it, and kernels since 5.13 know all of it. */
export const PERF_ATTR_SIZE = 128;

export interface PerfEventAttr {
  readonly type: number;
  readonly config?: bigint;
  /** Sample every `samplePeriod` events; exclusive with `sampleFreq`. */
  readonly samplePeriod?: bigint;
  /** Sample this many times a second (sets the freq flag). */
  readonly sampleFreq?: bigint;
  readonly sampleType?: number;
  /** Bits of PerfAttrFlag (disabled, inherit, ...). */
  readonly flags?: bigint;
  /** Wake a reader after this many samples. */
  readonly wakeupEvents?: number;
  /** kprobe_func / uprobe_path / bp_addr: an address the kernel reads at open time. */
  readonly config1?: bigint;
  /** kprobe_addr / probe_offset / bp_len. */
  readonly config2?: bigint;
}

/** Encodes struct perf_event_attr (linux/perf_event.h, little-endian x86_64 layout). */
export function encodePerfEventAttr(a: PerfEventAttr): Uint8Array {
  const out = new Uint8Array(PERF_ATTR_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, a.type, true);
  v.setUint32(4, PERF_ATTR_SIZE, true);
  v.setBigUint64(8, a.config ?? 0n, true);
  let flags = a.flags ?? 0n;
  if (a.sampleFreq !== undefined) {
    v.setBigUint64(16, a.sampleFreq, true);
    flags |= PerfAttrFlag.FREQ;
  } else {
    v.setBigUint64(16, a.samplePeriod ?? 0n, true);
  }
  v.setBigUint64(24, BigInt(a.sampleType ?? 0), true);
  v.setBigUint64(40, flags, true);
  v.setUint32(48, a.wakeupEvents ?? 0, true);
  v.setBigUint64(56, a.config1 ?? 0n, true);
  v.setBigUint64(64, a.config2 ?? 0n, true);
  return out;
}

/**
 * Opens a perf event (close-on-exec). pid -1 with a cpu watches every task on that CPU; a pid with cpu -1 follows
 * the task on every CPU. Failures throw SysError('perf_event_open', ...); callers add the probe's name.
 */
export function openPerfEvent(attr: PerfEventAttr, pid: number, cpu: number, groupFd = -1): number {
  return sys().perfEventOpen(encodePerfEventAttr(attr), pid, cpu, groupFd, PERF_FLAG_FD_CLOEXEC);
}

const PMU_ROOT = '/sys/bus/event_source/devices';

/** The type number of a dynamic PMU (kprobe, uprobe, ...), or undefined when the kernel has none by that name. */
export function pmuType(pmu: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(`${PMU_ROOT}/${pmu}/type`, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
}

/** Where a PMU format field lives: which config word and which bits ("config:32-63", "config:0"). */
export interface PmuFormatField {
  readonly word: 'config' | 'config1' | 'config2';
  readonly lowBit: number;
  readonly highBit: number;
}

/** Reads `.../PMU/format/FIELD`; undefined when the kernel does not offer the field (e.g. an old uprobe PMU). */
export function pmuFormatField(pmu: string, field: string): PmuFormatField | undefined {
  let text: string;
  try {
    text = readFileSync(`${PMU_ROOT}/${pmu}/format/${field}`, 'utf8').trim();
  } catch {
    return undefined;
  }
  const m = /^(config[12]?):(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const lowBit = Number(m[2]);
  return { word: m[1] as PmuFormatField['word'], lowBit, highBit: m[3] === undefined ? lowBit : Number(m[3]) };
}

/** Places `value` into the bits a format field names; throws a RangeError if it does not fit. */
export function formatBits(field: PmuFormatField, value: bigint): bigint {
  const width = BigInt(field.highBit - field.lowBit + 1);
  if (value < 0n || value >= 1n << width) throw new RangeError(`Value ${value} does not fit in ${width} bits of ${field.word}`);
  return value << BigInt(field.lowBit);
}
