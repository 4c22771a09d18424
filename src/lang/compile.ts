// The compiler's entry: bpftrace source in, a CompiledArtifact (programs, maps, events; see
// codegen/artifact.ts) and diagnostics out.
//
//   compile(source: string, filename: string, options?: CompileOptions): CompileResult
//
// `artifact` is undefined when any error was reported; `diagnostics` holds errors and warnings with source
// ranges (print them with formatDiagnostics). Nothing here touches the kernel except reading its catalogues
// (tracefs formats, BTF), which options can replace with fakes. The result also keeps the typed context for
// the `-d`/`--emit` dumps (dumpTypedAst, dumpBytecode).
import { statSync } from 'node:fs';
import { loadKernelBtf, type Btf } from '../btf/index.js';
import { AssemblerError, InsnError } from '../isa/index.js';
import { possibleCpus } from '../kernel/cpus.js';
import { TraceEvents } from '../tracefs/index.js';
import type { Node } from './ast/node.js';
import { CodegenError, generateProgram } from './codegen/codegen.js';
import { FUNC_INFO_BTF } from './codegen/func-info.js';
import { ARTIFACT_VERSION, SCRATCH_MAP, type CompiledArtifact, type Feature, type MapDef, type ProbeProgram } from './codegen/artifact.js';
import { Diagnostics } from './diagnostics.js';
import { ScriptTypes } from './c-types.js';
import { parse } from './parser.js';
import { PASSES } from './passes/index.js';
import { defaultConfig } from './passes/config.js';
import type { CompileContext, CompileOptions, TracepointCatalog } from './passes/context.js';
import type { SizedType } from './types.js';

export interface CompileResult {
  readonly artifact: CompiledArtifact | undefined;
  readonly diagnostics: Diagnostics;
  /** The passes' facts (types per node, expanded probes), for dumps; undefined when parsing failed. */
  readonly context: CompileContext | undefined;
}

/** Which pass to stop after (for `--dry-run`-like checks and tests); default: generate code. */
export interface CompileStop {
  readonly stopAfter?: 'parse' | 'config' | 'macro-expansion' | 'probe-expansion' | 'semantic' | 'resources';
}

export function compile(source: string, filename: string, options: CompileOptions & CompileStop = {}): CompileResult {
  const parsed = parse(source, filename);
  const diagnostics = parsed.diagnostics;
  if (!diagnostics.ok || options.stopAfter === 'parse') return { artifact: undefined, diagnostics, context: undefined };
  const opts: CompileOptions = {
    ...options,
    tracepoints: options.tracepoints ?? lazyTracefs(),
    btf: options.btf ?? defaultBtf,
    cpus: options.cpus ?? safeCpuCount(),
  };
  let btfCache: Btf | undefined | null = null;
  let scriptTypes: ScriptTypes | undefined;
  const ctx: CompileContext = {
    program: parsed.program,
    diagnostics,
    options: opts,
    filename,
    config: defaultConfig(),
    probes: [],
    types: { nodeTypes: new Map(), mapKeys: new Map(), mapValues: new Map(), variables: new Map(), cfields: new Map(), varKeys: new Map(), constants: new Map(), stringConstants: new Map() },
    resources: undefined,
    expansions: new WeakMap(),
    btf: () => {
      if (btfCache === null) {
        try {
          btfCache = opts.btf?.();
        } catch {
          btfCache = undefined;
        }
      }
      return btfCache;
    },
    scriptTypes: () => (scriptTypes ??= new ScriptTypes(parsed.program.c, () => ctx.btf())),
  };
  for (const pass of PASSES) {
    pass.run(ctx);
    if (!diagnostics.ok || options.stopAfter === pass.name) return { artifact: undefined, diagnostics, context: ctx };
  }
  if (ctx.probes.length === 0) {
    diagnostics.error('No probes to attach');
    return { artifact: undefined, diagnostics, context: ctx };
  }
  const probes: ProbeProgram[] = [];
  let scratch = 8;
  // bpftrace's tests step time through this map (a test hook read from the environment, as bpftrace does).
  const dummyTsMap = process.env['BPFTRACE_DUMMY_TS_MAP'];
  const pidNamespace = ownPidNamespace();
  ctx.probes.forEach((ep, i) => {
    try {
      const g = generateProgram(ctx, ep, i, { dummyTsMap: dummyTsMap === undefined || dummyTsMap === '' ? undefined : dummyTsMap, pidNamespace });
      scratch = Math.max(scratch, g.scratchSize);
      probes.push({
        name: programName(ep.target.kind, i),
        probe: ep.name,
        written: ep.attachPoint.raw,
        target: ep.target,
        progType: ep.progType,
        expectedAttachType: ep.expectedAttachType,
        attachBtfName: ep.attachBtfName,
        insns: g.insns,
        relocations: g.relocations,
        funcInfo: g.funcInfo,
      });
    } catch (err) {
      if (err instanceof CodegenError) diagnostics.error(err.message, (err.node ?? ep.probe).range);
      // An operand the instruction set cannot encode, or a jump too far: the program is beyond what we generate.
      else if (err instanceof InsnError || err instanceof AssemblerError) diagnostics.error(`Cannot generate code for ${ep.name}: ${err.message}`, ep.probe.range);
      else throw err;
    }
  });
  if (!diagnostics.ok) return { artifact: undefined, diagnostics, context: ctx };
  const maps: MapDef[] = ctx.resources!.maps.map((m) => (m.name === SCRATCH_MAP ? { ...m, valueSize: scratch } : m));
  const artifact: CompiledArtifact = {
    version: ARTIFACT_VERSION,
    filename,
    probes,
    maps,
    events: ctx.resources!.events,
    config: ctx.config,
    positional: options.positional ?? [],
    features: features(probes, maps),
    btf: FUNC_INFO_BTF,
  };
  return { artifact, diagnostics, context: ctx };
}

