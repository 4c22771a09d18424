// Feature probes: what this kernel lets bpfkit do, found by trying it once (results are cached per process).
import { existsSync } from 'node:fs';
import { TracefsError, tracefsRoot as findTracefs, traceEvents } from '../tracefs/index.js';
import { BtfLoadError, BtfParseError, loadKernelBtf } from '../btf/index.js';
import { AttachType, BpfCmd, Errno, MapFlags, PERF_FLAG_FD_CLOEXEC, MapType, PerfAttrFlag, PerfHwId, PerfIoctl, PerfSwId, PerfType, ProgType, sys, SysError } from '../sys/index.js';
import { BpfStatsType, cString, EnableStatsAttr, encodeAttr, LinkCreateAttr, MapBatchAttr, RawTracepointOpenAttr } from '../sys/bpf-attr.js';
import type { Insn } from '../isa/insn.js';
import { UnsupportedFeatureError, VerifierError } from './errors.js';
import { createMap, type MapSpec } from './map.js';
import { loadProgram, type ProgramSpec } from './program.js';
import { encodePerfEventAttr, openPerfEvent, pmuFormatField, pmuType } from './perf-event.js';

/** The outcome of a probe: `reason` says why not (an errno name and what was tried), empty when supported. */
export interface Feature {
  readonly name: string;
  readonly ok: boolean;
  readonly reason: string;
}

const cache = new Map<string, Feature>();

// Runs `probe` once per process; it returns nothing on success, a reason string when unsupported, or throws.
function cached(name: string, probe: () => string | undefined): Feature {
  const hit = cache.get(name);
  if (hit) return hit;
  let reason: string | undefined;
  try {
    reason = probe();
  } catch (err) {
    reason = reasonOf(err);
  }
  const f: Feature = { name, ok: reason === undefined, reason: reason ?? '' };
  cache.set(name, f);
  return f;
}

function reasonOf(err: unknown): string {
  if (err instanceof VerifierError) return err.message.slice(err.message.indexOf(err.code));
  if (err instanceof SysError) return err.code;
  return err instanceof Error ? err.message : String(err);
}

/** Closes fds in reverse order, ignoring errors (probes must leave nothing behind). */
function closeAll(fds: number[]): void {
  for (const fd of fds.reverse()) {
    try {
      sys().close(fd);
    } catch {
      // Already closed by the kernel's refusal or by the owner; nothing to release.
    }
  }
}

const RETURN_ZERO: readonly Insn[] = [
  { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, // r0 = 0
  { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }, // exit
];

function tryLoad(spec: ProgramSpec): number {
  return loadProgram(spec).fd;
}

// ---------- vmlinux BTF ----------

/**
 * The vmlinux BTF id of a function or typedef by name, or undefined (also when the kernel has no BTF). The BTF is
 * parsed once per process by src/btf and shared with everything else that reads it.
 */
export function vmlinuxBtfId(name: string, kind: 'func' | 'typedef'): number | undefined {
  try {
    return loadKernelBtf().idsByName(name, kind)[0];
  } catch (err) {
    if (err instanceof BtfLoadError || err instanceof BtfParseError) return undefined;
    throw err;
  }
}

// ---------- program and map types ----------

const PROG_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ProgType).map(([k, v]) => [v, k.toLowerCase()]));
const MAP_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(MapType).map(([k, v]) => [v, k.toLowerCase()]));

export function progTypeName(t: number): string {
  return PROG_TYPE_NAMES[t] ?? `type ${t}`;
}

export function mapTypeName(t: number): string {
  return MAP_TYPE_NAMES[t] ?? `type ${t}`;
}

/** Whether programs of type `t` load. Tracing programs need a target, so they are probed as tp_btf on sys_enter. */
export function haveProgType(t: ProgType): Feature {
  if (t === ProgType.TRACING) return { ...haveTpBtf(), name: `prog ${progTypeName(t)}` };
  return cached(`prog ${progTypeName(t)}`, () => {
    closeAll([tryLoad({ name: 'probe', type: t, insns: RETURN_ZERO })]);
    return undefined;
  });
}

