// The decode context of a live session: kernel and user symbols, stack maps, clock offsets, cgroup paths and
// user names, each loaded on first use so that scripts that need none of them pay nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BpfMap } from '../kernel/map.js';
import { STACK_BUILD_ID_FRAME_SIZE, stackMapName, type CompiledArtifact } from '../lang/codegen/artifact.js';
import type { SizedType } from '../lang/types.js';
import { demangle, kernelSymbols, UserSymbolizer, type KernelSymbols, type SourceLine } from '../symbols/index.js';
import type { BuildIdFrame, DecodeContext } from './decode.js';
import { encodeUint } from './decode.js';

export interface SymbolizeOptions {
  /**
   * Executables the probes attach to (uprobe and usdt targets). When a process can no longer be read (it
   * exited before its stack was printed, or it lives in a PID namespace whose pids this one cannot see),
   * its addresses are looked up in these files, where they load when position-dependent.
   */
  readonly programs?: readonly string[];
  /** where perf-PID.map files are read from; '/tmp' unless given */
  readonly perfMapDir?: string;
}

/** The decode context plus the hook that lets the event loop capture a process's memory map while it still runs. */
export interface SessionDecodeContext extends DecodeContext {
  kernelSymbol(address: bigint, withOffset: boolean): string | undefined;
  userSymbol(address: bigint, pid: number, withOffset: boolean): string | undefined;
  stackAddresses(type: Extract<SizedType, { kind: 'stack' }>, id: number): bigint[];
  stackBuildIds(type: Extract<SizedType, { kind: 'stack' }>, id: number): BuildIdFrame[];
  stackFrame(address: bigint, user: boolean, pid: number, perf: boolean): string[];
  /** Reads /proc/PID/maps now (once per pid), so stacks printed after the process exits still resolve. */
  captureProcess(pid: number): void;
}

/** The executables a compiled script's uprobe and usdt probes attach to: the `programs` of SymbolizeOptions. */
export function probeExecutables(artifact: CompiledArtifact): string[] {
  const out = new Set<string>();
  for (const p of artifact.probes) {
    if (p.target.kind === 'uprobe' || p.target.kind === 'usdt') out.add(p.target.path);
  }
  return [...out];
}

const FALSY = ['false', '0', 0, false];

/** `@dir/file:line`, or nothing without a location. */
function at(where: SourceLine | undefined): string {
  if (!where) return '';
  return `@${where.dir === '' ? '' : `${where.dir}/`}${where.file}:${where.line}`;
}

