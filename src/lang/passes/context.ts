// What the passes share: the options a compile runs with, the kernel catalogues they consult (swappable for
// tests), and the facts each pass adds for the later ones (expanded probes, types, resources).
import type { Btf } from '../../btf/index.js';
import type { UsdtArg } from '../../elf/usdt.js';
import type { EventFormat } from '../../tracefs/index.js';
import type { AttachType, ProgType } from '../../sys/uapi.js';
import type * as A from '../ast/index.js';
import type { Node } from '../ast/node.js';
import type { Diagnostics } from '../diagnostics.js';
import type { Range } from '../source.js';
import type { AttachTarget, ArtifactConfig, EventDef, MapDef } from '../codegen/artifact.js';
import type { SizedType } from '../types.js';
import type { CField } from '../btf-types.js';
import type { ScriptTypes } from '../c-types.js';

/** The tracepoints the machine offers: tracefs in production (src/tracefs TraceEvents), a fake in tests. */
export interface TracepointCatalog {
  categories(): string[];
  events(category: string): string[];
  format(category: string, name: string): EventFormat;
}

export interface CompileOptions {
  /** $1..$N as given on the command line. */
  readonly positional?: readonly string[];
  /** Config from the command line / environment; it wins over the script's `config = {}` block. */
  readonly config?: Readonly<Record<string, string | number | boolean>>;
  /** --unsafe: allows system() and other destructive functions. */
  readonly unsafe?: boolean;
  /** Defaults to this machine's tracefs. */
  readonly tracepoints?: TracepointCatalog;
  /** Kernel BTF for rawtracepoint/tp_btf arguments; defaults to /sys/kernel/btf/vmlinux, undefined = none. */
  readonly btf?: () => Btf | undefined;
  /** Number of possible CPUs (sizes the scratch map); defaults to this machine's. */
  readonly cpus?: number;
  /** -p PID: user-space probes with no path (or `*`) match the files this process maps; names resolve in it. */
  readonly pid?: number;
  /** Named parameters (getopt) given as --name=value. */
  readonly named?: Readonly<Record<string, string>>;
  /**
   * Which run-time failures the programs report (see codegen/runtime-errors.ts): 0 none (--no-warnings),
   * 1 helper failures other than reads and lookups (the default), 2 all (-k).
   */
  readonly warningLevel?: 0 | 1 | 2;
  /** -I DIR: directories searched for the script's #include files before the system ones. */
  readonly includeDirs?: readonly string[];
}

/** One field of a probe's `args`: where it sits in the context and how to read it. */
export interface ArgField {
  readonly name: string;
  readonly type: SizedType;
  readonly offset: number;
  /** `__data_loc` strings: a u32 (len << 16 | offset) at `offset`. */
  readonly dataLoc: boolean;
  /** Pointer fields of syscall tracepoints point into user memory. */
  readonly userPointer: boolean;
}

/** One probe after wildcard expansion: what a program is generated for. */
export interface ExpandedProbe {
  readonly probe: A.Probe;
  readonly attachPoint: A.AttachPoint;
  /** Full name for the `probe` builtin. */
  readonly name: string;
  readonly target: AttachTarget;
  readonly progType: ProgType;
  readonly expectedAttachType: AttachType | undefined;
  readonly attachBtfName: string | undefined;
  /** `args` of tracepoints and raw tracepoints; undefined where the probe has none. */
  args: ArgField[] | undefined;
  /** USDT probes: where each argument is (register, memory, constant), from the probe's note. */
  usdtArgs?: readonly UsdtArg[];
  /** How argN / retval are read: from pt_regs (kprobe/uprobe), u64 array (raw tp, tp_btf), none. */
  readonly argsKind: 'tracepoint' | 'u64-array' | 'pt_regs' | 'none';
}

/** Type facts from the semantic pass. Node types are per expanded probe (args differ between tracepoints). */
export interface TypeFacts {
  /** Types of nodes, by expanded probe index. */
  readonly nodeTypes: Map<number, Map<Node, SizedType>>;
  readonly mapKeys: Map<string, SizedType[]>;
  readonly mapValues: Map<string, SizedType>;
  /** Scratch variables by probe (AST node) then name. */
  readonly variables: Map<A.Probe, Map<string, SizedType>>;
  /** Where the kernel struct field of a FieldAccess node is (BTF types). */
  readonly cfields: Map<Node, CField>;
  /** Values known at compile time: #define'd and enum names, sizeof(), getopt() of integers and booleans. */
  readonly constants: Map<Node, bigint>;
  /** Strings known at compile time: getopt() of a string option given on the command line. */
  readonly stringConstants: Map<Node, string>;
  /** The variable slot (name, or loop-scoped `$kv#0`) each Variable node refers to. */
  readonly varKeys: Map<Node, string>;
}

export interface Resources {
  readonly maps: MapDef[];
  readonly events: EventDef[];
  /** Event id of each event-emitting call node. */
  readonly eventOf: Map<Node, number>;
}

export interface CompileContext {
  readonly program: A.Program;
  readonly diagnostics: Diagnostics;
  readonly options: CompileOptions;
  readonly filename: string;
  config: ArtifactConfig;
  probes: ExpandedProbe[];
  types: TypeFacts;
  resources: Resources | undefined;
  /**
   * Nodes that macro expansion copied out of a macro's body: the call sites they were expanded from, innermost
   * first (bpftrace prints them as "expanded from" notes under errorf() and run-time warnings).
   */
  readonly expansions: WeakMap<Node, readonly Range[]>;
  /** Kernel BTF, loaded on first use (undefined when the machine has none). */
  btf(): Btf | undefined;
  /** Structs the script's C preamble declares. */
  scriptTypes(): ScriptTypes;
}