/** The smallest valid spec of each map type the probes know. */
function probeMapSpec(t: MapType): MapSpec {
  switch (t) {
    case MapType.RINGBUF:
      return { type: t, keySize: 0, valueSize: 0, maxEntries: 4096 };
    case MapType.PERF_EVENT_ARRAY:
    case MapType.PROG_ARRAY:
    case MapType.CGROUP_ARRAY:
      return { type: t, keySize: 4, valueSize: 4, maxEntries: 1 };
    case MapType.STACK_TRACE:
      return { type: t, keySize: 4, valueSize: 8, maxEntries: 1 };
    case MapType.LPM_TRIE:
      return { type: t, keySize: 8, valueSize: 8, maxEntries: 1, flags: MapFlags.NO_PREALLOC };
    case MapType.QUEUE:
    case MapType.STACK:
      return { type: t, keySize: 0, valueSize: 8, maxEntries: 1 };
    case MapType.BLOOM_FILTER:
      return { type: t, keySize: 0, valueSize: 8, maxEntries: 1 };
    default:
      return { type: t, keySize: 4, valueSize: 8, maxEntries: 1 };
  }
}

export function haveMapType(t: MapType): Feature {
  return cached(`map ${mapTypeName(t)}`, () => {
    createMap({ ...probeMapSpec(t), name: 'probe' }).close();
    return undefined;
  });
}

export function haveRingbuf(): Feature {
  return { ...haveMapType(MapType.RINGBUF), name: 'ringbuf' };
}

/** BPF_MAP_LOOKUP_BATCH on a hash map: an empty map answers ENOENT when the command exists. */
export function haveBatchOps(): Feature {
  return cached('batch ops', () => {
    const m = createMap({ name: 'probe', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 1 });
    try {
      const keys = new Uint8Array(4);
      const values = new Uint8Array(8);
      const out = new Uint8Array(8);
      const attr = encodeAttr(MapBatchAttr, { outBatch: sys().address(out), keys: sys().address(keys), values: sys().address(values), count: 1, mapFd: m.fd });
      try {
        sys().bpf(BpfCmd.MAP_LOOKUP_BATCH, attr);
      } catch (err) {
        if (err instanceof SysError && err.errno === Errno.ENOENT) return undefined;
        throw err;
      }
      return undefined;
    } finally {
      m.close();
    }
  });
}

/** BPF_ENABLE_STATS (run_cnt and run_time_ns in program info). */
export function haveBpfStats(): Feature {
  return cached('bpf stats', () => {
    closeAll([sys().bpf(BpfCmd.ENABLE_STATS, encodeAttr(EnableStatsAttr, { type: BpfStatsType.RUN_TIME }))]);
    return undefined;
  });
}

/** Whether a helper is allowed in a program type: the verifier says "invalid func" or "unknown func" when not. */
export function haveHelper(progType: ProgType, helperId: number): Feature {
  return cached(`helper ${progType} ${helperId}`, () => {
    // Every argument register is zeroed; a helper that exists may still refuse zeros, which proves it exists.
    const insns: Insn[] = [1, 2, 3, 4, 5].map((r) => ({ code: 0xb7, dst: r, src: 0, off: 0, imm: 0 }));
    insns.push({ code: 0x85, dst: 0, src: 0, off: 0, imm: helperId }, ...RETURN_ZERO);
    const spec: ProgramSpec = { name: 'probe', type: progType, insns };
    if (progType === ProgType.TRACING) {
      const id = vmlinuxBtfId('btf_trace_sys_enter', 'typedef');
      if (id === undefined) return 'no btf_trace_sys_enter in vmlinux BTF';
      Object.assign(spec, { expectedAttachType: AttachType.TRACE_RAW_TP, attachBtfId: id });
    }
    try {
      closeAll([tryLoad(spec)]);
      return undefined;
    } catch (err) {
      if (err instanceof VerifierError) {
        const refusal = err.log.find((l) => /invalid func|unknown func|cannot call|program of this type cannot use helper|not allowed in probe|helper call is not allowed/.test(l));
        return refusal === undefined ? undefined : `${err.code}: ${refusal}`;
      }
      throw err;
    }
  });
}

// ---------- tracefs, kprobes, uprobes ----------

