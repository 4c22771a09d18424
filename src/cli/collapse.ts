// `bpfkit collapse FORMAT [options] [FILE...]`: profiler output to folded stacks on stdout.
import { readFileSync } from 'node:fs';
import {
  FlameGraphError,
  collapseBpftraceJson,
  collapseBpftraceText,
  collapsePerf,
  diffFolded,
  formatFolded,
  type FoldedCounts,
} from '../flamegraph/index.js';
import { UsageError, parseOptions, readInputs, writeStdout, type OptionKind } from './flamegraph.js';

const usage = `USAGE: bpfkit collapse FORMAT [options] [FILE...] > out.folded

Turns stacks into folded lines ("frame;frame;frame count", root first, sorted) for
bpfkit flamegraph. Reads the FILEs or stdin.

Formats:
  perf       output of "perf script" (as stackcollapse-perf.pl)
      --pid            include the PID with process names (comm-pid)
      --tid            include PID and TID with process names (comm-pid/tid)
      --kernel         annotate kernel functions with _[k]
      --jit            annotate JIT functions with _[j]
      --all            all annotations (--kernel --jit)
      --addrs          include raw addresses where symbols are unknown
      --event-filter E keep only samples of event E (default: the first event seen)
  bpftrace   maps printed by bpftrace or bpfkit with stack keys, e.g. from
             @[kstack, ustack, comm] = count(); folded as comm;user frames;kernel frames
  json       the same maps as JSON output (-f json): {"type": "map", "data": {...}}
      --map NAME       only this map (default: all maps)
      --kernel         annotate the stack that is the first key element (kstack) with _[k]
      --keep-offsets   keep "+offset" on symbols (default: dropped, so offsets merge)
  diff BEFORE AFTER
             two folded files to "stack before after" lines for a differential graph
             (as difffolded.pl; bpfkit flamegraph --diff does this in one step)
      -n, --normalize  scale BEFORE's counts so both totals match
      -s, --strip-hex  replace hex addresses with 0x...

  -h, --help   this message
`;

const specs: Record<string, Record<string, OptionKind>> = {
  perf: { pid: 'flag', tid: 'flag', kernel: 'flag', jit: 'flag', all: 'flag', addrs: 'flag', 'event-filter': 'string' },
  bpftrace: { map: 'string', kernel: 'flag', 'keep-offsets': 'flag' },
  json: { map: 'string', kernel: 'flag', 'keep-offsets': 'flag' },
  diff: { normalize: 'flag', n: 'flag', 'strip-hex': 'flag', s: 'flag' },
};

async function readAll(files: string[]): Promise<string> {
  const chunks: string[] = [];
  await readInputs(files, (chunk) => chunks.push(chunk));
  return chunks.join('');
}

async function run(argv: string[]): Promise<number> {
  const format = argv[0];
  if (format === undefined || format === '-h' || format === '--help' || format === 'help') {
    (format === undefined ? process.stderr : process.stdout).write(usage);
    return format === undefined ? 1 : 0;
  }
  const spec = specs[format];
  if (spec === undefined) throw new UsageError(`Unknown format: ${format}: choose perf, bpftrace, json or diff`);
  const { values, rest } = parseOptions(argv.slice(1), { ...spec, help: 'flag', h: 'flag' });
  if (values.has('help') || values.has('h')) {
    process.stdout.write(usage);
    return 0;
  }
  const mapOptions = {
    map: typeof values.get('map') === 'string' ? (values.get('map') as string) : undefined,
    kernel: values.has('kernel'),
    keepOffsets: values.has('keep-offsets'),
  };
  let counts: FoldedCounts;
  switch (format) {
    case 'diff': {
      if (rest.length !== 2) throw new UsageError('Format diff needs two folded files: BEFORE AFTER');
      const [before, after] = rest.map((f) => readFileSync(f, 'utf8')) as [string, string];
      const normalize = values.has('normalize') || values.has('n');
      const stripHex = values.has('strip-hex') || values.has('s');
      await writeStdout(diffFolded(before, after, { normalize, stripHex }));
      return 0;
    }
    case 'perf': {
      const all = values.has('all');
      const filter = values.get('event-filter');
      const result = collapsePerf(await readAll(rest), {
        pid: values.has('pid'),
        tid: values.has('tid'),
        kernel: all || values.has('kernel'),
        jit: all || values.has('jit'),
        addrs: values.has('addrs'),
        eventFilter: typeof filter === 'string' ? filter : undefined,
      });
      for (const line of result.unrecognized.slice(0, 10)) process.stderr.write(`bpfkit: collapse: Unrecognized line: ${line}\n`);
      if (result.filteredEvent !== undefined)
        process.stderr.write(`bpfkit: collapse: Filtering for events of type: ${result.filteredEvent}\n`);
      counts = result.counts;
      break;
    }
    case 'bpftrace':
      counts = collapseBpftraceText(await readAll(rest), mapOptions);
      break;
    default:
      counts = collapseBpftraceJson(await readAll(rest), mapOptions);
      break;
  }
  await writeStdout(formatFolded(counts));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    let message: string | undefined;
    if (err instanceof UsageError || err instanceof FlameGraphError) message = err.message;
    else if (e instanceof Error && typeof e.code === 'string' && typeof e.path === 'string')
      message = `Cannot read ${e.path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`;
    if (message === undefined) throw err;
    process.stderr.write(`bpfkit: collapse: ${message}\n`);
    if (err instanceof UsageError) process.stderr.write('Try "bpfkit collapse --help".\n');
    return 1;
  }
}
