// The frame tree every flame graph renderer consumes, merged from a folded profile the way flamegraph.pl merges:
// stacks in sorted order (or input order for a flame chart), each frame merged with the previous stack's frame.
import { parseFoldedLine, type FoldedProfile } from './folded.js';

/** One frame of the merged tree. */
export interface FrameNode {
  name: string;
  /** Samples in this frame and all frames above it (the "after" profile for a differential). */
  value: number;
  /** Samples whose stack ends in this frame. */
  self: number;
  /** Differential only: change (after - before) of the samples whose stack ends in this frame; 0 otherwise. */
  delta: number;
  /** Where this frame starts, in samples from its parent's start; a parent's own samples fill the gaps. */
  offset: number;
  /** Left to right: by name (as flamegraph.pl sorts), or in input order for a flame chart. */
  children: FrameNode[];
}

export interface FlameModel {
  /** The synthetic root, named "all", whose value is the total. */
  root: FrameNode;
  /** True when the input had two counts per stack (before and after). */
  differential: boolean;
  /** Largest |after - before| of one input stack, at least 1; scales differential colours. */
  maxDelta: number;
  /** Input lines that were not `stack count` (or `stack before after`). */
  ignoredLines: number;
  /** Stacks kept input order (a flame chart). */
  flamechart: boolean;
  /** Frames with a value below this were left out of the tree (0: none). */
  minValue: number;
}

export interface BuildOptions {
  /** Leave out frames (and what is above them) whose value is below this; keeps huge profiles small. */
  minValue?: number;
}

function newNode(name: string, offset: number): FrameNode {
  return { name, value: 0, self: 0, delta: 0, offset, children: [] };
}

// How many leading frames `cur` shares with `prev`, and where its first unshared frame starts, found by comparing
// characters: most stacks share a long prefix with the one before, and this avoids splitting that prefix.
function sharedFrames(prev: string, cur: string): { frames: number; rest: number } {
  const n = Math.min(prev.length, cur.length);
  let k = 0;
  let semis = 0;
  let lastSemi = -1;
  while (k < n) {
    const c = cur.charCodeAt(k);
    if (c !== prev.charCodeAt(k)) break;
    if (c === 0x3b) {
      semis++;
      lastSemi = k;
    }
    k++;
  }
  if (cur.length > 0 && prev.length > 0) {
    if (k === cur.length && (k === prev.length || prev.charCodeAt(k) === 0x3b)) return { frames: semis + 1, rest: -1 };
    if (k === prev.length && cur.charCodeAt(k) === 0x3b) return { frames: semis + 1, rest: k + 1 };
  }
  return { frames: semis, rest: lastSemi + 1 };
}

/** Merges a folded profile into the frame tree. */
export function buildModel(profile: FoldedProfile, options: BuildOptions = {}): FlameModel {
  const minValue = options.minValue ?? 0;
  const root = newNode('all', 0);
  const path: FrameNode[] = [root];
  const starts: number[] = [0];
  let time = 0;
  let prev = '';
  let first = true;

  // A frame is complete when a stack leaves it; too narrow, it is dropped from its parent (it is the last child).
  const closeTo = (depth: number): void => {
    while (path.length > depth + 1) {
      const node = path.pop() as FrameNode;
      const start = starts.pop() as number;
      node.value = time - start;
      if (node.value < minValue) (path[path.length - 1] as FrameNode).children.pop();
    }
  };

  for (const line of profile.lines) {
    const parsed = parseFoldedLine(line);
    if (parsed === undefined) continue;
    const stack = parsed.stack;
    let shared: { frames: number; rest: number };
    if (first) shared = { frames: 0, rest: 0 };
    else shared = sharedFrames(prev, stack);
    first = false;
    closeTo(shared.frames);
    if (shared.rest >= 0 && !(stack === '' && shared.rest === 0)) {
      const names = stack.slice(shared.rest).split(';');
      for (const name of names) {
        const parent = path[path.length - 1] as FrameNode;
        const node = newNode(name, time - (starts[starts.length - 1] as number));
        parent.children.push(node);
        path.push(node);
        starts.push(time);
      }
    }
    const leaf = path[path.length - 1] as FrameNode;
    leaf.self += parsed.count;
    if (parsed.before !== undefined) leaf.delta += parsed.count - parsed.before;
    time += parsed.count;
    prev = stack;
  }
  closeTo(0);
  root.value = time;
  return {
    root,
    differential: profile.differential,
    maxDelta: profile.maxDelta,
    ignoredLines: profile.ignoredLines,
    flamechart: profile.flamechart,
    minValue,
  };
}

/** Calls `visit` for every frame, parents before children, with its depth. */
export function walkModel(model: FlameModel, visit: (node: FrameNode, depth: number) => void): void {
  const pending: [FrameNode, number][] = [[model.root, 0]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [node, depth] = item;
    visit(node, depth);
    for (let i = node.children.length - 1; i >= 0; i--) pending.push([node.children[i] as FrameNode, depth + 1]);
  }
}