/** Where tracefs is mounted (mounting it at /sys/kernel/tracing when it is nowhere), or undefined when it cannot be. */
export function tracefsRoot(): string | undefined {
  try {
    return findTracefs();
  } catch (err) {
    if (err instanceof TracefsError) return undefined;
    throw err;
  }
}

function tracepointIdOf(category: string, name: string): number | string {
  const root = tracefsRoot();
  if (root === undefined) return 'tracefs is not mounted: mount -t tracefs tracefs /sys/kernel/tracing';
  try {
    return traceEvents().id(category, name);
  } catch (err) {
    if (err instanceof TracefsError) return err.message;
    throw err;
  }
}

// A probe kind is built in when its PMU exists, or tracefs has its `<kind>_events` file (older kernels).
function probeKindPresent(kind: 'kprobe' | 'uprobe'): boolean {
  if (pmuType(kind) !== undefined) return true;
  const root = tracefsRoot();
  return root !== undefined && existsSync(`${root}/${kind}_events`);
}

/** kprobes: a `kprobe` PMU or tracefs `kprobe_events` (absent when the kernel is built without CONFIG_KPROBES). */
export function haveKprobes(): Feature {
  return cached('kprobes', () => (probeKindPresent('kprobe') ? undefined : 'no kprobe PMU and no kprobe_events: kernel built without CONFIG_KPROBES'));
}

export function haveUprobes(): Feature {
  return cached('uprobes', () => (probeKindPresent('uprobe') ? undefined : 'no uprobe PMU and no uprobe_events: kernel built without CONFIG_UPROBE_EVENTS'));
}

/** fentry (or fexit) programs: load one on bpf_fentry_test1, the kernel's own test target, and attach it. */
export function haveFentry(kind: 'fentry' | 'fexit' = 'fentry'): Feature {
  return cached(kind, () => {
    const id = vmlinuxBtfId('bpf_fentry_test1', 'func');
    if (id === undefined) return 'no bpf_fentry_test1 in vmlinux BTF';
    const fds: number[] = [];
    try {
      const attachType = kind === 'fentry' ? AttachType.TRACE_FENTRY : AttachType.TRACE_FEXIT;
      const prog = tryLoad({ name: 'probe', type: ProgType.TRACING, insns: RETURN_ZERO, expectedAttachType: attachType, attachBtfId: id });
      fds.push(prog);
      fds.push(sys().bpf(BpfCmd.RAW_TRACEPOINT_OPEN, encodeAttr(RawTracepointOpenAttr, { progFd: prog })));
      return undefined;
    } catch (err) {
      // The verifier accepted the program if we got this far without a VerifierError: the refusal is policy.
      if (err instanceof SysError && err.errno === Errno.EPERM && process.getuid?.() === 0) return 'EPERM: refused by a security module or lockdown';
      throw err;
    } finally {
      closeAll(fds);
    }
  });
}

/**
 * Multi-attach links (one link, many functions): kprobe_multi and kprobe_session on ksys_read, uprobe_multi
 * on "/" (a directory, so a kernel that knows the link type answers EBADF after checking the rest).
 */
export function haveMultiLink(kind: 'kprobe_multi' | 'kprobe_session' | 'uprobe_multi'): Feature {
  return cached(kind, () => {
    const attachType =
      kind === 'kprobe_multi' ? AttachType.TRACE_KPROBE_MULTI : kind === 'kprobe_session' ? AttachType.TRACE_KPROBE_SESSION : AttachType.TRACE_UPROBE_MULTI;
    const fds: number[] = [];
    const keep: Uint8Array[] = [];
    try {
      fds.push(tryLoad({ name: 'probe', type: ProgType.KPROBE, insns: RETURN_ZERO, expectedAttachType: attachType }));
      const pointerTo = (bytes: Uint8Array): bigint => {
        keep.push(bytes);
        return sys().address(bytes);
      };
      const attr =
        kind === 'uprobe_multi'
          ? encodeAttr(LinkCreateAttr, { progFd: fds[0]!, attachType, uprobeMultiPath: pointerTo(cString('/')), uprobeMultiOffsets: pointerTo(new Uint8Array(8)), uprobeMultiCnt: 1 })
          : encodeAttr(LinkCreateAttr, {
              progFd: fds[0]!,
              attachType,
              kprobeMultiCnt: 1,
              kprobeMultiSyms: pointerTo(new Uint8Array(new BigUint64Array([pointerTo(cString('ksys_read'))]).buffer)),
            });
      try {
        fds.push(sys().bpf(BpfCmd.LINK_CREATE, attr));
      } catch (err) {
        if (kind === 'uprobe_multi' && err instanceof SysError && err.errno === Errno.EBADF) return undefined;
        throw err;
      }
      return undefined;
    } finally {
      closeAll(fds);
      keep.length = 0;
    }
  });
}

