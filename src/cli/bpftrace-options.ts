// bpftrace's command line, parsed the way bpftrace (getopt_long) parses it, into a typed value.

export type DebugStage = 'ast' | 'types' | 'codegen' | 'codegen-opt' | 'libbpf' | 'verifier' | 'parse' | 'dis';
const DEBUG_STAGES: readonly DebugStage[] = ['ast', 'types', 'codegen', 'codegen-opt', 'libbpf', 'verifier', 'parse', 'dis'];

export interface BpftraceOptions {
  program: string | undefined; // -e
  file: string | undefined; // FILE, `-` for stdin
  params: string[]; // positional parameters ($1...)
  namedParams: string[]; // `--name=value` after the program
  debug: Set<DebugStage>;
  list: boolean;
  listSearch: string | undefined;
  verbose: boolean;
  quiet: boolean;
  pid: string | undefined;
  cmd: string | undefined;
  output: string | undefined;
  format: string | undefined;
  buffering: 'line' | 'full' | 'none' | undefined;
  includeDirs: string[];
  includeFiles: string[];
  dryRun: boolean;
  unsafe: boolean;
  help: boolean;
  version: boolean;
  info: boolean;
  fmt: boolean;
  warnings: 'default' | 'none' | 'all';
  mode: string | undefined;
  probeFilter: string | undefined;
  emitElf: string | undefined;
  emitLlvm: string | undefined;
  noFeature: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const MODES = ['codegen', 'compiler-bench', 'bench', 'test', 'format'];

const SHORT_WITH_ARG = new Set(['d', 'B', 'f', 'e', 'p', 'c', 'o', 'I']);
const SHORT_FLAGS = new Set(['b', 'h', 'l', 'v', 'q', 'V', 'k']);
const LONG_WITH_ARG = new Set([
  'aot', 'cmd', 'debug', 'debuginfo', 'emit-elf', 'emit-llvm', 'include', 'no-feature', 'output', 'pid', 'probe-filter',
  'mode', 'dwarf-pid', 'traceable-functions',
]);
const LONG_FLAGS = new Set([
  'bench', 'btf', 'dry-run', 'fmt', 'help', 'info', 'list', 'no-warnings', 'quiet', 'test', 'unsafe',
  'usdt-file-activation', 'verbose', 'verify-llvm-ir', 'version', 'warnings',
]);

export function parseBpftraceOptions(argv: readonly string[]): BpftraceOptions {
  const o: BpftraceOptions = {
    program: undefined, file: undefined, params: [], namedParams: [], debug: new Set(), list: false, listSearch: undefined,
    verbose: false, quiet: false, pid: undefined, cmd: undefined, output: undefined, format: undefined,
    buffering: undefined, includeDirs: [], includeFiles: [], dryRun: false, unsafe: false, help: false, version: false,
    info: false, fmt: false, warnings: 'default', mode: undefined, probeFilter: undefined, emitElf: undefined,
    emitLlvm: undefined, noFeature: [],
  };
  // getopt stops at `--` and, with POSIXLY_CORRECT unset, permutes: options may follow the file.
  const operands: string[] = [];
  let i = 0;
  const apply = (name: string, value: string | undefined): void => {
    switch (name) {
      case 'd':
      case 'debug':
        for (const s of value!.split(',').filter((x) => x !== '')) {
          if (s === 'all') for (const d of DEBUG_STAGES) o.debug.add(d);
          else if ((DEBUG_STAGES as readonly string[]).includes(s)) o.debug.add(s as DebugStage);
          else throw new UsageError(`invalid option for -d: ${s}`);
        }
        return;
      case 'e': o.program = value; return;
      case 'p': case 'pid': o.pid = value; return;
      case 'c': case 'cmd': o.cmd = value; return;
      case 'o': case 'output': o.output = value; return;
      case 'f': o.format = value; return;
      case 'B':
        if (value !== 'line' && value !== 'full' && value !== 'none') throw new UsageError("-B must be either 'line', 'full', or 'none'.");
        o.buffering = value;
        return;
      case 'I': o.includeDirs.push(value!); return;
      case 'include': o.includeFiles.push(value!); return;
      case 'l': case 'list': o.list = true; return;
      case 'v': case 'verbose': o.verbose = true; return;
      case 'q': case 'quiet': o.quiet = true; return;
      case 'h': case 'help': o.help = true; return;
      case 'V': case 'version': o.version = true; return;
      case 'k': case 'warnings':
        if (o.warnings === 'none') throw new UsageError('-k, --warnings conflicts with --no-warnings');
        o.warnings = 'all';
        return;
      case 'no-warnings':
        if (o.warnings === 'all') throw new UsageError('-k, --warnings conflicts with --no-warnings');
        o.warnings = 'none';
        return;
      case 'dry-run': o.dryRun = true; return;
      case 'unsafe': o.unsafe = true; return;
      case 'info': o.info = true; return;
      case 'fmt': o.fmt = true; return;
      case 'mode':
        if (!MODES.includes(value!)) throw new UsageError("--mode can only be 'codegen', 'compiler-bench', 'bench', 'test' or 'format'.");
        o.mode = value;
        return;
      case 'test':
      case 'bench':
        if (o.mode !== undefined) throw new UsageError(`--${name} conflicts with existing --mode`);
        o.mode = name;
        return;
      case 'probe-filter': o.probeFilter = value; return;
      case 'emit-elf': o.emitElf = value; return;
      case 'emit-llvm': o.emitLlvm = value; return;
      case 'no-feature': o.noFeature.push(...value!.split(',')); return;
      default:
        return; // accepted and not yet meaningful: -b, --btf, --aot, --debuginfo, ...
    }
  };
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (LONG_WITH_ARG.has(name)) {
        let value = eq < 0 ? argv[++i] : a.slice(eq + 1);
        if (value === undefined) throw new UsageError(`option '--${name}' requires an argument`);
        apply(name, value);
      } else if (LONG_FLAGS.has(name) && eq < 0) {
        apply(name, undefined);
      } else {
        // Named parameters (`--name=value`) go after `--`; before it getopt sees an unknown option, as bpftrace does.
        throw new UsageError(`unrecognized option '${a}'`);
      }
      i++;
      continue;
    }
    if (a.startsWith('-') && a !== '-') {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (SHORT_WITH_ARG.has(c)) {
          const rest = a.slice(j + 1);
          const value = rest !== '' ? rest : argv[++i];
          if (value === undefined) throw new UsageError(`option requires an argument -- '${c}'`);
          apply(c, value);
          break;
        }
        if (!SHORT_FLAGS.has(c)) throw new UsageError(`invalid option -- '${c}'`);
        apply(c, undefined);
      }
      i++;
      continue;
    }
    operands.push(a);
    i++;
  }
  if (o.cmd !== undefined && o.pid !== undefined) throw new UsageError('Cannot use both -c and -p.');
  let rest = operands;
  if (o.list) {
    if (rest.length > 1) throw new UsageError('-l takes at most one search argument');
    o.listSearch = rest[0];
    return o;
  }
  if (o.program === undefined && !o.help && !o.version && !o.info) {
    if (rest.length === 0) throw new UsageError('filename or -e \'program\' required.');
    o.file = rest[0];
    rest = rest.slice(1);
  }
  for (const r of rest) {
    if (r.startsWith('--')) o.namedParams.push(r.slice(2));
    else o.params.push(r);
  }
  return o;
}

