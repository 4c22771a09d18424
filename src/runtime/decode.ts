// Wire bytes to values: every ring-buffer record field and every map key and value is decoded here, by the
// SizedType the compiler gave it (the layouts are the compiler's: see structLayout and eventLayout in src/lang).
import { structLayout, type EnumInfo, type IntType, type SizedType } from '../lang/types.js';
import {
  array,
  bool,
  buffer,
  decodeCString,
  formatInetAddress,
  formatMacAddress,
  int,
  none,
  pointer,
  record,
  stack,
  str,
  symbol,
  tuple,
  type Value,
} from './value/index.js';
import { formatStrftime, strerror } from './output/index.js';

/**
 * One frame of a build_id stack (struct bpf_stack_build_id): the build id in hex and the file offset when the
 * kernel found it (status BPF_STACK_BUILD_ID_VALID), else no build id and the instruction pointer.
 */
export interface BuildIdFrame {
  readonly buildId: string | undefined;
  readonly address: bigint;
}

/** What decoding needs from the running session: symbols, stacks, clocks. Every member has a safe default. */
export interface DecodeContext {
  /** config str_trunc_trailer */
  readonly truncationTrailer?: string;
  /** `name` of a kernel address for ksym(); undefined leaves it as hex. */
  kernelSymbol?(address: bigint, withOffset: boolean): string | undefined;
  /** `name` of a user address in pid for usym(). */
  userSymbol?(address: bigint, pid: number, withOffset: boolean): string | undefined;
  /** The addresses of a stack id in the stack map for this stack type (innermost first). */
  stackAddresses?(type: Extract<SizedType, { kind: 'stack' }>, id: number): bigint[];
  /** The frames of a build_id stack id (innermost first); see BuildIdFrame. */
  stackBuildIds?(type: Extract<SizedType, { kind: 'stack' }>, id: number): BuildIdFrame[];
  /** Symbol lines for one stack frame (one per inlined frame); perf mode adds the module to user frames. */
  stackFrame?(address: bigint, user: boolean, pid: number, perf: boolean): string[];
  /** Nanoseconds to add to a timestamp in this clock to get nanoseconds since the Unix epoch. */
  epochOffsetNs?(mode: 'boot' | 'monotonic' | 'tai' | 'sw_tai'): bigint;
  /** cgroup path of a cgroup id. */
  cgroupPath?(id: bigint): string;
  /** User name of a uid. */
  userName?(uid: number): string;
  readonly maxStrlen?: number;
}

/** Reads little-endian integers of any width from a byte view. */
function readUint(bytes: Uint8Array, offset: number, size: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size);
  switch (size) {
    case 1:
      return BigInt(view.getUint8(0));
    case 2:
      return BigInt(view.getUint16(0, true));
    case 4:
      return BigInt(view.getUint32(0, true));
    default:
      return view.getBigUint64(0, true);
  }
}

export function readU64(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigUint64(0, true);
}

export function readI64(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigInt64(0, true);
}