/**
 * Hardware breakpoints (watchpoints): open a write breakpoint on an address of this process. Virtual machines
 * may offer no debug registers to guests (ENOENT/EOPNOTSUPP), or all may be taken (ENOSPC).
 */
export function haveHardwareBreakpoints(): Feature {
  return cached('watchpoint', () => {
    const probe = new Uint8Array(8);
    const attr = encodePerfEventAttr({ type: PerfType.BREAKPOINT, samplePeriod: 1n, config1: sys().address(probe), config2: 4n, flags: PerfAttrFlag.DISABLED });
    // bp_type (HW_BREAKPOINT_W) sits at offset 52, where the shared encoder has no field.
    new DataView(attr.buffer, attr.byteOffset).setUint32(52, 2, true);
    closeAll([sys().perfEventOpen(attr, sys().getpid(), -1, -1, PERF_FLAG_FD_CLOEXEC)]);
    return undefined;
  });
}

// Iterators whose link must name a map, a cgroup or a socket map (bpf_iter_link_info).
const ITERATORS_WITH_TARGET = new Set(['bpf_map_elem', 'bpf_sk_storage_map', 'sockmap', 'cgroup']);

/**
 * BPF iterators of one kind (`task`, `task_file`, ...): load a tracing program with BPF_TRACE_ITER on
 * `bpf_iter_<name>` and link it. Kernels can describe an iterator in BTF that they cannot load.
 */
export function haveIter(name = 'task'): Feature {
  return cached(`iter:${name}`, () => {
    const id = vmlinuxBtfId(`bpf_iter_${name}`, 'func');
    if (id === undefined) return `no bpf_iter_${name} in vmlinux BTF`;
    const fds: number[] = [];
    try {
      fds.push(tryLoad({ name: 'probe', type: ProgType.TRACING, insns: RETURN_ZERO, expectedAttachType: AttachType.TRACE_ITER, attachBtfId: id }));
      // Iterators over one map, cgroup or socket map need that object to link; linking is tried only where
      // none is needed, so that loading decides the answer for the others (as bpftrace's check does).
      if (!ITERATORS_WITH_TARGET.has(name)) {
        fds.push(sys().bpf(BpfCmd.LINK_CREATE, encodeAttr(LinkCreateAttr, { progFd: fds[0]!, targetFd: 0, attachType: AttachType.TRACE_ITER })));
      }
      return undefined;
    } finally {
      closeAll(fds);
    }
  });
}

export function haveFexit(): Feature {
  return haveFentry('fexit');
}

/** tp_btf: a tracing program on the btf_trace_sys_enter typedef, attached with BPF_RAW_TRACEPOINT_OPEN. */
export function haveTpBtf(): Feature {
  return cached('tp_btf', () => {
    const id = vmlinuxBtfId('btf_trace_sys_enter', 'typedef');
    if (id === undefined) return 'no btf_trace_sys_enter in vmlinux BTF';
    const fds: number[] = [];
    try {
      const prog = tryLoad({ name: 'probe', type: ProgType.TRACING, insns: RETURN_ZERO, expectedAttachType: AttachType.TRACE_RAW_TP, attachBtfId: id });
      fds.push(prog);
      fds.push(sys().bpf(BpfCmd.RAW_TRACEPOINT_OPEN, encodeAttr(RawTracepointOpenAttr, { progFd: prog })));
      return undefined;
    } finally {
      closeAll(fds);
    }
  });
}

// ---------- attach kinds: the minimal real attachment of each ----------

