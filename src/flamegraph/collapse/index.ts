// Collapsers: profiler output to folded stacks.
export { addStack, foldedFrame, formatFolded, type FoldedCounts } from './folded-map.js';
export { collapsePerf, type PerfCollapseOptions, type PerfCollapseResult } from './perf.js';
export { collapseBpftraceJson, collapseBpftraceText, type MapCollapseOptions } from './bpftrace.js';
