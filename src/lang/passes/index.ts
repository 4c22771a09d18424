// The semantic passes in the order they run. Each reads what the earlier ones added to the context; the
// pipeline stops after the first pass that reports an error (warnings are kept).
import { analyseConfig } from './config.js';
import type { CompileContext } from './context.js';
import { expandProbes } from './probe-expansion.js';
import { expandMacros } from './macro-expansion.js';
import { allocateResources } from './resources.js';
import { analyseTypes } from './semantic.js';

export interface Pass {
  readonly name: string;
  run(ctx: CompileContext): void;
}

export const PASSES: readonly Pass[] = [
  // First: max_strlen and stack_mode shape the types that later passes give to strings and stacks.
  { name: 'config', run: analyseConfig },
  // Before anything reads probe bodies: macros become ordinary code.
  { name: 'macro-expansion', run: expandMacros },
  // Before types: `args` fields and the `probe` builtin depend on which concrete probes there are.
  { name: 'probe-expansion', run: expandProbes },
  // Types, map key/value consistency, printf checks; iterates internally until map types settle.
  { name: 'semantic', run: analyseTypes },
  // Last: map layouts and event wire layouts need final types.
  { name: 'resources', run: allocateResources },
];

export { analyseConfig, defaultConfig } from './config.js';
export { expandProbes, tracepointArgs } from './probe-expansion.js';
export { expandMacros } from './macro-expansion.js';
export { analyseTypes } from './semantic.js';
export { allocateResources } from './resources.js';
export type { CompileContext, CompileOptions, ExpandedProbe, TracepointCatalog, ArgField, TypeFacts, Resources } from './context.js';