/** The value of type `t` stored at `offset` in `bytes`. */
export function decodeValue(t: SizedType, bytes: Uint8Array, offset: number, ctx: DecodeContext = {}): Value {
  switch (t.kind) {
    case 'int': {
      const raw = readUint(bytes, offset, t.bits / 8);
      if (t.enumType) return enumValue(t.enumType, t.signed ? BigInt.asIntN(t.bits, raw) : raw, t.signed, t.bits);
      return int(raw, t.signed, t.bits);
    }
    case 'bool':
      return bool(bytes[offset] !== 0);
    case 'string':
      return decodeCString(bytes.subarray(offset, offset + t.size), ctx.truncationTrailer);
    case 'buffer': {
      const len = Math.min(Number(readUint(bytes, offset, 4)), t.size);
      return buffer(bytes.slice(offset + 4, offset + 4 + len));
    }
    case 'tuple': {
      const layout = structLayout(t.elements);
      return tuple(...t.elements.map((e, i) => decodeValue(e, bytes, offset + layout.offsets[i]!, ctx)));
    }
    case 'record': {
      const layout = structLayout(t.fields.map((f) => f.type));
      return record(t.fields.map((f, i) => ({ name: f.name, value: decodeValue(f.type, bytes, offset + layout.offsets[i]!, ctx) })));
    }
    case 'array': {
      const size = structLayout([t.element]).size;
      const out: Value[] = [];
      for (let i = 0; i < t.length; i++) out.push(decodeValue(t.element, bytes, offset + i * size, ctx));
      return array(out);
    }
    case 'pointer':
      return pointer(readU64(bytes, offset));
    case 'stack':
      return decodeStack(t, bytes, offset, ctx);
    case 'ksym': {
      const addr = readU64(bytes, offset);
      return str(ctx.kernelSymbol?.(addr, false) ?? `0x${addr.toString(16)}`);
    }
    case 'usym': {
      const addr = readU64(bytes, offset);
      const pid = Number(readU64(bytes, offset + 8));
      return str(ctx.userSymbol?.(addr, pid, false) ?? `0x${addr.toString(16)}`);
    }
    case 'macaddr':
      return str(formatMacAddress(bytes.subarray(offset, offset + 6)));
    case 'inet': {
      const family = Number(readU64(bytes, offset));
      return str(formatInetAddress(family, bytes.subarray(offset + 8, offset + 24)));
    }
    case 'timestamp': {
      const ns = readU64(bytes, offset);
      const epoch = ns + (ctx.epochOffsetNs?.(t.mode) ?? 0n);
      return str(formatStrftime(t.format, epoch, { maxLength: ctx.maxStrlen ?? 1024 }));
    }
    case 'timestamp_ns':
      return int(readU64(bytes, offset), false);
    case 'strerror':
      return str(strerror(Number(readU64(bytes, offset))));
    case 'signal_name':
      return str(signalName(readI64(bytes, offset)));
    case 'username': {
      const uid = Number(readU64(bytes, offset));
      return str(ctx.userName?.(uid) ?? String(uid));
    }
    case 'cgroup_path': {
      const id = readU64(bytes, offset);
      return str(ctx.cgroupPath?.(id) ?? '');
    }
    case 'none':
    case 'void':
      return none;
    default:
      // Aggregations are read from maps by map-reader.ts, never from records.
      return none;
  }
}

// strsignal()'s texts (glibc) for signal_name().
const SIGNAL_TEXTS = [
  'Hangup', 'Interrupt', 'Quit', 'Illegal instruction', 'Trace/breakpoint trap', 'Aborted', 'Bus error',
  'Floating point exception', 'Killed', 'User defined signal 1', 'Segmentation fault', 'User defined signal 2',
  'Broken pipe', 'Alarm clock', 'Terminated', 'Stack fault', 'Child exited', 'Continued', 'Stopped (signal)', 'Stopped',
  'Stopped (tty input)', 'Stopped (tty output)', 'Urgent I/O condition', 'CPU time limit exceeded',
  'File size limit exceeded', 'Virtual timer expired', 'Profiling timer expired', 'Window changed', 'I/O possible',
  'Power failure', 'Bad system call',
];

/** A signal number's name as bpftrace's signal_name() gives it; N/A past the real-time signals. */
function signalName(n: bigint): string {
  if (n < 0n || n > 64n) return 'N/A';
  const i = Number(n);
  if (i >= 1 && i <= SIGNAL_TEXTS.length) return SIGNAL_TEXTS[i - 1]!;
  if (i >= 34) return `Real-time signal ${i - 34}`;
  return `Unknown signal ${i}`;
}

/** An enum value prints as its enumerator's name (%d still gives the number); other values as numbers. */
function enumValue(e: EnumInfo, value: bigint, signed: boolean, bits: IntType['bits']): Value {
  const text = value.toString();
  const hit = e.enumerators.find((x) => x.value === text);
  return hit ? symbol(hit.name, value) : int(value, signed, bits);
}

function decodeStack(t: Extract<SizedType, { kind: 'stack' }>, bytes: Uint8Array, offset: number, ctx: DecodeContext): Value {
  const id = readI64(bytes, offset);
  const pid = t.user ? Number(readU64(bytes, offset + 8)) : 0;
  // A negative id means bpf_get_stackid failed: the stack prints empty.
  if (t.mode === 'build_id') {
    const entries = id < 0n ? [] : (ctx.stackBuildIds?.(t, Number(id)) ?? []);
    return stack(entries.map((e) => e.address), { user: t.user, mode: t.mode, buildIds: entries.map((e) => e.buildId) });
  }
  const addresses = id < 0n ? [] : (ctx.stackAddresses?.(t, Number(id)) ?? []);
  const frames = t.mode === 'raw' ? undefined : addresses.map((a) => ctx.stackFrame?.(a, t.user, pid, t.mode === 'perf') ?? [a.toString(16)]);
  return stack(addresses, { user: t.user, mode: t.mode, ...(frames ? { frames } : {}) });
}

/** The bytes of an integer key or value as the kernel stores it. */
export function encodeUint(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
