// The compiled script as plain data: the contract between the compiler (which writes it) and the runtime
// (which loads, attaches and runs it and decodes every ring-buffer record and map by it). No AST in here.
//
// Life of a script: the runtime creates every map in `maps` (keeping the fd of each by `name`), writes the
// `GLOBALS_MAP` entry (start time, -c child pid), patches each
// program's relocations with those fds (src/isa applyRelocations), loads the programs, then:
//   1. runs the `begin` programs, in `probes` order, with BPF_PROG_TEST_RUN before anything else is attached
//      (bpftrace: "begin is triggered before all other probes are attached"), draining the ring buffer after
//      each so that their output comes first and an exit() in begin stops the run before other attaches;
//   2. attaches every other probe (the "Attached N probes" count is the number of attached kernel links that
//      bpftrace would report: one per expanded probe, `probes.filter(p => p.target.kind !== 'begin' && ...)`);
//   3. polls the ring buffer `RINGBUF_MAP` and handles each record by its event id (`events[id]`);
//   4. on exit() / Ctrl-C / SIGTERM / -c command exit: detaches everything, runs the `end` programs in order
//      with BPF_PROG_TEST_RUN ("end is triggered after all other probes are detached"), drains the ring buffer,
//      and if `config.printMapsOnExit` prints every user map that is not empty (`userMaps()` below lists them
//      sorted by name; check bpftrace's exit order before relying on it).
//
// Wire format of a ring-buffer record: a u64 event id at offset 0, then the event's fields at the offsets
// `eventLayout` computes (C struct layout, natural alignment, fields start at offset 8). The same encoding is
// used for map keys and values. By type (see ../types.ts; sizes from sizeOf, alignment from alignOf):
//   int(bits, signed)  little-endian, bits/8 bytes (printf arguments are always widened to 64 bits)
//   bool               1 byte, 0 or 1
//   string(size)       `size` bytes, NUL-terminated when shorter (bytes after the NUL are undefined)
//   buffer(size)       u32 length, then `size` bytes of which the first `length` count
//   tuple / record     C struct of the elements/fields in order (structLayout), padding undefined
//   array(elem, n)     n elements back to back
//   pointer            u64 address (printed as 0x... hex by bpftrace)
//   stack(user=false)  u64 stack id in the map `stack_k<depth>` (negative: the kernel could not get one)
//   stack(user=true)   u64 stack id in `stack_u<depth>`, then u64 pid (for symbolizing)
//   ksym               u64 kernel address;  usym: u64 user address, then u64 pid
//   inet               u64 address family (2 = AF_INET, 10 = AF_INET6), then 16 address bytes (4 used for v4)
//   timestamp          u64 nanoseconds as the script computed them (strftime's argument; bpftrace takes it
//                      as boot time when printing), with the format in the type
//   cgroup_path / strerror / syscall_name / username   u64: cgroup id / errno / syscall number / uid
//   count, sum, min, max, avg, stats, hist, lhist      only in maps; see UserMapInfo.aggregation
//   cstruct            never on the wire (the semantic pass refuses to store kernel structs by value)
import type { Insn } from '../../isa/insn.js';
import type { Relocation } from '../../isa/assembler.js';
import type { AttachType, MapType, ProgType } from '../../sys/uapi.js';
import type { FuncInfo } from './func-info.js';
import type { SourceSite } from '../diagnostics.js';
export type { SourceSite } from '../diagnostics.js';
import { structLayout, type AggregationType, type SizedType, type StackMode } from '../types.js';

export const ARTIFACT_VERSION = 1;
export { FUNC_INFO_REC_SIZE, type FuncInfo } from './func-info.js';

/** The one ring buffer every event goes through. */
export const RINGBUF_MAP = 'ringbuf';
/** Per-CPU array, one u64 slot at key 0: records that did not fit in the ring buffer (bpftrace's "Lost N events"). */
export const EVENT_LOSS_MAP = 'event_loss';
/** Per-CPU array, one large slot: memory for values too big for the 512-byte stack. */
export const SCRATCH_MAP = 'scratch';
/**
 * Array map, one entry at key 0 the runtime writes before running begin probes: a `Globals` struct of u64s,
 * see GLOBALS_LAYOUT. (`elapsed` and `cpid` read it.)
 */
export const GLOBALS_MAP = 'globals';
/**
 * Offsets in the globals value: start time (bpf_ktime_get_ns clock, CLOCK_MONOTONIC) and the -c child's pid.
 */
export const GLOBALS_LAYOUT = { startNs: 0, cpid: 8, size: 16 } as const;
/** Stack-trace maps are named `stack_k<depth>` / `stack_u<depth>` (one per kind and depth used). */
export const STACK_MAP_PREFIX = 'stack_';
/**
 * The stack-trace map a stack type's ids point into. build_id stacks (`stack_b<depth>`) need their own map:
 * it is created with BPF_F_STACK_BUILD_ID and holds 32-byte `struct bpf_stack_build_id` frames.
 */