export function usage(): string {
  return `bpfkit - bpftrace-compatible tracing for Linux, compiled to eBPF in TypeScript

USAGE:
    bpfkit [options] filename
    bpfkit [options] - <program on stdin>
    bpfkit [options] -e 'program'
    named script parameters go after \`--\`: bpfkit -e 'program' -- --name=value

OPTIONS:
    -e 'program'   the program to run
    -l, --list [search|filename]
                   list the probes this machine offers, or those of a program
    -v, --verbose  verifier logs and instruction counts; with -l, probe arguments too
    -h, --help     this text
    -V, --version  the version
    --info         what this kernel's BPF supports

    -p, --pid PID  trace only PID (uprobes, USDT and perf events of that process)
    -c, --cmd CMD  start CMD, attach, then let it run; stop when it exits

    -o, --output FILE
                   write the program's output to FILE
    -f FORMAT      output format: 'text' or 'json'
    -B MODE        output buffering: 'line', 'full' or 'none'
    -q, --quiet    no "Attached N probes" line
    -k, --warnings warn when probe reads fail at run time
    --no-warnings  no warnings at all

    --unsafe       allow functions that act on the system (system())
    --bench, --mode bench
                   time each bench: probe instead of attaching anything, and print the results

TROUBLESHOOTING OPTIONS:
    --dry-run      load and attach, then stop
    -d, --debug STAGE
                   print a compiler stage: 'ast', 'types', 'dis' (bytecode), 'verifier', 'all'

ENVIRONMENT:
    Config variables can be set as BPFTRACE_<NAME>, e.g. BPFTRACE_MAX_STRLEN=128.
`;
}
