// `bpfkit tools`: lists the bundled tools and whether each can run here; `bpfkit tools NAME [options]` runs one.
// A tool is a bpftrace-language program built from its options, run by the same path as `bpfkit -e`.
import {
  allTools,
  findTool,
  parseToolArgs,
  probeText,
  toolAvailability,
  toolUsage,
  ToolUnavailableError,
  ToolUsageError,
  type ToolArgs,
} from '../tools/index.js';
import { foldedFromJson, svgFromJson, type StackGraphSpec } from '../tools/stack-graph.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CATEGORY_ORDER = ['processes', 'memory', 'files', 'disks', 'network', 'security', 'applications'];

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-l' || name === '--list') return list();
  if (name === '-h' || name === '--help') {
    process.stdout.write(overview());
    return 0;
  }
  const tool = findTool(name);
  if (!tool) {
    process.stderr.write(`ERROR: Cannot find tool ${name}: \`bpfkit tools\` lists them\n`);
    return 1;
  }
  let args: ToolArgs;
  try {
    args = parseToolArgs(tool, rest);
  } catch (err) {
    if (!(err instanceof ToolUsageError)) throw err;
    process.stderr.write(`ERROR: ${tool.name}: ${err.message}\n${toolUsage(tool)}`);
    return 1;
  }
  if (args.help) {
    process.stdout.write(toolUsage(tool));
    return 0;
  }
  let program: string;
  try {
    program = tool.program(args);
  } catch (err) {
    if (err instanceof ToolUnavailableError) {
      process.stderr.write(`ERROR: ${err.message}\n`);
      return 1;
    }
    if (!(err instanceof ToolUsageError)) throw err;
    process.stderr.write(`ERROR: ${tool.name}: ${err.message}\n`);
    return 1;
  }
  if (args.flag('program')) {
    process.stdout.write(program);
    return 0;
  }
  const here = toolAvailability(tool, args);
  if (!here.ok) {
    process.stderr.write(`ERROR: Cannot run ${tool.name}: ${here.reason}\n`);
    return 1;
  }
  const graph = tool.stackGraph && (args.flag('folded') || args.str('svg') !== undefined) ? tool.stackGraph(args) : undefined;
  if (graph) return runStackGraph(program, graph, args.str('svg'));
  return runProgram(program);
}

// --folded / --svg: the program's maps go to a private JSON file, whose stack map becomes folded stacks on stdout
// or a flame graph in FILE once the tool ends (Ctrl-C or its duration).
async function runStackGraph(program: string, graph: StackGraphSpec, svgFile: string | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfkit-stacks-'));
  try {
    const json = join(dir, 'maps.json');
    const code = await (await import('./run.js')).main(['-q', '-f', 'json', '-o', json, '-e', program], { exitProcess: false });
    if (code !== 0) return code;
    const text = readFileSync(json, 'utf8');
    if (svgFile === undefined) {
      process.stdout.write(foldedFromJson(text, graph));
    } else {
      writeFileSync(svgFile, svgFromJson(text, graph));
      process.stderr.write(`Wrote ${svgFile}\n`);
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The tool's program goes through the bpftrace-compatible entry, so it compiles, loads and prints exactly as
// `bpfkit -q -e PROGRAM` would; -q because the tools print their own header instead of "Attached N probes".
async function runProgram(program: string): Promise<number> {
  const run = (await import('./run.js')).main;
  return run(['-q', '-e', program]);
}

function list(): number {
  const tools = [...allTools()].sort(
    (a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) || a.name.localeCompare(b.name),
  );
  const out: string[] = [`${'TOOL'.padEnd(16)}${'HERE'.padEnd(5)}PURPOSE`];
  let category = '';
  for (const tool of tools) {
    if (tool.category !== category) {
      category = tool.category;
      out.push(`${category}:`);
    }
    const here = toolAvailability(tool);
    out.push(`${tool.name.padEnd(16)}${(here.ok ? 'yes' : 'no').padEnd(5)}${tool.summary}`);
    out.push(...wrap(`probes: ${tool.needs.map(probeText).join(', ')}`, 21, 79));
    if (!here.ok) out.push(...wrap(`missing: ${here.reason}`, 21, 79));
  }
  out.push('', 'Run one: bpfkit tools NAME [options]. Its options: bpfkit tools NAME -h');
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

function overview(): string {
  return [
    'usage: bpfkit tools                 list the tools and whether each can run here',
    '       bpfkit tools NAME [options]  run one (it runs until Ctrl-C, or for its interval and count)',
    '       bpfkit tools NAME -h         show its options',
    '       bpfkit tools NAME --program  print its bpftrace program instead of running it',
    '',
  ].join('\n');
}

// Breaks a long line at spaces, indenting every line by `indent`.
function wrap(text: string, indent: number, width: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (line !== '' && indent + next.length > width) {
      lines.push(`${pad}${line}`);
      line = word;
    } else {
      line = next;
    }
  }
  if (line !== '') lines.push(`${pad}${line}`);
  return lines;
}