export function stackMapName(t: { readonly user: boolean; readonly mode: StackMode; readonly depth: number }): string {
  return `${STACK_MAP_PREFIX}${t.mode === 'build_id' ? 'b' : t.user ? 'u' : 'k'}${t.depth}`;
}
/** BPF_F_STACK_BUILD_ID, and the size of one frame of such a map (struct bpf_stack_build_id). */
export const STACK_BUILD_ID_FLAG = 1 << 5;
export const STACK_BUILD_ID_FRAME_SIZE = 32;
/** Size of a record's event id header. */
export const EVENT_HEADER_SIZE = 8;

export interface CompiledArtifact {
  readonly version: typeof ARTIFACT_VERSION;
  /** The script's file name as given to compile (for messages). */
  readonly filename: string;
  /** One entry per probe after expansion, in script order (wildcards expanded in catalogue order). */
  readonly probes: readonly ProbeProgram[];
  readonly maps: readonly MapDef[];
  /** Indexed by event id: `events[id].id === id`. */
  readonly events: readonly EventDef[];
  readonly config: ArtifactConfig;
  /** Positional parameters ($1..$N) the script was compiled with; they are already folded into the code. */
  readonly positional: readonly string[];
  /** What the programs need from the kernel, for clear errors before loading. */
  readonly features: readonly Feature[];
  /** BTF for programs whose funcInfo is not empty (see ProbeProgram.funcInfo); always the same small blob. */
  readonly btf: Uint8Array;
}

export type Feature = 'ringbuf' | 'tp_btf' | 'raw_tracepoint' | 'perf_event' | 'uprobe' | 'kprobe' | 'fentry' | 'get_stack' | 'send_signal';

// ---- programs ----

export interface ProbeProgram {
  /** Kernel object name for the program (15 characters at most). */
  readonly name: string;
  /** The full expanded probe name, as the `probe` builtin gives it: `tracepoint:syscalls:sys_enter_openat`. */
  readonly probe: string;
  /** The attach point as written (before expansion), for error messages. */
  readonly written: string;
  readonly target: AttachTarget;
  readonly progType: ProgType;
  readonly expectedAttachType: AttachType | undefined;
  /** For tp_btf and fentry/fexit programs: the BTF type whose id the loader puts in attach_btf_id. */
  readonly attachBtfName: string | undefined;
  readonly insns: readonly Insn[];
  /** Map loads to patch with fds, by map name (`maps[i].name`). */
  readonly relocations: readonly Relocation[];
  /**
   * Empty for programs without subprograms. Otherwise the program has callbacks (for-loops over maps) and
   * must be loaded with BTF: BPF_BTF_LOAD `CompiledArtifact.btf`, then BPF_PROG_LOAD with prog_btf_fd = that
   * fd, func_info = these records (u32 insnOff, u32 typeId each), func_info_rec_size = FUNC_INFO_REC_SIZE.
   */
  readonly funcInfo: readonly FuncInfo[];
}

