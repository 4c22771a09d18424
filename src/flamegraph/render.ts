// One call from stacks to picture: what the profile tools and `bpfkit flamegraph` use.
import { parseFolded, profileFromStacks, type FoldedProfile, type ProfileOptions, type StackSample } from './folded.js';
import { graphTotal, layoutFlameGraph, minimumSpan } from './layout.js';
import { buildModel, type FlameModel } from './model.js';
import { resolveOptions, type FlameGraphOptions } from './options.js';
import { writeEmptySvg, writeSvg } from './svg.js';

export type RenderOptions = FlameGraphOptions & ProfileOptions;

/** Folded text, stacks with counts (root frame first), a collected profile, or a model already built. */
export type StackInput = string | Iterable<StackSample> | FoldedProfile | FlameModel;

function isModel(input: object): input is FlameModel {
  return 'root' in input && 'minValue' in input;
}

function isProfile(input: object): input is FoldedProfile {
  return 'lines' in input && 'total' in input;
}

export function toProfile(input: string | Iterable<StackSample> | FoldedProfile, options: ProfileOptions = {}): FoldedProfile {
  if (typeof input === 'string') return parseFolded(input, options);
  if (isProfile(input)) return input;
  return profileFromStacks(input, options);
}

/** Renders a profile as an interactive SVG; frames too narrow to draw are never built. An empty profile gives
 * flamegraph.pl's "no valid input" picture. */
export function renderProfile(profile: FoldedProfile, options: FlameGraphOptions = {}): string {
  const opts = resolveOptions(options, { flamechart: profile.flamechart });
  if (profile.total <= 0) return writeEmptySvg(opts);
  const model = buildModel(profile, { minValue: minimumSpan(graphTotal(profile.total, opts), opts) });
  return writeSvg(model, layoutFlameGraph(model, opts), opts);
}

/** Renders a model as an interactive SVG. */
export function renderModel(model: FlameModel, options: FlameGraphOptions = {}): string {
  const opts = resolveOptions(options, { flamechart: model.flamechart });
  if (model.root.value <= 0) return writeEmptySvg(opts);
  return writeSvg(model, layoutFlameGraph(model, opts), opts);
}

/** Renders stacks as an interactive SVG document. */
export function renderFlameGraph(stacks: StackInput, options: RenderOptions = {}): string {
  if (typeof stacks === 'object' && isModel(stacks)) return renderModel(stacks, options);
  return renderProfile(toProfile(stacks, options), options);
}
