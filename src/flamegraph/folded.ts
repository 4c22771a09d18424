// The folded stack format: `frame;frame;frame count` per line, optionally `stack before after` for differentials.

export interface FoldedLine {
  /** The frames, root first, still joined by ';'. */
  stack: string;
  /** The count (the "after" count of a differential line). */
  count: number;
  /** The first count of a two-count (differential) line. */
  before?: number;
}

function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

// A count is `\d+(\.\d*)?` right after the last whitespace before `end`; `start` is that whitespace.
function trailingCount(text: string, end: number): { start: number; value: number } | undefined {
  let i = end - 1;
  let dots = 0;
  while (i >= 0) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) i--;
    else if (c === 0x2e) {
      dots++;
      i--;
    } else break;
  }
  const first = i + 1;
  if (first >= end || i < 0 || !isSpace(text.charCodeAt(i))) return undefined;
  if (dots > 1 || text.charCodeAt(first) === 0x2e) return undefined;
  return { start: i, value: Number(text.slice(first, end)) };
}

/** Parses one folded line, or returns undefined when it is not one. */
export function parseFoldedLine(line: string): FoldedLine | undefined {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 0x0d) end--;
  const last = trailingCount(line, end);
  if (last === undefined) return undefined;
  const first = trailingCount(line, last.start);
  if (first === undefined) return { stack: line.slice(0, last.start), count: last.value };
  return { stack: line.slice(0, first.start), count: last.value, before: first.value };
}

/** A profile's valid lines, in merge order, with what the renderer needs to know before merging. */
export interface FoldedProfile {
  /** Folded lines: sorted (as flamegraph.pl sorts them) or, for a flame chart, in input order. */
  lines: string[];
  /** Sum of the counts (the "after" counts of a differential). */
  total: number;
  differential: boolean;
  /** Largest |after - before| of one line, at least 1. */
  maxDelta: number;
  ignoredLines: number;
  flamechart: boolean;
}

export interface ProfileOptions {
  /** Reverse each stack (leaf first), merging from the other end. */
  reverse?: boolean;
  /** Keep input order and merge only consecutive stacks with a common prefix (a flame chart). */
  flamechart?: boolean;
  /** Mark the frames after each `--` separator as wakers (`_[w]`), for the chain palette. */
  chain?: boolean;
}

/** A stack with its count, root frame first. */
export interface StackSample {
  frames: readonly string[];
  count: number;
  /** The "before" count of a differential sample. */
  before?: number;
}

function markWakers(stack: string): string {
  const parts = stack.split(';--;');
  if (parts.length === 1) return stack;
  const marked = parts.slice(1).map((part) => part.split(';').map((f) => `${f}_[w]`).join(';'));
  return [parts[0], ...marked].join(';--;');
}

function lineOf(stack: string, count: number, before: number | undefined): string {
  return before === undefined ? `${stack} ${count}` : `${stack} ${before} ${count}`;
}

/** Collects folded lines, from text chunks of any size or from stacks, into a FoldedProfile. */
export class FoldedParser {
  private readonly options: ProfileOptions;
  private readonly lines: string[] = [];
  private rest = '';
  private total = 0;
  private differential = false;
  private maxDelta = 1;
  private ignored = 0;

  constructor(options: ProfileOptions = {}) {
    this.options = options;
  }

  push(chunk: string): void {
    const text = this.rest === '' ? chunk : this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      this.addLine(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  /** Adds one stack; frame names have ';' and line breaks replaced so they cannot split the stack. */
  addStack(frames: readonly string[], count: number, before?: number): void {
    const stack = frames.map((f) => f.replace(/;/g, ':').replace(/[\r\n]/g, ' ')).join(';');
    this.add(stack, count, before, undefined);
  }

  addLine(line: string): void {
    const parsed = parseFoldedLine(line);
    if (parsed === undefined) {
      if (line.trim() !== '') this.ignored++;
      return;
    }
    this.add(parsed.stack, parsed.count, parsed.before, line);
  }

  finish(): FoldedProfile {
    if (this.rest !== '') this.addLine(this.rest);
    this.rest = '';
    const flamechart = this.options.flamechart === true;
    // Sorting whole lines is what flamegraph.pl does; it decides frame order and which stacks merge.
    if (!flamechart) this.lines.sort();
    return {
      lines: this.lines,
      total: this.total,
      differential: this.differential,
      maxDelta: this.maxDelta,
      ignoredLines: this.ignored,
      flamechart,
    };
  }

  private add(stack: string, count: number, before: number | undefined, line: string | undefined): void {
    let s = stack;
    if (this.options.reverse) s = s === '' ? s : s.split(';').reverse().join(';');
    if (this.options.chain) s = markWakers(s);
    this.lines.push(s === stack && line !== undefined ? line : lineOf(s, count, before));
    this.total += count;
    if (before !== undefined) {
      this.differential = true;
      const delta = Math.abs(count - before);
      if (delta > this.maxDelta) this.maxDelta = delta;
    }
  }
}

/** Collects a whole folded text into a profile. */
export function parseFolded(text: string, options: ProfileOptions = {}): FoldedProfile {
  const parser = new FoldedParser(options);
  parser.push(text);
  return parser.finish();
}

/** Collects stacks into a profile. */
export function profileFromStacks(stacks: Iterable<StackSample>, options: ProfileOptions = {}): FoldedProfile {
  const parser = new FoldedParser(options);
  for (const s of stacks) parser.addStack(s.frames, s.count, s.before);
  return parser.finish();
}
