// `bpfkit flamegraph [options] [FILE...]`: folded stacks to an interactive SVG on stdout, with flamegraph.pl's options.
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  FlameGraphError,
  FoldedParser,
  diffFolded,
  formatPaletteMap,
  isPaletteName,
  paletteNames,
  parsePaletteMap,
  renderProfile,
  type FlameGraphOptions,
  type FoldedProfile,
  type ProfileOptions,
} from '../flamegraph/index.js';

const usage = `USAGE: bpfkit flamegraph [options] [FILE...] > graph.svg

Reads folded stacks ("frame;frame;frame count" per line, or "stack before after" for a
differential) from the FILEs or stdin, and writes an interactive SVG: hover for details,
click to zoom, Ctrl-F or "Search" to highlight frames matching a regular expression.
Options are flamegraph.pl's; they may be abbreviated and given as --opt=VALUE or --opt VALUE.

  --title TEXT       change title text
  --subtitle TEXT    second level title (optional)
  --width NUM        width of image (default 1200)
  --height NUM       height of each frame (default 16)
  --minwidth NUM     omit smaller functions: in pixels, or "%" for a percentage of the
                     total (default 0.1 pixels)
  --fonttype FONT    font type (default "Verdana")
  --fontsize NUM     font size (default 12)
  --fontwidth NUM    average character width relative to the font size (default 0.59)
  --countname TEXT   count type label (default "samples")
  --nametype TEXT    name type label (default "Function:")
  --colors PALETTE   color palette: ${paletteNames.join(', ')}
                     (default hot; --color also works)
  --bgcolors COLOR   background: yellow, blue, green, grey gradients, or flat "#rrggbb"
                     (default chosen by the palette)
  --hash             colors are keyed by a name hash weighting early characters
  --random           colors are random
  --cp               use a consistent palette file (palette.map), created if missing
  --palette-file F   the file --cp reads and updates (default palette.map)
  --reverse          generate a stack-reversed flame graph (merge from the leaves)
  --inverted         icicle graph (root at the top)
  --flamechart       flame chart: keep input (time) order, merge only consecutive stacks
  --negate           switch differential hues (blue<->red)
  --diff BEFORE AFTER  differential graph of two folded files (red grew, blue shrank)
  --total NUM        use NUM as the total count when larger than the input's
  --factor NUM       multiply counts by NUM in labels
  --encoding ENC     XML encoding declaration
  --notes TEXT       add notes comment in SVG (no '<', '>' or '--')
  -h, --help         this message

Frames ending in _[k] (kernel), _[j] (JIT), _[i] (inlined), _[w] (waker) are shown without
the annotation; the java, js and perl palettes color kernel frames orange. Frames named
"-" or "--" are drawn grey as separators.

Example:
  bpfkit collapse perf perf.txt | bpfkit flamegraph --title "CPU" > cpu.svg
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionKind = 'string' | 'number' | 'flag';

/** Getopt::Long-style parsing: --name, -name, --name=value, --name value, unique prefixes, `--` ends options. */
export function parseOptions(
  argv: string[],
  spec: Record<string, OptionKind>,
): { values: Map<string, string | true>; rest: string[] } {
  const values = new Map<string, string | true>();
  const rest: string[] = [];
  const names = Object.keys(spec);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      rest.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const given = eq >= 0 ? body.slice(0, eq) : body;
    let name = names.find((n) => n === given);
    if (name === undefined) {
      const candidates = names.filter((n) => n.startsWith(given));
      if (candidates.length > 1) throw new UsageError(`Option ${arg} is ambiguous: ${candidates.join(', ')}`);
      name = candidates[0];
    }
    if (name === undefined || given === '') throw new UsageError(`Unknown option: ${arg}`);
    const kind = spec[name] as OptionKind;
    if (kind === 'flag') {
      if (eq >= 0) throw new UsageError(`Option --${name} takes no value`);
      values.set(name, true);
      continue;
    }
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i] as string;
    else throw new UsageError(`Option --${name} requires a value`);
    if (kind === 'number' && (value.trim() === '' || !Number.isFinite(Number(value))))
      throw new UsageError(`Option --${name} expects a number: ${value}`);
    values.set(name, value);
  }
  return { values, rest };
}

const spec: Record<string, OptionKind> = {
  title: 'string',
  subtitle: 'string',
  width: 'number',
  height: 'number',
  minwidth: 'string',
  fonttype: 'string',
  fontsize: 'number',
  fontwidth: 'number',
  countname: 'string',
  nametype: 'string',
  colors: 'string',
  bgcolors: 'string',
  hash: 'flag',
  random: 'flag',
  cp: 'flag',
  'palette-file': 'string',
  reverse: 'flag',
  inverted: 'flag',
  flamechart: 'flag',
  negate: 'flag',
  diff: 'flag',
  total: 'number',
  factor: 'number',
  encoding: 'string',
  notes: 'string',
  nameattr: 'string',
  help: 'flag',
  h: 'flag',
};

/** Reads files (or stdin for none or "-") chunk by chunk into the parser, so large profiles are never one string. */
export async function readInputs(files: string[], onChunk: (chunk: string) => void): Promise<void> {
  const sources = files.length === 0 ? ['-'] : files;
  for (const file of sources) {
    const stream = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
    stream.setEncoding('utf8');
    // Each file ends its last line, as if the files were concatenated.
    let last = '';
    for await (const chunk of stream) {
      last = chunk as string;
      onChunk(last);
    }
    if (last !== '' && !last.endsWith('\n')) onChunk('\n');
  }
}

// A reader that stops early (`| head`) closes the pipe: that is not an error of ours.
function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

let pipeWatched = false;

export function writeStdout(text: string): Promise<void> {
  if (!pipeWatched) {
    pipeWatched = true;
    // The stream reports a closed pipe as an 'error' event after the write's callback; without a listener it would crash.
    process.stdout.on('error', (err) => {
      if (!isBrokenPipe(err)) process.stderr.write(`bpfkit: cannot write output: ${err.message}\n`);
    });
  }
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

function str(values: Map<string, string | true>, name: string): string | undefined {
  const v = values.get(name);
  return typeof v === 'string' ? v : undefined;
}

function numberOf(values: Map<string, string | true>, name: string): number | undefined {
  const v = str(values, name);
  return v === undefined ? undefined : Number(v);
}

function warn(message: string): void {
  process.stderr.write(`bpfkit: flamegraph: ${message}\n`);
}

function describe(err: unknown): string | undefined {
  if (err instanceof UsageError || err instanceof FlameGraphError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e instanceof Error && typeof e.code === 'string' && typeof e.path === 'string')
    return `Cannot read ${e.path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`;
  return undefined;
}

async function run(argv: string[]): Promise<number> {
  const { values, rest } = parseOptions(argv, spec);
  if (values.has('help') || values.has('h')) {
    process.stdout.write(usage);
    return 0;
  }
  if (values.has('nameattr')) throw new UsageError('Option --nameattr is not supported');
  const colors = str(values, 'colors');
  if (colors !== undefined && !isPaletteName(colors))
    throw new UsageError(`Unknown palette: ${colors}: choose one of ${paletteNames.join(', ')}`);
  const profileOptions: ProfileOptions = {
    reverse: values.has('reverse'),
    flamechart: values.has('flamechart'),
    chain: colors === 'chain',
  };
  const paletteFile = str(values, 'palette-file') ?? 'palette.map';
  const usePalette = values.has('cp');
  const paletteMap = usePalette && existsSync(paletteFile) ? parsePaletteMap(readFileSync(paletteFile, 'utf8')) : usePalette ? new Map<string, string>() : undefined;
  const options: FlameGraphOptions = {
    title: str(values, 'title'),
    subtitle: str(values, 'subtitle'),
    width: numberOf(values, 'width'),
    frameHeight: numberOf(values, 'height'),
    minWidth: str(values, 'minwidth'),
    fontType: str(values, 'fonttype'),
    fontSize: numberOf(values, 'fontsize'),
    fontWidth: numberOf(values, 'fontwidth'),
    countName: str(values, 'countname'),
    nameType: str(values, 'nametype'),
    colors: colors !== undefined && isPaletteName(colors) ? colors : undefined,
    bgColors: str(values, 'bgcolors'),
    colorKey: values.has('hash') ? 'hash' : values.has('random') ? 'random' : 'name',
    paletteMap,
    inverted: values.has('inverted'),
    negate: values.has('negate'),
    notes: str(values, 'notes'),
    total: numberOf(values, 'total'),
    factor: numberOf(values, 'factor'),
    encoding: str(values, 'encoding'),
  };

  const parser = new FoldedParser(profileOptions);
  if (values.has('diff')) {
    if (rest.length !== 2) throw new UsageError('Option --diff needs two folded files: BEFORE AFTER');
    const [before, after] = rest.map((f) => readFileSync(f, 'utf8')) as [string, string];
    parser.push(diffFolded(before, after));
  } else {
    await readInputs(rest, (chunk) => parser.push(chunk));
  }
  const profile: FoldedProfile = parser.finish();
  if (profile.ignoredLines > 0) warn(`Ignored ${profile.ignoredLines} lines with invalid format`);
  const total = profile.total;
  if (total > 0 && total < 100 && (options.countName ?? 'samples') === 'samples')
    warn(`Stack count is low (${total}). Did something go wrong?`);
  const svg = renderProfile(profile, options);
  await writeStdout(svg);
  if (paletteMap) writeFileSync(paletteFile, formatPaletteMap(paletteMap));
  if (total <= 0) {
    warn('No stack counts found');
    return 2;
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (err) {
    const message = describe(err);
    if (message === undefined) throw err;
    process.stderr.write(`bpfkit: flamegraph: ${message}\n`);
    if (err instanceof UsageError) process.stderr.write('Try "bpfkit flamegraph --help".\n');
    return 1;
  }
}
