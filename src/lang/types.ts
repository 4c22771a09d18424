// The type model of the language (bpftrace's "SizedType"): every value a script computes, stores in a map
// or sends to user space has one of these types. It is plain data so that the artifact can carry it to the
// runtime, which decodes wire bytes by it.

export type IntBits = 8 | 16 | 32 | 64;
// build_id: (build id, file offset) pairs from a BPF_F_STACK_BUILD_ID stack map, user stacks only.
export type StackMode = 'bpftrace' | 'perf' | 'raw' | 'build_id';
export type TimestampMode = 'boot' | 'monotonic' | 'tai' | 'sw_tai';

export interface IntType {
  readonly kind: 'int';
  readonly bits: IntBits;
  readonly signed: boolean;
  /** Set for a value of an enum type (an enumerator, a cast to the enum): printed by its enumerator's name. */
  readonly enumType?: EnumInfo;
}
/** An enum's name and enumerators (values as decimal strings, so the artifact stays plain JSON-able data). */
export interface EnumInfo {
  /** `enum Foo`, or undefined for an anonymous enum. */
  readonly name: string | undefined;
  readonly enumerators: readonly { readonly name: string; readonly value: string }[];
}
export interface BoolType {
  readonly kind: 'bool';
}
/** A NUL-terminated string stored in a fixed buffer of `size` bytes (size includes the NUL). */
export interface StringType {
  readonly kind: 'string';
  readonly size: number;
}
/** buf(): a u32 length followed by `size` bytes of data. */
export interface BufferType {
  readonly kind: 'buffer';
  readonly size: number;
}
export interface TupleType {
  readonly kind: 'tuple';
  readonly elements: readonly SizedType[];
}
export interface RecordFieldType {
  readonly name: string;
  readonly type: SizedType;
}
/** A named tuple `(a = 1, b = "x")` or a C struct copied into the program (name set). */
export interface RecordType {
  readonly kind: 'record';
  readonly name: string | undefined;
  readonly fields: readonly RecordFieldType[];
}
/** A kernel C struct or union known by its BTF id; its fields are looked up in BTF when accessed. */
export interface CStructType {
  readonly kind: 'cstruct';
  /** `struct task_struct` */
  readonly name: string;
  readonly btfId: number;
  readonly size: number;
  /** Alignment when known (structs the script declares); kernel structs are taken as 8-aligned. */
  readonly align?: number;
}
export interface PointerType {
  readonly kind: 'pointer';
  readonly pointee: SizedType;
  readonly userSpace: boolean;
}
export interface ArrayType {
  readonly kind: 'array';
  readonly element: SizedType;
  readonly length: number;
}
/** kstack/ustack: an id into a stack-trace map (with the pid for user stacks on the wire). */
export interface StackType {
  readonly kind: 'stack';
  readonly user: boolean;
  readonly mode: StackMode;
  readonly depth: number;
}
/** ksym()/usym(): an address the runtime symbolizes (usym carries the pid too). */
export interface SymbolType {
  readonly kind: 'ksym' | 'usym';
}
/** ntop(): address family (u64) then 16 bytes of address. */
export interface InetType {
  readonly kind: 'inet';
}
/** macaddr(): the 6 bytes of a MAC address, printed as `05:04:03:02:01:02`. */
export interface MacAddrType {
  readonly kind: 'macaddr';
}
/** nsecs(MODE) values printed by strftime; a u64 of nanoseconds. */
export interface TimestampType {
  readonly kind: 'timestamp';
  readonly mode: TimestampMode;
  /** strftime()'s format string; the wire value is a u64 of nanoseconds in `mode`'s clock. */
  readonly format: string;
}
/** Values that are a u64 on the wire and have their own printing. */
export interface SpecialIntType {
  /** cgroup_path: a cgroup id; strerror: an errno; syscall_name: a syscall number; username: a uid. */
  readonly kind: 'cgroup_path' | 'strerror' | 'username' | 'timestamp_ns' | 'syscall_name' | 'signal_name';
}
export interface NoneType {
  readonly kind: 'none' | 'void';
}

