// Stack-counting tools (profile, offcputime) can hand their map straight to the flame graph renderer:
// `--folded` prints folded stacks, `--svg FILE` writes the picture, so a profile becomes a graph in one command.
import { collapseBpftraceJson, formatFolded, renderFlameGraph, type FlameGraphOptions } from '../flamegraph/index.js';
import type { ToolArgs } from './options.js';
import type { OptionSpec } from './tool.js';

/** How a tool's stack map becomes a graph: which map, and how flamegraph.pl users would draw it. */
export interface StackGraphSpec {
  /** The map holding the counts, keyed by stacks then comm, e.g. "@" or "@us". */
  readonly map: string;
  readonly title: string;
  readonly countName: string;
  readonly colors: NonNullable<FlameGraphOptions['colors']>;
  /** The key's first element is a kernel stack (marked `_[k]` as flamegraph.pl's --colors=java/js expect). */
  readonly kernelFirst: boolean;
}

/** The options a stack-counting tool adds: its map as folded stacks, or as a flame graph. */
export const STACK_GRAPH_OPTIONS: readonly OptionSpec[] = [
  { key: 'folded', long: 'folded', help: 'print folded stacks, not the map' },
  { key: 'svg', long: 'svg', value: 'string', metavar: 'FILE', help: 'write a flame graph to FILE' },
];

/**
 * What a stack-counting program starts with when its map becomes a graph: frames without source lines, since a
 * flame graph merges a function's samples into one frame and `main+72@spin.c:28` would split it per line.
 */
export function stackGraphPrelude(args: ToolArgs): string {
  return args.flag('folded') || args.str('svg') !== undefined ? 'config = { show_debug_info = false }\n\n' : '';
}

/** Folded stacks ("comm;frame;frame count", root first) from the JSON lines of `-f json` output. */
export function foldedFromJson(json: string, spec: StackGraphSpec): string {
  return formatFolded(collapseBpftraceJson(json, { map: spec.map, kernel: spec.kernelFirst }));
}

export function svgFromJson(json: string, spec: StackGraphSpec): string {
  return renderFlameGraph(foldedFromJson(json, spec), { title: spec.title, countName: spec.countName, colors: spec.colors });
}
