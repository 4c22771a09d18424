// Flame graphs: folded stacks to a frame model to an interactive SVG, plus collapsers and differentials.
export { buildModel, walkModel, type BuildOptions, type FlameModel, type FrameNode } from './model.js';
export { FoldedParser, parseFolded, parseFoldedLine, profileFromStacks } from './folded.js';
export type { FoldedLine, FoldedProfile, ProfileOptions, StackSample } from './folded.js';
export { graphTotal, layoutFlameGraph, minimumSpan, type FlameLayout, type PlacedFrame } from './layout.js';
export { resolveOptions, type FlameGraphOptions, type ResolvedOptions } from './options.js';
export {
  backgroundStops,
  deltaColor,
  formatPaletteMap,
  frameColor,
  isPaletteName,
  paletteNames,
  parsePaletteMap,
  type ColorKey,
  type PaletteName,
} from './palette.js';
export { displayName, escapeXml, writeEmptySvg, writeSvg } from './svg.js';
export { renderFlameGraph, renderModel, renderProfile, toProfile, type RenderOptions, type StackInput } from './render.js';
export { diffFolded, type DiffOptions } from './diff.js';
export { CollapseFormatError, FlameGraphError, FlameGraphOptionError } from './errors.js';
export * from './collapse/index.js';
