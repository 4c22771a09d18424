// `bpfkit [bpftrace options]`: the bpftrace-compatible command. Reads the program, compiles it, and runs it
// with the runtime, printing what bpftrace prints and exiting as bpftrace exits.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compile, dumpBytecode, dumpTypedAst, formatDiagnostics, parse, printAst, type CompiledArtifact } from '../lang/index.js';
import {
  ChildCommand,
  FdSink,
  JsonOutput,
  ProgramLoadError,
  runSession,
  ScriptRunError,
  TextOutput,
  type BufferingMode,
  type Output,
} from '../runtime/index.js';
import { parseBpftraceOptions, usage, UsageError, type BpftraceOptions } from './bpftrace-options.js';

// Scripts and test runners recognise bpftrace by this line's start.
const VERSION = 'bpftrace v0.26.0 (bpfkit 0.1.0)';

// Config variables that can also be set as BPFTRACE_<NAME> in the environment (the script's config block wins).
const ENV_CONFIG = [
  'max_strlen', 'stack_mode', 'print_maps_on_exit', 'max_map_keys', 'perf_rb_pages', 'log_size', 'max_bpf_progs', 'max_probes',
  'on_stack_limit', 'missing_probes', 'cache_user_symbols', 'cpp_demangle', 'lazy_symbolication', 'show_debug_info', 'symbol_source',
  'max_cat_bytes', 'str_trunc_trailer', 'max_type_res_iterations', 'license',
];

export interface RunMainOptions {
  /** False when another command runs a program in-process and has more to do afterwards (tools' --svg). */
  readonly exitProcess?: boolean;
}