export type AttachTarget =
  /**
   * Fired by the runtime with BPF_PROG_TEST_RUN (the program is a raw tracepoint one, ctx_in = 8 zero bytes
   * works), not attached; several begin (end) probes run in `probes` order.
   */
  | { readonly kind: 'begin' }
  | { readonly kind: 'end' }
  /**
   * `self:signal:SIGUSR1` (added by the probe-handling helper, outside codegen): a raw tracepoint program like
   * begin/end, fired with BPF_PROG_TEST_RUN by the runtime each time the process receives the signal.
   */
  | { readonly kind: 'self'; readonly signal: string }
  /**
   * `bench:NAME` (added by the probe-handling helper, outside codegen): a raw tracepoint program that bench mode
   * runs repeatedly with BPF_PROG_TEST_RUN (`repeat`) to time it; never attached, ignored outside bench mode.
   */
  | { readonly kind: 'bench'; readonly name: string }
  /**
   * `watchpoint:ADDR:LEN:MODE` (added by the probe-handling helper, outside codegen): a perf-event program on a
   * hardware breakpoint; `mode` is sorted (`rw`, `w`, `x`).
   */
  /**
   * `iter:task` (added by the probe-handling helper, outside codegen): a tracing program loaded with
   * BPF_TRACE_ITER on `bpf_iter_<name>` (attachBtfName); its ctx points to `struct bpf_iter__<name>`. The
   * runtime links it and reads the iterator once, which runs the program over every object.
   */
  | { readonly kind: 'iter'; readonly name: string }
  | { readonly kind: 'watchpoint'; readonly address: bigint; readonly length: number; readonly mode: string }
  | { readonly kind: 'tracepoint'; readonly category: string; readonly event: string }
  /** btf: attach as tp_btf (attachBtfName is `btf_trace_<name>`); otherwise BPF_RAW_TRACEPOINT_OPEN by name. */
  | { readonly kind: 'rawtracepoint'; readonly name: string; readonly module: string | undefined; readonly btf: boolean }
  | { readonly kind: 'kprobe'; readonly symbol: string; readonly offset: number; readonly module: string | undefined; readonly ret: boolean }
  | { readonly kind: 'fentry'; readonly func: string; readonly module: string | undefined; readonly ret: boolean }
  | {
      readonly kind: 'uprobe';
      readonly path: string;
      readonly symbol: string | undefined;
      /** Address (when no symbol) or offset from the symbol. */
      readonly offset: bigint;
      readonly pid: number | undefined;
      readonly ret: boolean;
    }
  /**
   * `path` is resolved to the binary's absolute path. `locations` lists the probe sites this program serves
   * (file offsets of the probe and of its semaphore, 0n when none): sites whose arguments live in different
   * places get programs of their own, so attach each program to its own locations only.
   */
  | {
      readonly kind: 'usdt';
      readonly path: string;
      readonly provider: string;
      readonly name: string;
      readonly pid: number | undefined;
      readonly locations: readonly { readonly pcFileOffset: bigint; readonly semaphoreFileOffset: bigint }[];
    }
  /** profile: on every CPU; `hz` is a frequency, otherwise `periodNs`. */
  | { readonly kind: 'profile' | 'interval'; readonly unit: 'hz' | 's' | 'ms' | 'us' | 'ns'; readonly value: number; readonly periodNs: number | undefined; readonly hz: number | undefined }
  | { readonly kind: 'software' | 'hardware'; readonly event: string; readonly count: number | undefined };

// ---- maps ----

export interface MapDef {
  /** Internal name: `@name` for user maps (`@` for the anonymous one), else one of the *_MAP names. */
  readonly name: string;
  readonly type: MapType;
  readonly keySize: number;
  /** For per-CPU maps, the size of one CPU's value. */
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_MAP_CREATE map_flags (STACK_BUILD_ID_FLAG for build_id stack maps); 0 when absent. */
  readonly flags?: number;
  /** Set for maps the script declares (`@x`); undefined for internal maps. */
  readonly user: UserMapInfo | undefined;
}

export interface UserMapInfo {
  /** `@x`, or `@` */
  readonly name: string;
  /**
   * The key's parts: [] for a keyless map (its one key is a u64 0), [t] for `@m[k]`, [a, b] for `@m[a, b]`
   * (stored as a tuple with `structLayout`). Hist and lhist maps append a u64 bucket index after the key
   * (at offset `roundUp(keySize without bucket, 8)`).
   */
  readonly keyTypes: readonly SizedType[];
  /** Bytes of the key before any bucket index. */
  readonly keyBytes: number;
  /** The value type: an aggregation, or the type of an ordinary value. */
  readonly valueType: SizedType;
  /**
   * How the value is kept: 'value' (plain hash map, one value), or the aggregation kind stored per CPU:
   * count/sum: one u64 (s64 when signed) per CPU, summed;
   * min/max: { i64 value; u64 isSet } per CPU, isSet 0 when the CPU never stored (mergeMinMax);
   * avg/stats: { i64 total; u64 count } per CPU, summed (mergeAvg);
   * hist/lhist: one u64 count per (key, bucket) per CPU (mergeHist/mergeLhist);
   * tseries: one { i64 value; u64 meta; u64 epoch } per (key, bucket) per CPU (mergeTseriesSlots), where
   * bucket = epoch % numIntervals and epoch = TAI nanoseconds (CLOCK_TAI) / intervalNs; see TseriesType.
   */
  readonly aggregation: AggregationType['kind'] | 'value';
  /**
   * Set when the map is a one-slot per-CPU array (a keyless count/sum/min/max/avg/stats; u32 key 0): the offset
   * in each CPU's value of a u64 written flag. The entry exists when any CPU's flag is non-zero; delete(),
   * clear() and zero() zero the slots (zero() then sets the flag).
   */
  readonly presentOffset?: number;
}

// ---- events ----

export interface WireField {
  readonly type: SizedType;
  /** Offset in the record (the id header included). */
  readonly offset: number;
}

/** printf and the printf-shaped functions: the format string and the arguments' wire fields. */
export interface FormattedEvent {
  readonly id: number;
  readonly kind: 'printf' | 'errorf' | 'warnf' | 'system' | 'cat' | 'debugf';
  readonly format: string;
  readonly args: readonly WireField[];
  readonly size: number;
  /**
   * For errorf/warnf: where in the script the call is (bpftrace prints `FILE:LINE:COL-COL:` before the text),
   * then the macro calls it was expanded from, innermost first. Empty for the other kinds.
   */
  readonly locations: readonly SourceSite[];
}