/** Aggregations: what a map holds after `@m = count()` and friends; stored per CPU. */
export interface CountType {
  readonly kind: 'count';
}
export interface SumLikeType {
  readonly kind: 'sum' | 'min' | 'max' | 'avg' | 'stats';
  readonly signed: boolean;
}
export interface HistType {
  readonly kind: 'hist';
  readonly bits: number;
}
export interface LhistType {
  readonly kind: 'lhist';
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

/**
 * tseries(): per (key, bucket) a { i64 value; u64 meta; u64 epoch } slot per CPU, bucket = epoch % numIntervals,
 * epoch = bpf_ktime_get_tai_ns() / intervalNs; meta is the write time (agg none), the sample count (avg) or
 * whether a value was set (min/max).
 */
export interface TseriesType {
  readonly kind: 'tseries';
  readonly intervalNs: number;
  readonly numIntervals: number;
  readonly agg: 'none' | 'avg' | 'sum' | 'min' | 'max';
  readonly signed: boolean;
}

export type AggregationType = CountType | SumLikeType | HistType | LhistType | TseriesType;

export type SizedType =
  | IntType
  | BoolType
  | StringType
  | BufferType
  | TupleType
  | RecordType
  | CStructType
  | PointerType
  | ArrayType
  | StackType
  | SymbolType
  | InetType
  | MacAddrType
  | TimestampType
  | SpecialIntType
  | NoneType
  | AggregationType;

// ---- constructors ----

export const NONE: NoneType = { kind: 'none' };
export const VOID: NoneType = { kind: 'void' };
export const BOOL: BoolType = { kind: 'bool' };
export const U8 = int(8, false);
export const U16 = int(16, false);
export const U32 = int(32, false);
export const U64 = int(64, false);
export const I32 = int(32, true);
export const I64 = int(64, true);

export function int(bits: IntBits, signed: boolean): IntType {
  return { kind: 'int', bits, signed };
}
/** The same integer type at another width, keeping its enum (map keys and printf arguments travel as 64-bit). */
export function widen(t: IntType, bits: IntBits = 64): IntType {
  return t.enumType ? { kind: 'int', bits, signed: t.signed, enumType: t.enumType } : int(bits, t.signed);
}
export function string(size: number): StringType {
  return { kind: 'string', size };
}
export function tuple(elements: readonly SizedType[]): TupleType {
  return { kind: 'tuple', elements };
}
export function pointer(pointee: SizedType, userSpace = false): PointerType {
  return { kind: 'pointer', pointee, userSpace };
}

export function isAggregation(t: SizedType): t is AggregationType {
  return (
    t.kind === 'count' || t.kind === 'sum' || t.kind === 'min' || t.kind === 'max' || t.kind === 'avg' || t.kind === 'stats' ||
    t.kind === 'hist' || t.kind === 'lhist' || t.kind === 'tseries'
  );
}

/** Values that fit in a register and are computed as 64-bit integers. */
export function isScalar(t: SizedType): boolean {
  switch (t.kind) {
    case 'int':
    case 'bool':
    case 'pointer':
    case 'ksym':
    case 'timestamp':
    case 'cgroup_path':
    case 'strerror':
    case 'username':
    case 'timestamp_ns':
    case 'syscall_name':
    case 'signal_name':
      return true;
    default:
      return false;
  }
}

export function isInteger(t: SizedType): t is IntType {
  return t.kind === 'int';
}

// ---- layout ----

/** Bytes a value of this type takes in memory, on the wire and in maps. */
export function sizeOf(t: SizedType): number {
  switch (t.kind) {
    case 'int':
      return t.bits / 8;
    case 'bool':
      return 1;
    case 'string':
      return t.size;
    case 'buffer':
      return 4 + t.size;
    case 'tuple':
      return structLayout(t.elements).size;
    case 'record':
      return structLayout(t.fields.map((f) => f.type)).size;
    case 'array':
      return sizeOf(t.element) * t.length;
    case 'cstruct':
      return t.size;
    case 'inet':
      return 24;
    case 'macaddr':
      return 6;
    case 'stack':
      // stack id (u64) and, for user stacks, the pid (u64)
      return t.user ? 16 : 8;
    case 'usym':
      // address and pid
      return 16;
    case 'none':
    case 'void':
      return 0;
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
      return 16;
    case 'tseries':
      return 24;
    default:
      return 8;
  }
}

export function alignOf(t: SizedType): number {
  switch (t.kind) {
    case 'int':
      return t.bits / 8;
    case 'bool':
    case 'string':
    case 'macaddr':
    case 'none':
    case 'void':
      return 1;
    case 'buffer':
      return 4;
    case 'tuple':
      return Math.max(1, ...t.elements.map(alignOf));
    case 'record':
      return Math.max(1, ...t.fields.map((f) => alignOf(f.type)));
    case 'array':
      return alignOf(t.element);
    case 'cstruct':
      return t.align ?? 8;
    default:
      return 8;
  }
}

export interface StructLayout {
  readonly offsets: readonly number[];
  readonly size: number;
  readonly align: number;
}

/** C struct layout of fields in order: each at its natural alignment, the total padded to the largest. */
export function structLayout(fields: readonly SizedType[]): StructLayout {
  const offsets: number[] = [];
  let off = 0;
  let align = 1;
  for (const f of fields) {
    const a = alignOf(f);
    align = Math.max(align, a);
    off = roundUp(off, a);
    offsets.push(off);
    off += sizeOf(f);
  }
  return { offsets, size: roundUp(off, align), align };
}

export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

// ---- names and comparisons ----

/** The type's name as bpftrace prints it in messages and `-d` dumps: uint64, string[16], (int64,string[4]). */
export function typeName(t: SizedType): string {
  switch (t.kind) {
    case 'int':
      return `${t.signed ? 'int' : 'uint'}${t.bits}`;
    case 'bool':
      return 'bool';
    case 'string':
      return `string[${t.size}]`;
    case 'buffer':
      return `buffer[${t.size}]`;
    case 'inet':
      return 'inet[24]';
    case 'macaddr':
      return 'macaddr_t';
    case 'tuple':
      return `(${t.elements.map(typeName).join(',')})`;
    case 'record':
      return t.name ?? `record { ${t.fields.map((f) => `.${f.name} = ${typeName(f.type)}`).join(', ')} }`;
    case 'cstruct':
      return t.name;
    case 'pointer':
      return `${typeName(t.pointee)} *`;
    case 'array':
      return `${typeName(t.element)}[${t.length}]`;
    case 'stack':
      return t.user ? 'ustack' : 'kstack';
    case 'ksym':
      return 'ksym_t';
    case 'usym':
      return 'usym_t';
    case 'timestamp':
      return 'timestamp';
    case 'timestamp_ns':
      return 'timestamp';
    case 'cgroup_path':
      return 'cgroup_path_t';
    case 'strerror':
      return 'strerror_t';
    case 'syscall_name':
      return 'syscall_name_t';
    case 'signal_name':
      return 'string';
    case 'username':
      return 'username';
    case 'none':
      return 'none';
    case 'void':
      return 'void';
    case 'count':
      return 'count_t';
    case 'sum':
    case 'min':
    case 'max':
    case 'avg':
    case 'stats':
      return `${t.signed ? '' : 'u'}${t.kind}_t`;
    case 'hist':
      return 'hist_t';
    case 'lhist':
      return 'lhist_t';
    case 'tseries':
      return 'tseries_t';
  }
}

export function sameType(a: SizedType, b: SizedType): boolean {
  return typeName(a) === typeName(b);
}

/** Same kind of value, ignoring sizes (string[4] and string[64] are compatible, so are int32 and int64). */
export function sameShape(a: SizedType, b: SizedType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'tuple' && b.kind === 'tuple') {
    return a.elements.length === b.elements.length && a.elements.every((e, i) => sameShape(e, b.elements[i]!));
  }
  if (a.kind === 'record' && b.kind === 'record') {
    return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && sameShape(f.type, b.fields[i]!.type));
  }
  return true;
}

