// `bpfkit [bpftrace options]`: the bpftrace-compatible command. For now it reads and parses the program;
// running it arrives with the runtime.
import { readFileSync } from 'node:fs';
import { formatDiagnostics, parse, printAst } from '../lang/index.js';
import { parseBpftraceOptions, usage, UsageError, type BpftraceOptions } from './bpftrace-options.js';

const VERSION = 'bpfkit 0.1.0 (bpftrace 0.26 language)';

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write(usage());
    return 1;
  }
  let opts: BpftraceOptions;
  try {
    opts = parseBpftraceOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`ERROR: USAGE: ${e.message}\n`);
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
  if (opts.list && opts.program === undefined) return notBuilt('listing probes');

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

  const { program, diagnostics } = parse(source, filename);
  const text = formatDiagnostics(diagnostics, { warnings: opts.warnings !== 'none' });
  if (text !== '') process.stderr.write(text);
  if (!diagnostics.ok) return 1;
  if (opts.debug.has('ast')) {
    process.stdout.write(printAst(program));
    return 0;
  }
  if (opts.dryRun) return 0;
  return notBuilt('running programs');
}

function notBuilt(what: string): number {
  process.stderr.write(`ERROR: ${what} is not built yet (only parsing: try -d ast or --dry-run)\n`);
  return 1;
}
