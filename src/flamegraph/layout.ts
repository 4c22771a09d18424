// Places the frames of a model on the canvas: x from sample offsets, y from depth, narrow frames pruned.
import type { FlameModel, FrameNode } from './model.js';
import type { ResolvedOptions } from './options.js';

// Left and right padding; minimumSpan uses it too.
const xPad = 10;

export interface PlacedFrame {
  node: FrameNode;
  depth: number;
  /** Offset from the left, in samples. */
  start: number;
  /** Width in samples (the root spans the whole graph even when --total is larger than the input). */
  span: number;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}

export interface FlameLayout {
  frames: PlacedFrame[];
  width: number;
  height: number;
  /** The count that spans the full width (the input's total, or --total when larger). */
  total: number;
  depthMax: number;
  xpad: number;
  /** Top padding (title), bottom padding (details line), and subtitle padding. */
  ypad1: number;
  ypad2: number;
  ypad3: number;
  framePad: number;
}

/** The count that spans the full width: the input's total, or --total when larger. */
export function graphTotal(inputTotal: number, opts: ResolvedOptions): number {
  return opts.total !== undefined && opts.total > inputTotal ? opts.total : inputTotal;
}

/** Frames narrower than this many samples are not drawn (--minwidth, in pixels or percent). */
export function minimumSpan(total: number, opts: ResolvedOptions): number {
  if (opts.minWidth.percent) return (total * opts.minWidth.value) / 100;
  const perSample = total > 0 ? (opts.width - 2 * xPad) / total : 0;
  return perSample > 0 ? opts.minWidth.value / perSample : 0;
}

export function layoutFlameGraph(model: FlameModel, opts: ResolvedOptions): FlameLayout {
  const xpad = xPad;
  const framePad = 1;
  const ypad1 = opts.fontSize * 3;
  const ypad2 = opts.fontSize * 2 + 10;
  const ypad3 = opts.subtitle !== '' ? opts.fontSize * 2 : 0;
  const total = graphTotal(model.root.value, opts);
  const perSample = total > 0 ? (opts.width - 2 * xpad) / total : 0;
  const minSpan = minimumSpan(total, opts);

  // Depth-first, parents before children; x positions first, y once the deepest kept frame is known.
  const frames: PlacedFrame[] = [];
  let depthMax = 0;
  const pending: { node: FrameNode; depth: number; start: number }[] = [{ node: model.root, depth: 0, start: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, depth, start } = item;
    const span = depth === 0 ? total : node.value;
    if (span < minSpan || (depth > 0 && span <= 0)) continue;
    if (depth > depthMax) depthMax = depth;
    frames.push({ node, depth, start, span, x1: xpad + start * perSample, x2: xpad + (start + span) * perSample, y1: 0, y2: 0 });
    // Pushed in reverse so they pop left to right.
    const kids = node.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const kid = kids[i] as FrameNode;
      pending.push({ node: kid, depth: depth + 1, start: start + kid.offset });
    }
  }

  const height = (depthMax + 1) * opts.frameHeight + ypad1 + ypad2 + ypad3;
  for (const f of frames) {
    if (opts.inverted) {
      f.y1 = ypad1 + ypad3 + f.depth * opts.frameHeight;
      f.y2 = ypad1 + ypad3 + (f.depth + 1) * opts.frameHeight - framePad;
    } else {
      f.y1 = height - ypad2 - (f.depth + 1) * opts.frameHeight + framePad;
      f.y2 = height - ypad2 - f.depth * opts.frameHeight;
    }
  }
  return { frames, width: opts.width, height, total, depthMax, xpad, ypad1, ypad2, ypad3, framePad };
}
