// The value model: what a decoded bpftrace value is, independent of how it is printed.
// The code generator's decoder fills these from wire bytes; every renderer (text, JSON,
// a live view, metric exporters) reads them. Integers are bigint so 64-bit values stay exact.

export type IntBits = 8 | 16 | 32 | 64;

export interface NoneValue {
  readonly kind: 'none';
}

export interface BoolValue {
  readonly kind: 'bool';
  readonly value: boolean;
}

export interface IntValue {
  readonly kind: 'int';
  /** Already sign- or zero-extended from `bits` according to `signed`. */
  readonly value: bigint;
  readonly signed: boolean;
  readonly bits: IntBits;
}

export interface StringValue {
  readonly kind: 'string';
  /** The text, including the truncation trailer when the source filled its buffer. */
  readonly value: string;
  /** The string type's buffer size in bytes (NUL included), when it came from one. */
  readonly size?: number;
}

export interface BufferValue {
  readonly kind: 'buffer';
  readonly bytes: Uint8Array;
}

export interface TupleValue {
  readonly kind: 'tuple';
  readonly elements: readonly Value[];
}

export interface ArrayValue {
  readonly kind: 'array';
  readonly elements: readonly Value[];
}

export interface RecordField {
  readonly name: string;
  readonly value: Value;
}

/** Structs and named tuples (records) alike: printed as `{ .a = 1 }`. */
export interface RecordValue {
  readonly kind: 'record';
  readonly fields: readonly RecordField[];
}

/**
 * A number that prints as text but is a number in JSON: enum values (`ONE`), pointers (`0x1f`),
 * histogram labels such as `4K`. (ksym/usym, ntop, macaddr, strftime and cgroup_path results
 * are plain strings in bpftrace, in JSON too: decode them to `str(...)`.)
 */
export interface SymbolValue {
  readonly kind: 'symbol';
  readonly symbol: string;
  readonly numeric: bigint;
}

export type StackMode = 'bpftrace' | 'perf' | 'raw' | 'build_id';

/**
 * A kernel or user stack. `frames[i]` holds the symbolizer's lines for `addresses[i]`
 * (more than one when inlined frames are expanded); left undefined until symbolized.
 * In build_id mode `buildIds[i]` is the 40-hex-digit build id of the file holding frame i, and `addresses[i]`
 * the file offset in it; when the kernel could not read the build id, `buildIds[i]` is undefined and
 * `addresses[i]` the instruction pointer.
 */
export interface StackValue {
  readonly kind: 'stack';
  readonly user: boolean;
  readonly mode: StackMode;
  readonly addresses: readonly bigint[];
  frames?: readonly (readonly string[])[];
  buildIds?: readonly (string | undefined)[];
}

/** A wall-clock instant in nanoseconds since the Unix epoch (tseries interval starts). */
export interface TimestampValue {
  readonly kind: 'timestamp';
  readonly epochNs: bigint;
}

export interface DurationValue {
  readonly kind: 'duration';
  readonly ns: bigint;
}

export type Value =
  | NoneValue
  | BoolValue
  | IntValue
  | StringValue
  | BufferValue
  | TupleValue
  | ArrayValue
  | RecordValue
  | SymbolValue
  | StackValue
  | TimestampValue
  | DurationValue;

export const none: NoneValue = { kind: 'none' };

export function bool(value: boolean): BoolValue {
  return { kind: 'bool', value };
}

/** Wraps `value` to `bits` the way a store of that width would. */
export function int(value: bigint | number, signed = true, bits: IntBits = 64): IntValue {
  const v = typeof value === 'number' ? BigInt(value) : value;
  return { kind: 'int', value: signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v), signed, bits };
}

export function uint(value: bigint | number, bits: IntBits = 64): IntValue {
  return int(value, false, bits);
}

export function str(value: string, size?: number): StringValue {
  return size === undefined ? { kind: 'string', value } : { kind: 'string', value, size };
}

export function buffer(bytes: Uint8Array): BufferValue {
  return { kind: 'buffer', bytes };
}

export function tuple(...elements: Value[]): TupleValue {
  return { kind: 'tuple', elements };
}

export function array(elements: readonly Value[]): ArrayValue {
  return { kind: 'array', elements };
}

export function record(fields: Readonly<Record<string, Value>> | readonly RecordField[]): RecordValue {
  if (Array.isArray(fields)) return { kind: 'record', fields: fields as readonly RecordField[] };
  return {
    kind: 'record',
    fields: Object.entries(fields as Readonly<Record<string, Value>>).map(([name, value]) => ({ name, value })),
  };
}

export function symbol(symbolText: string, numeric: bigint | number): SymbolValue {
  return { kind: 'symbol', symbol: symbolText, numeric: BigInt(numeric) };
}

/** Pointers print as lower-case hex with `0x` and stay numbers in JSON. */
export function pointer(address: bigint | number): SymbolValue {
  const a = BigInt.asUintN(64, BigInt(address));
  return symbol(`0x${a.toString(16)}`, a);
}

export function stack(
  addresses: readonly bigint[],
  options: { user?: boolean; mode?: StackMode; frames?: readonly (readonly string[])[]; buildIds?: readonly (string | undefined)[] } = {},
): StackValue {
  const v: StackValue = { kind: 'stack', user: options.user ?? false, mode: options.mode ?? 'bpftrace', addresses };
  if (options.frames) v.frames = options.frames;
  if (options.buildIds) v.buildIds = options.buildIds;
  return v;
}

export function timestamp(epochNs: bigint): TimestampValue {
  return { kind: 'timestamp', epochNs };
}

export function duration(ns: bigint): DurationValue {
  return { kind: 'duration', ns };
}

export const DEFAULT_STRING_TRUNCATION_TRAILER = '..';

/**
 * Decodes a NUL-terminated string read from a buffer of `bytes.length` (the string type's size).
 * A string with no NUL inside its buffer is taken as truncated and gets the trailer, as bpftrace does
 * (config `str_trunc_trailer`).
 */
export function decodeCString(bytes: Uint8Array, trailer: string = DEFAULT_STRING_TRUNCATION_TRAILER): StringValue {
  const nul = bytes.indexOf(0);
  const end = nul === -1 ? bytes.length : nul;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
  return str(nul === -1 && bytes.length > 0 ? text + trailer : text, bytes.length);
}

/** The address family constants of inet values (ntop). */
export const AF_INET = 2;
export const AF_INET6 = 10;

/** ntop(): the text of an IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export function formatInetAddress(family: number, bytes: Uint8Array): string {
  if (family === AF_INET) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (family !== AF_INET6) return '';
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // IPv4-mapped addresses keep the dotted tail, as inet_ntop prints them.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  if (groups.slice(0, 6).every((g) => g === 0) && groups[6] !== 0) {
    return `::${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  // The longest run of two or more zero groups becomes `::` (RFC 5952, as glibc does).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/**
 * macaddr(): six bytes as upper-case, colon-separated hex. bpftrace master passes the bytes as signed chars,
 * which garbles bytes of 0x80 and above (sign-extended, then cut to 17 characters); we print plain bytes as
 * bpftrace 0.17 and earlier did, since the garbled form is a regression nobody relies on.
 */
export function formatMacAddress(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 6), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}