export function sessionDecodeContext(
  maps: ReadonlyMap<string, BpfMap>,
  raw: Readonly<Record<string, string | number | boolean>>,
  maxStrlen: number,
  options: SymbolizeOptions = {},
): SessionDecodeContext {
  let ksyms: KernelSymbols | undefined | null = null;
  const kernel = (): KernelSymbols | undefined => {
    if (ksyms === null) {
      try {
        ksyms = kernelSymbols();
      } catch {
        ksyms = undefined;
      }
    }
    return ksyms;
  };
  // bpftrace prints user symbols demangled unless config cpp_demangle is off.
  const cppDemangle = !FALSY.includes(raw['cpp_demangle'] as string | number | boolean);
  // and adds @file:line to user frames of bpftrace-mode stacks when the file has DWARF lines, unless show_debug_info is off.
  const debugInfo = !FALSY.includes(raw['show_debug_info'] as string | number | boolean);
  const userName = (name: string): string => (cppDemangle ? demangle(name) : name);
  const symbolizerOptions = options.perfMapDir !== undefined ? { perfMapDir: options.perfMapDir } : {};
  const programs = options.programs ?? [];
  const users = new Map<number, UserSymbolizer | undefined>();
  const user = (pid: number): UserSymbolizer | undefined => {
    if (!users.has(pid)) {
      let symbolizer: UserSymbolizer | undefined;
      try {
        symbolizer = UserSymbolizer.capture(pid, symbolizerOptions);
      } catch {
        symbolizer = undefined;
      }
      // A zombie's map is empty: as good as gone. What is left: the probes' fixed-address executables, and a
      // JIT's perf map, which outlives its process.
      if (!symbolizer || symbolizer.mappings().length === 0) {
        symbolizer = UserSymbolizer.fromExecutables(pid, programs, symbolizerOptions);
      }
      users.set(pid, symbolizer);
    }
    return users.get(pid);
  };
  const hex = (address: bigint): string => `0x${address.toString(16)}`;
  const kname = (address: bigint, withOffset: boolean): string | undefined => {
    const hit = kernel()?.lookup(address);
    if (!hit) return undefined;
    return withOffset ? `${hit.name}+${hit.offset}` : hit.name;
  };
  const uname = (address: bigint, pid: number, withOffset: boolean): string | undefined => {
    const hit = user(pid)?.symbolize(address);
    if (!hit || hit.name === undefined) return undefined;
    return withOffset ? `${userName(hit.name)}+${hit.offset}` : userName(hit.name);
  };
  const userFrames = new Map<string, string[]>();
  /** The lines of one user frame, or undefined when the address has no symbol. */
  const userFrame = (address: bigint, pid: number, perf: boolean): string[] | undefined => {
    const symbolizer = user(pid);
    const hit = symbolizer?.symbolize(address);
    if (!hit || hit.name === undefined) return undefined;
    const name = `${userName(hit.name)}+${hit.offset}`;
    // With debug info on, calls the compiler inlined here come first, innermost first. Each line's location
    // is where that frame's code is: the address's own line for the innermost, call sites for the others.
    const inlined = debugInfo && symbolizer ? symbolizer.inlinedFrames(address, !perf) : [];
    if (perf) return [...inlined.reverse().map((f) => `${userName(f.name)} (inlined)`), `${name} (${hit.module || '[unknown]'})`];
    if (!debugInfo) return [name];
    let where = symbolizer?.sourceLine(address);
    const out: string[] = [];
    for (let k = inlined.length - 1; k >= 0; k--) {
      const frame = inlined[k]!;
      out.push(`[inlined] ${userName(frame.name)}${at(where)}`);
      where = frame.callSite;
    }
    out.push(`${name}${at(where)}`);
    return out;
  };
  // Wall-clock time minus each clock, taken once: CLOCK_MONOTONIC is what process.hrtime reads; boot time
  // differs from it only by time spent suspended, which this reading does not see.
  const wallNs = BigInt(Date.now()) * 1_000_000n;
  const monoOffset = wallNs - process.hrtime.bigint();
  const trailer = raw['str_trunc_trailer'];
  let names: Map<number, string> | undefined;
  return {
    ...(typeof trailer === 'string' ? { truncationTrailer: trailer } : {}),
    maxStrlen,
    kernelSymbol: kname,
    userSymbol: uname,
    captureProcess(pid: number): void {
      user(pid);
    },
    stackAddresses(t: Extract<SizedType, { kind: 'stack' }>, id: number): bigint[] {
      const map = maps.get(stackMapName(t));
      if (!map) return [];
      const value = map.lookup(encodeUint(BigInt(id), 4));
      if (!value) return [];
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      const out: bigint[] = [];
      for (let at = 0; at + 8 <= value.byteLength; at += 8) {
        const a = view.getBigUint64(at, true);
        if (a === 0n) break;
        out.push(a);
      }
      return out;
    },
    stackBuildIds(t: Extract<SizedType, { kind: 'stack' }>, id: number): BuildIdFrame[] {
      const value = maps.get(stackMapName(t))?.lookup(encodeUint(BigInt(id), 4));
      return value ? buildIdFrames(value) : [];
    },
    stackFrame(address: bigint, isUser: boolean, pid: number, perf: boolean): string[] {
      // Kernel frames carry no module, in perf mode too; unknown addresses print as 0x-prefixed hex.
      if (!isUser) return [kname(address, true) ?? hex(address)];
      // Maps of stacks repeat the same frames many times over; only resolved frames are kept (a JIT may name
      // an unknown address later).
      const key = `${pid}:${perf ? 'p' : 'b'}:${address}`;
      const cached = userFrames.get(key);
      if (cached) return cached;
      const frames = userFrame(address, pid, perf);
      if (frames) userFrames.set(key, frames);
      return frames ?? [perf ? `${hex(address)} ([unknown])` : hex(address)];
    },
    epochOffsetNs(mode): bigint {
      // TAI runs 37 s ahead of UTC (since 2017).
      if (mode === 'tai' || mode === 'sw_tai') return -37_000_000_000n;
      return monoOffset;
    },
    cgroupPath(id: bigint): string {
      return cgroupPaths(id);
    },
    userName(uid: number): string {
      names ??= readPasswd();
      return names.get(uid) ?? String(uid);
    },
  };
}