/**
 * The type that holds values of both a and b (bpftrace's promotion): the wider integer, signed if either is,
 * the longer string, element-wise for tuples. Undefined when they cannot share a variable or map.
 */
export function promote(a: SizedType, b: SizedType): SizedType | undefined {
  if (a.kind === 'none') return b;
  if (b.kind === 'none') return a;
  if (a.kind === 'int' && b.kind === 'int') {
    // An enum survives only when both sides have it (`@[ONE] = 1; @[ONE + 1] = 2` prints numbers).
    if (a.enumType?.name !== b.enumType?.name || (a.enumType === undefined) !== (b.enumType === undefined)) {
      return promote(int(a.bits, a.signed), int(b.bits, b.signed));
    }
    if (a.signed === b.signed) return a.bits >= b.bits ? a : b;
    // Mixed signedness: signed, wide enough for the unsigned value when possible.
    const bits = Math.min(64, Math.max(a.signed ? a.bits : a.bits * 2, b.signed ? b.bits : b.bits * 2)) as IntBits;
    return int(bits, true);
  }
  if (a.kind === 'string' && b.kind === 'string') return a.size >= b.size ? a : b;
  if (a.kind === 'buffer' && b.kind === 'buffer') return a.size >= b.size ? a : b;
  if (a.kind === 'tuple' && b.kind === 'tuple') {
    if (a.elements.length !== b.elements.length) return undefined;
    const out: SizedType[] = [];
    for (let i = 0; i < a.elements.length; i++) {
      const p = promote(a.elements[i]!, b.elements[i]!);
      if (p === undefined) return undefined;
      out.push(p);
    }
    return tuple(out);
  }
  if (a.kind === 'record' && b.kind === 'record') {
    if (a.fields.length !== b.fields.length || a.name !== b.name) return undefined;
    // Named fields match by name, whatever order a literal wrote them in; the first type's order is kept.
    const fields: RecordFieldType[] = [];
    for (let i = 0; i < a.fields.length; i++) {
      const fa = a.fields[i]!;
      const fb = b.fields.find((f) => f.name === fa.name);
      if (fb === undefined) return undefined;
      const p = promote(fa.type, fb.type);
      if (p === undefined) return undefined;
      fields.push({ name: fa.name, type: p });
    }
    return { kind: 'record', name: a.name, fields };
  }
  if (a.kind === 'pointer' && b.kind === 'pointer') return sameType(a, b) ? a : undefined;
  if (a.kind === 'sum' && b.kind === 'sum') return a.signed || b.signed ? { kind: 'sum', signed: true } : a;
  if ((a.kind === 'min' || a.kind === 'max' || a.kind === 'avg' || a.kind === 'stats') && a.kind === b.kind) {
    return a.signed || (b as SumLikeType).signed ? { kind: a.kind, signed: true } : a;
  }
  return sameType(a, b) ? a : undefined;
}