/** A tracepoint program on syscalls:sys_enter_getpid through perf_event_open + PERF_EVENT_IOC_SET_BPF (not enabled). */
export function haveTracepointAttach(): Feature {
  return cached('tracepoint', () => {
    const id = tracepointIdOf('syscalls', 'sys_enter_getpid');
    if (typeof id === 'string') return id;
    const fds: number[] = [];
    try {
      const prog = tryLoad({ name: 'probe', type: ProgType.TRACEPOINT, insns: RETURN_ZERO });
      fds.push(prog);
      const pfd = openPerfEvent({ type: PerfType.TRACEPOINT, config: BigInt(id), samplePeriod: 1n, flags: PerfAttrFlag.DISABLED }, -1, 0);
      fds.push(pfd);
      sys().ioctl(pfd, PerfIoctl.SET_BPF, prog);
      return undefined;
    } finally {
      closeAll(fds);
    }
  });
}

export function haveRawTracepointAttach(): Feature {
  return cached('raw_tracepoint', () => {
    const fds: number[] = [];
    try {
      const prog = tryLoad({ name: 'probe', type: ProgType.RAW_TRACEPOINT, insns: RETURN_ZERO });
      fds.push(prog);
      const name = cString('sys_enter');
      fds.push(sys().bpf(BpfCmd.RAW_TRACEPOINT_OPEN, encodeAttr(RawTracepointOpenAttr, { name: sys().address(name), progFd: prog })));
      return undefined;
    } finally {
      closeAll(fds);
    }
  });
}

/** A kprobe (or kretprobe) through the kprobe PMU on a function every kernel has. */
export function haveKprobeAttach(ret = false): Feature {
  return cached(ret ? 'kretprobe' : 'kprobe', () => {
    const kp = haveKprobes();
    if (!kp.ok) return kp.reason;
    const type = pmuType('kprobe');
    if (type === undefined) return 'no kprobe PMU: only tracefs kprobe_events, which bpfkit does not use';
    let config = 0n;
    if (ret) {
      const bit = pmuFormatField('kprobe', 'retprobe');
      if (bit === undefined) return 'the kprobe PMU has no retprobe format bit';
      config = 1n << BigInt(bit.lowBit);
    }
    const func = cString('do_sys_openat2');
    closeAll([openPerfEvent({ type, config, config1: sys().address(func), config2: 0n, samplePeriod: 1n, flags: PerfAttrFlag.DISABLED }, -1, 0)]);
    return undefined;
  });
}

/**
 * uprobes (or uretprobes): the uprobe PMU and, for returns, its retprobe format bit. An actual open would cost an
 * RCU grace period on close (about 80 ms each) for no more certainty: the PMU exists only when uprobes are built in.
 * `openUprobeCheck` below does the real open, for tests and callers that want it.
 */
export function haveUprobeAttach(ret = false): Feature {
  return cached(ret ? 'uretprobe' : 'uprobe', () => {
    const up = haveUprobes();
    if (!up.ok) return up.reason;
    // uprobes run kprobe-type programs: without the right to load one, the PMU is of no use.
    const prog = haveProgType(ProgType.KPROBE);
    if (!prog.ok) return prog.reason;
    if (pmuType('uprobe') === undefined) return 'no uprobe PMU: only tracefs uprobe_events, which bpfkit does not use';
    if (ret && pmuFormatField('uprobe', 'retprobe') === undefined) return 'the uprobe PMU has no retprobe format bit';
    return undefined;
  });
}

/** Opens (and closes) a uprobe perf event on this process's executable at offset 0: the full check. */
export function openUprobeCheck(ret = false): Feature {
  return cached(ret ? 'uretprobe open' : 'uprobe open', () => {
    const pre = haveUprobeAttach(ret);
    if (!pre.ok) return pre.reason;
    const type = pmuType('uprobe') ?? 0;
    const bit = pmuFormatField('uprobe', 'retprobe');
    const config = ret && bit ? 1n << BigInt(bit.lowBit) : 0n;
    const path = cString(process.execPath);
    // Offset 0 is inside the file; nothing is enabled, so no breakpoint is written.
    closeAll([openPerfEvent({ type, config, config1: sys().address(path), config2: 0n, samplePeriod: 1n, flags: PerfAttrFlag.DISABLED }, process.pid, -1)]);
    return undefined;
  });
}

