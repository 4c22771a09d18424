// Turns an artifact into kernel objects: every map created, every program's map loads patched with the
// maps' fds and loaded. Nothing is attached here (attach.ts does that).
import { applyRelocations } from '../isa/index.js';
import { VerifierError } from '../kernel/errors.js';
import { vmlinuxBtfId } from '../kernel/features.js';
import { createMap, type BpfMap } from '../kernel/map.js';
import { loadProgram, type Program } from '../kernel/program.js';
import { loadBtfObject, type BtfObject } from '../kernel/btf-object.js';
import type { CompiledArtifact, MapDef, ProbeProgram } from '../lang/codegen/artifact.js';
import { Errno, SysError } from '../sys/index.js';
import { ProgramLoadError, ScriptRunError } from './errors.js';
import { strerror } from './output/index.js';

const LOAD_ATTEMPTS = 5;

export interface LoadOptions {
  /** -v: keep every verifier log (printed with instruction counts) and put the full log in errors. */
  readonly verbose?: boolean;
}

export interface LoadedProgram {
  readonly def: ProbeProgram;
  readonly program: Program;
}

export interface LoadedScript {
  readonly artifact: CompiledArtifact;
  /** By the artifact's map name (`@x`, `ringbuf`, ...). */
  readonly maps: ReadonlyMap<string, BpfMap>;
  /** In `artifact.probes` order. */
  readonly programs: readonly LoadedProgram[];
  close(): void;
}

/** The kernel object name of a map: user maps as bpftrace names them (`AT_x`), internal ones as they are. */
function kernelMapName(def: MapDef): string {
  if (def.user === undefined) return def.name;
  return `AT_${def.name.slice(1)}`;
}

export function loadScript(artifact: CompiledArtifact, options: LoadOptions = {}): LoadedScript {
  const maps = new Map<string, BpfMap>();
  const programs: LoadedProgram[] = [];
  // Loaded once, and only when some program has callback subprograms (for over a map) that need func_info.
  let btf: BtfObject | undefined;
  const btfFd = (): number => (btf ??= loadBtfObject(artifact.btf)).fd;
  const close = (): void => {
    for (const p of programs) p.program.close();
    for (const m of maps.values()) m.close();
    btf?.close();
  };
  try {
    for (const def of artifact.maps) {
      maps.set(def.name, createMap({ name: kernelMapName(def), type: def.type, keySize: def.keySize, valueSize: def.valueSize, maxEntries: def.maxEntries, flags: def.flags ?? 0 }));
    }
    for (const def of artifact.probes) programs.push({ def, program: loadOne(def, maps, options, btfFd) });
  } catch (err) {
    close();
    throw err;
  }
  return { artifact, maps, programs, close };
}

function loadOne(def: ProbeProgram, maps: ReadonlyMap<string, BpfMap>, options: LoadOptions, btfFd: () => number): Program {
  const insns = applyRelocations(def.insns, def.relocations, (name) => maps.get(name)?.fd);
  let attachBtfId: number | undefined;
  if (def.attachBtfName !== undefined) {
    attachBtfId = vmlinuxBtfId(def.attachBtfName, def.attachBtfName.startsWith('btf_trace_') ? 'typedef' : 'func');
    if (attachBtfId === undefined) throw new ScriptRunError(`Error loading BPF program for ${def.probe}: no BTF type ${def.attachBtfName} in the kernel`);
  }
  const spec = {
    name: def.name,
    type: def.progType,
    insns,
    ...(def.expectedAttachType !== undefined ? { expectedAttachType: def.expectedAttachType } : {}),
    ...(attachBtfId !== undefined ? { attachBtfId } : {}),
    ...(options.verbose ? { logLevel: 1 as const } : {}),
    ...(def.funcInfo.length > 0 ? { funcInfo: { btfFd: btfFd(), records: def.funcInfo } } : {}),
  };
  try {
    // The verifier gives up with EAGAIN when a signal arrives mid-check (SIGCHLD from a -c command, a
    // profiler's SIGPROF); like libbpf, try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return loadProgram(spec);
      } catch (err) {
        if (!(err instanceof SysError && err.errno === Errno.EAGAIN && attempt < LOAD_ATTEMPTS)) throw err;
      }
    }
  } catch (err) {
    if (err instanceof VerifierError) {
      const reason = err.message.split(': ').slice(2).join(': ') || undefined;
      throw new ProgramLoadError(def.probe, err.errno, strerror(err.errno), reason, err.log, options.verbose ?? false);
    }
    if (err instanceof SysError) {
      throw new ProgramLoadError(def.probe, err.errno, strerror(err.errno), err.hint, [], false);
    }
    throw err;
  }
}