const BUILD_ID_VALID = 1;
const BUILD_ID_SIZE = 20;

/**
 * The frames of a build_id stack-map value: struct bpf_stack_build_id { s32 status; u8 build_id[20];
 * union { u64 offset; u64 ip; } } (the union at 24 after padding). The kernel zeroes the frames past the
 * stack's end, and status 0 (BPF_STACK_BUILD_ID_EMPTY) is never a real frame's, so it ends the stack.
 */
export function buildIdFrames(value: Uint8Array): BuildIdFrame[] {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out: BuildIdFrame[] = [];
  for (let at = 0; at + STACK_BUILD_ID_FRAME_SIZE <= value.byteLength; at += STACK_BUILD_ID_FRAME_SIZE) {
    const status = view.getInt32(at, true);
    if (status === 0) break;
    const address = view.getBigUint64(at + 24, true);
    const buildId = status === BUILD_ID_VALID ? Buffer.from(value.subarray(at + 4, at + 4 + BUILD_ID_SIZE)).toString('hex') : undefined;
    out.push({ buildId, address });
  }
  return out;
}

function readPasswd(): Map<number, string> {
  const out = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const parts = line.split(':');
      if (parts.length > 2 && !out.has(Number(parts[2]))) out.set(Number(parts[2]), parts[0]!);
    }
  } catch {
    // No passwd: uids print as numbers.
  }
  return out;
}

// cgroup_path(): `NAME:PATH` in each cgroup hierarchy that has the cgroup, comma-separated, as bpftrace
// prints it: the cgroup2 hierarchy (named `unified`) first, then the v1 ones by name.
function cgroupPaths(id: bigint): string {
  const v2: [string, string][] = [];
  const v1: [string, string][] = [];
  try {
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, dir, type] = line.split(' ');
      if (dir === undefined) continue;
      if (type === 'cgroup2') v2.push(['unified', dir]);
      else if (type === 'cgroup') v1.push([dir.slice(dir.lastIndexOf('/') + 1), dir]);
    }
  } catch {
    return '';
  }
  v1.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const parts: string[] = [];
  for (const [name, root] of [...v2, ...v1]) {
    const path = findCgroup(id, root);
    if (path !== undefined) parts.push(`${name}:${path}`);
  }
  return parts.join(',');
}

// cgroup ids are the inode numbers of the cgroup directories.
function findCgroup(id: bigint, root: string): string | undefined {
  const walk = (dir: string, rel: string, depth: number): string | undefined => {
    try {
      if (BigInt(statSync(dir, { bigint: true }).ino) === id) return rel === '' ? '/' : rel;
    } catch {
      return undefined;
    }
    if (depth > 8) return undefined;
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return undefined;
    }
    for (const e of entries) {
      const hit = walk(join(dir, e), `${rel}/${e}`, depth + 1);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  return walk(root, '', 0);
}