/**
 * A run-time error: the program sends one when a helper fails (map full, a missing key read, a bad address
 * read with -k), an array index is out of bounds or a divisor is zero. Every place that can fail has an event
 * of its own, so the record carries only the id and the helper's return value (args[0], an i64; 0 for the
 * errors that are not a helper's). bpftrace prints it as a warning with the source range and context.
 */
export interface RuntimeErrorEvent {
  readonly id: number;
  readonly kind: 'runtime_error';
  readonly error: RuntimeErrorKind;
  /** For 'helper': the helper's name without `bpf_` (`map_update_elem`). */
  readonly helper: string | undefined;
  /** The failing expression's range, then the macro calls it was expanded from, innermost first. */
  readonly locations: readonly SourceSite[];
  readonly args: readonly [WireField];
  readonly size: number;
}

export type RuntimeErrorKind = 'helper' | 'divide_by_zero' | 'array_out_of_bounds';

/** print(@m), print(@m, top, div): the runtime prints the map now. */
export interface PrintMapEvent {
  readonly id: number;
  readonly kind: 'print_map';
  readonly map: string;
  /** u64 fields at these offsets hold top and div (0 means not given). */
  readonly args: readonly WireField[];
  readonly size: number;
}

/** print(value) of a non-map value. */
export interface PrintValueEvent {
  readonly id: number;
  readonly kind: 'print_value';
  readonly args: readonly [WireField];
  readonly size: number;
}

/** clear(@m) / zero(@m): done by the runtime (bpftrace does them in user space too). */
export interface MapActionEvent {
  readonly id: number;
  readonly kind: 'clear' | 'zero';
  readonly map: string;
  readonly args: readonly WireField[];
  readonly size: number;
}

/** exit(code): one i64 argument, the exit code (0 when not given). */
export interface ExitEvent {
  readonly id: number;
  readonly kind: 'exit';
  readonly args: readonly [WireField];
  readonly size: number;
}

/** time(fmt): the runtime prints the current local time with strftime format `format`. */
export interface TimeEvent {
  readonly id: number;
  readonly kind: 'time';
  readonly format: string;
  readonly args: readonly WireField[];
  readonly size: number;
}

/**
 * join(arr, sep): args[0] is a u64 count of strings read (reading stops at the array's first NULL pointer,
 * at most JOIN_MAX_ARGS), args[1] an array of JOIN_MAX_ARGS strings of JOIN_ARG_SIZE bytes; the runtime prints
 * the first `count` joined by `separator`, then a newline, as bpftrace does.
 */
export interface JoinEvent {
  readonly id: number;
  readonly kind: 'join';
  readonly separator: string;
  readonly args: readonly [WireField, WireField];
  readonly size: number;
}

/** bpftrace's join() limits: 16 strings of up to 1024 bytes each. */
export const JOIN_MAX_ARGS = 16;
export const JOIN_ARG_SIZE = 1024;

export type EventDef = FormattedEvent | PrintMapEvent | PrintValueEvent | MapActionEvent | ExitEvent | TimeEvent | JoinEvent | RuntimeErrorEvent;

// ---- config ----

export interface ArtifactConfig {
  readonly maxStrlen: number;
  readonly stackMode: StackMode;
  readonly printMapsOnExit: boolean;
  readonly maxMapKeys: number;
  /** Ring-buffer size in pages (bpftrace's perf_rb_pages); the ring buffer map's max_entries in bytes = pages * 4096. */
  readonly perfRbPages: number;
  readonly unsafe: boolean;
  /** Every config entry as given (`config = { ... }` and options), for the runtime's own settings. */
  readonly raw: Readonly<Record<string, string | number | boolean>>;
}

// ---- the one wire-layout function ----

export interface EventLayout {
  readonly args: WireField[];
  /** Total record size, rounded up to 8. */
  readonly size: number;
}

/** Where each field of a record sits: after the u64 id, in C struct layout. Used by codegen and decoder. */
export function eventLayout(fields: readonly SizedType[]): EventLayout {
  const layout = structLayout(fields);
  const args = fields.map((type, i) => ({ type, offset: EVENT_HEADER_SIZE + layout.offsets[i]! }));
  const size = EVENT_HEADER_SIZE + Math.ceil(layout.size / 8) * 8;
  return { args, size };
}

/** The user maps in the order bpftrace prints them at exit (by name). */
export function userMaps(artifact: CompiledArtifact): MapDef[] {
  return artifact.maps.filter((m) => m.user !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