/** The initial PID namespace's inode number (PROC_PID_INIT_INO). */
const INIT_PID_NS_INO = 0xeffffffcn;

/** This process's PID namespace when it is not the initial one (pid and tid then read as it sees them). */
function ownPidNamespace(): { dev: bigint; ino: bigint } | undefined {
  try {
    const st = statSync('/proc/self/ns/pid', { bigint: true });
    return st.ino === INIT_PID_NS_INO ? undefined : { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

function programName(kind: string, i: number): string {
  const short: Record<string, string> = { tracepoint: 'tp', rawtracepoint: 'rawtp', kprobe: 'kprobe', uprobe: 'uprobe' };
  return `bt_${short[kind] ?? kind}_${i}`.slice(0, 15);
}

function features(probes: readonly ProbeProgram[], maps: readonly MapDef[]): Feature[] {
  const out = new Set<Feature>(['ringbuf']);
  for (const p of probes) {
    const t = p.target;
    if (t.kind === 'begin' || t.kind === 'end') out.add('raw_tracepoint');
    if (t.kind === 'rawtracepoint') out.add(t.btf ? 'tp_btf' : 'raw_tracepoint');
    if (t.kind === 'profile' || t.kind === 'interval' || t.kind === 'software' || t.kind === 'hardware') out.add('perf_event');
    if (t.kind === 'uprobe' || t.kind === 'usdt') out.add('uprobe');
    if (t.kind === 'kprobe') out.add('kprobe');
    if (t.kind === 'fentry') out.add('fentry');
  }
  if (maps.some((m) => m.name.startsWith('stack_'))) out.add('get_stack');
  return [...out];
}

let tracefs: TraceEvents | undefined;

/** The machine's tracepoints, opened on first use so that scripts without tracepoints never need tracefs. */
function lazyTracefs(): TracepointCatalog {
  const get = (): TraceEvents => (tracefs ??= new TraceEvents());
  return {
    categories: () => get().categories(),
    events: (c) => get().events(c),
    format: (c, n) => get().format(c, n),
  };
}

function defaultBtf() {
  try {
    return loadKernelBtf();
  } catch {
    return undefined;
  }
}

function safeCpuCount(): number {
  try {
    return possibleCpus().length;
  } catch {
    return 1;
  }
}

/** The type the semantic pass gave a node in the first expanded probe that has one. */
export function nodeType(ctx: CompileContext, node: Node): SizedType | undefined {
  for (const m of ctx.types.nodeTypes.values()) {
    const t = m.get(node);
    if (t) return t;
  }
  return undefined;
}