export async function main(argv: string[], mainOptions: RunMainOptions = {}): Promise<number> {
  // Run as `bpftrace` (through a link of that name), be seen as bpftrace: `comm` in scripts, pidof, pkill.
  const invokedAs = basename(process.argv[1] ?? '').replace(/\.js$/, '');
  const asCommand = invokedAs === 'bpftrace' || invokedAs === 'bpfkit';
  if (asCommand) process.title = invokedAs;
  if (argv.length === 0) {
    process.stderr.write(usage());
    return 1;
  }
  let opts: BpftraceOptions;
  try {
    opts = parseBpftraceOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // getopt's own complaints (and conflicting options) come with the usage text, as in bpftrace.
    const withUsage = /^(invalid option --|unrecognized option|option requires|option '--|Cannot use both)/.test(e.message);
    process.stderr.write(`ERROR: USAGE: ${e.message}\n${withUsage ? usage() : ''}`);
    return 1;
  }
  if (opts.help) {
    process.stdout.write(usage());
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (opts.format !== undefined && opts.format !== 'text' && opts.format !== 'json') {
    process.stderr.write(`ERROR: Invalid output format "${opts.format}"\nValid formats: 'text', 'json'\n`);
    return 1;
  }
  let pid: number | undefined;
  if (opts.pid !== undefined) {
    const parsed = parsePid(opts.pid);
    if (typeof parsed === 'string') {
      process.stderr.write(`ERROR: ${parsed}\n`);
      return 1;
    }
    if (!processExists(parsed)) {
      process.stderr.write(`ERROR: Failed to attach to pid: No such process: ${opts.pid}\n`);
      return 1;
    }
    pid = parsed;
  }
  if (opts.list && opts.program === undefined) {
    // `-l FILE` lists the probes of the script in FILE; anything else is a search pattern.
    const search = opts.listSearch;
    if (search !== undefined && existsSync(search)) {
      opts.file = search;
    } else {
      if (search !== undefined && search.includes('.') && !/[:*]/.test(search)) {
        process.stderr.write(`WARNING: It appears that '${search}' is a filename but the file does not exist. Treating '${search}' as a search pattern.\n`);
      }
      return (await import('./list.js')).listProbes(search === '*' ? undefined : search, { verbose: opts.verbose, ...(pid !== undefined ? { pid } : {}) });
    }
  }

  let source: string;
  let filename: string;
  if (opts.program !== undefined) {
    source = opts.program;
    filename = 'stdin';
  } else if (opts.file === '-') {
    source = readFileSync(0, 'utf8');
    filename = 'stdin';
  } else {
    try {
      source = readFileSync(opts.file!, 'utf8');
    } catch (e) {
      const reason = e instanceof Error && 'code' in e ? String((e as NodeJS.ErrnoException).code) : String(e);
      process.stderr.write(`ERROR: failed to open file '${opts.file}': ${reason === 'ENOENT' ? 'No such file or directory' : reason}\n`);
      return 1;
    }
    filename = opts.file!;
  }

  if (opts.debug.has('ast') || opts.debug.has('parse')) {
    const parsed = parse(source, filename);
    if (parsed.diagnostics.ok) process.stdout.write(printAst(parsed.program));
  }

  if (opts.list) {
    // Listing needs only the probes' expansion, not a program that type-checks.
    const expanded = compile(source, filename, { positional: opts.params, stopAfter: 'probe-expansion', ...(pid !== undefined ? { pid } : {}) });
    if (!expanded.diagnostics.ok || !expanded.context) {
      process.stderr.write(formatDiagnostics(expanded.diagnostics, { warnings: false }));
      return 1;
    }
    return (await import('./list.js')).listExpandedProbes(expanded.context.probes.map((p) => p.target));
  }

  const result = compile(source, filename, {
    positional: opts.params,
    config: envConfig(),
    unsafe: opts.unsafe,
    named: namedParams(opts.namedParams),
    includeDirs: opts.includeDirs,
    // -k checks every helper's result at run time; --no-warnings none; by default the ones bpftrace checks.
    warningLevel: opts.warnings === 'all' ? 2 : opts.warnings === 'none' ? 0 : 1,
    ...(pid !== undefined ? { pid } : {}),
  });
  if (!result.diagnostics.ok || result.artifact === undefined) {
    const text = formatDiagnostics(result.diagnostics, { warnings: opts.warnings !== 'none' });
    process.stderr.write(text === '' ? 'ERROR: Compilation failed\n' : text);
    return 1;
  }
  // bpftrace prints the warnings of a program that compiled on stdout.
  if (opts.warnings !== 'none') process.stdout.write(formatDiagnostics(result.diagnostics, { warnings: true }));
  let artifact = result.artifact;
  if (opts.probeFilter !== undefined) {
    // --probe-filter REGEX: only probes whose name matches are loaded and attached (begin/end always are).
    let re: RegExp;
    try {
      re = new RegExp(opts.probeFilter);
    } catch (err) {
      process.stderr.write(`ERROR: Invalid --probe-filter regex '${opts.probeFilter}': ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    const probes = artifact.probes.filter((p) => p.target.kind === 'begin' || p.target.kind === 'end' || re.test(p.probe));
    if (probes.length === 0) {
      process.stderr.write('ERROR: No probes to attach\n');
      return 1;
    }
    artifact = { ...artifact, probes };
  }
  if (opts.debug.has('types') && result.context) process.stdout.write(dumpTypedAst(result.context));
  if (opts.debug.has('codegen') || opts.debug.has('codegen-opt') || opts.debug.has('dis')) process.stdout.write(dumpBytecode(artifact));

  const code = await run(artifact, opts, pid);
  // As the command, leave at once: Node's own teardown restores default signal actions, and a Ctrl-C (or the
  // test runner's SIGINT) landing in it would turn a finished run into a killed one. Output is written
  // synchronously, so nothing is lost.
  if (asCommand && mainOptions.exitProcess !== false) process.exit(code);
  return code;
}

async function run(artifact: CompiledArtifact, opts: BpftraceOptions, pid: number | undefined): Promise<number> {
  let sink: FdSink;
  const mode: BufferingMode | undefined = opts.buffering;
  try {
    sink = opts.output !== undefined ? FdSink.openFile(opts.output, mode) : new FdSink(1, mode ? { mode } : {});
  } catch (err) {
    return reportRunError(err);
  }
  // BPFTRACE_COLOR: always, never, or auto (both streams on a terminal).
  const colorMode = process.env['BPFTRACE_COLOR'];
  const color = colorMode === 'always' || (colorMode !== 'never' && process.stdout.isTTY === true && process.stderr.isTTY === true);
  const output: Output = opts.format === 'json' ? new JsonOutput(sink) : new TextOutput(sink, { color });
  let child: ChildCommand | undefined;
  try {
    if (opts.cmd !== undefined) child = ChildCommand.start(opts.cmd);
    const code = await runSession({
      artifact,
      output,
      flush: () => sink.flush(),
      outputClosed: () => sink.broken,
      log: (text) => sink.stderr(text),
      notify: (text) => {
        process.stdout.write(text);
      },
      quiet: opts.quiet,
      verbose: opts.verbose || opts.debug.has('verifier'),
      dryRun: opts.dryRun,
      unsafe: opts.unsafe,
      warnings: opts.warnings !== 'none',
      ...(pid !== undefined ? { pid } : {}),
      ...(child ? { child } : {}),
      mode: opts.mode === 'bench' ? 'bench' : 'run',
      seqOutput: (chunk) => {
        process.stdout.write(chunk);
      },
      notifyAttached: process.env['__BPFTRACE_NOTIFY_PROBES_ATTACHED'] !== undefined,
    });
    // The run is over: a Ctrl-C or SIGTERM arriving while the process winds down must not turn a finished
    // run into a killed one (exit 130).
    const exitNow = (): never => process.exit(code);
    process.once('SIGINT', exitNow);
    process.once('SIGTERM', exitNow);
    return code;
  } catch (err) {
    sink.flush();
    return reportRunError(err);
  } finally {
    child?.terminate();
    sink.close();
  }
}

function reportRunError(err: unknown): number {
  if (err instanceof ProgramLoadError || err instanceof ScriptRunError) {
    process.stderr.write(`ERROR: ${err.message}\n`);
    return 1;
  }
  throw err;
}

// bpftrace's pid checks and their messages.
function parsePid(text: string): number | string {
  const m = /^(\d+)(.*)$/.exec(text);
  if (!m) return `Failed to parse pid: invalid integer: ${text}`;
  if (m[2] !== '') return `Failed to parse pid: invalid trailing bytes: ${text}`;
  const pid = Number(m[1]);
  if (pid > 0x400000) return `Pid out of range: ${pid}`;
  return pid;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function envConfig(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ENV_CONFIG) {
    const v = process.env[`BPFTRACE_${key.toUpperCase()}`];
    if (v !== undefined) out[key] = v;
  }
  // Older spellings bpftrace still reads.
  const strlen = process.env['BPFTRACE_STRLEN'];
  if (strlen !== undefined && out['max_strlen'] === undefined) out['max_strlen'] = strlen;
  return out;
}

// `--name=value` → name: value; a bare `--name` is a boolean flag.
function namedParams(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of raw) {
    const eq = p.indexOf('=');
    if (eq < 0) out[p] = 'true';
    else out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}