/** USDT probes are uprobes; semaphores need the PMU's ref_ctr_offset field. */
export function haveUsdt(): Feature {
  return cached('usdt', () => {
    const up = haveUprobeAttach();
    if (!up.ok) return up.reason;
    if (pmuFormatField('uprobe', 'ref_ctr_offset') === undefined) return 'the uprobe PMU has no ref_ctr_offset, needed for USDT semaphores';
    return undefined;
  });
}

/** A perf_event program on a sampling event (software cpu-clock, or hardware cycles). */
export function havePerfEventAttach(hardware = false): Feature {
  return cached(hardware ? 'perf event (hardware)' : 'perf event (software)', () => {
    const fds: number[] = [];
    try {
      const pfd = openPerfEvent(
        hardware
          ? { type: PerfType.HARDWARE, config: BigInt(PerfHwId.CPU_CYCLES), samplePeriod: 1_000_000n, flags: PerfAttrFlag.DISABLED }
          : { type: PerfType.SOFTWARE, config: BigInt(PerfSwId.CPU_CLOCK), sampleFreq: 99n, flags: PerfAttrFlag.DISABLED },
        -1,
        0,
      );
      fds.push(pfd);
      const prog = tryLoad({ name: 'probe', type: ProgType.PERF_EVENT, insns: RETURN_ZERO });
      fds.push(prog);
      sys().ioctl(pfd, PerfIoctl.SET_BPF, prog);
      return undefined;
    } catch (err) {
      if (hardware && err instanceof SysError && (err.errno === Errno.ENOENT || err.errno === Errno.EOPNOTSUPP)) {
        return `${err.code}: no hardware PMU, usual in a VM`;
      }
      throw err;
    } finally {
      closeAll(fds);
    }
  });
}

/** The attach kinds `bpfkit --info` lists, in order. */
export const ATTACH_KINDS: ReadonlyArray<readonly [string, () => Feature]> = [
  ['tracepoint', () => haveTracepointAttach()],
  ['raw tracepoint', () => haveRawTracepointAttach()],
  ['tp_btf', () => haveTpBtf()],
  ['fentry', () => haveFentry('fentry')],
  ['fexit', () => haveFentry('fexit')],
  ['iter', () => haveIter('task')],
  ['kprobe', () => haveKprobeAttach(false)],
  ['kretprobe', () => haveKprobeAttach(true)],
  ['uprobe', () => haveUprobeAttach(false)],
  ['uretprobe', () => haveUprobeAttach(true)],
  ['usdt', () => haveUsdt()],
  ['perf event (software)', () => havePerfEventAttach(false)],
  ['perf event (hardware)', () => havePerfEventAttach(true)],
  ['watchpoint', () => haveHardwareBreakpoints()],
];

/** Program types bpfkit loads, then a few others worth knowing about. */
export const PROBED_PROG_TYPES: readonly ProgType[] = [
  ProgType.TRACEPOINT,
  ProgType.RAW_TRACEPOINT,
  ProgType.TRACING,
  ProgType.KPROBE,
  ProgType.PERF_EVENT,
  ProgType.SOCKET_FILTER,
  ProgType.SCHED_CLS,
  ProgType.XDP,
  ProgType.CGROUP_SKB,
];

export const PROBED_MAP_TYPES: readonly MapType[] = [
  MapType.HASH,
  MapType.ARRAY,
  MapType.PERCPU_HASH,
  MapType.PERCPU_ARRAY,
  MapType.LRU_HASH,
  MapType.LRU_PERCPU_HASH,
  MapType.STACK_TRACE,
  MapType.RINGBUF,
  MapType.PERF_EVENT_ARRAY,
  MapType.LPM_TRIE,
  MapType.QUEUE,
  MapType.STACK,
  MapType.BLOOM_FILTER,
];

/** Throws UnsupportedFeatureError (with the probe's reason) unless the feature works. */
export function requireFeature(f: Feature): void {
  if (!f.ok) throw new UnsupportedFeatureError(f.name, f.reason);
}

/** Forgets cached results (tests that change the environment). */
export function clearFeatureCache(): void {
  cache.clear();
}
