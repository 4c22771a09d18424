// Collapses maps keyed by stacks, as bpftrace (and bpfkit) print them, into folded stacks:
// text (`@[\n        frame\n        frame\n, comm]: 5`) and JSON (`{"type": "map", "data": {"@": {key: 5}}}`).
import { CollapseFormatError } from '../errors.js';
import { addStack, foldedFrame, type FoldedCounts } from './folded-map.js';

export interface MapCollapseOptions {
  /** Only this map (e.g. "@stacks"); default: every map in the input. */
  map?: string;
  /** Mark the stack that is the key's first element (the kstack of `@[kstack, ustack, comm]`) as kernel, `_[k]`. */
  kernel?: boolean;
  /** Keep `+offset` on symbols; default drops it so samples at different offsets of a function merge. */
  keepOffsets?: boolean;
}

type KeyElement = { kind: 'stack'; frames: string[] } | { kind: 'value'; text: string };

// A key is elements joined by `sep` (", " in text, "," in JSON); a stack element is "\n" then one line per frame,
// leaf first.
function parseKey(key: string, sep: string): KeyElement[] {
  const out: KeyElement[] = [];
  let pos = 0;
  while (pos < key.length) {
    if (key[pos] === '\n') {
      pos++;
      const frames: string[] = [];
      while (pos < key.length && !key.startsWith(sep, pos)) {
        const nl = key.indexOf('\n', pos);
        const end = nl < 0 ? key.length : nl;
        const frame = key.slice(pos, end).trim();
        if (frame !== '') frames.push(frame);
        pos = end + 1;
      }
      out.push({ kind: 'stack', frames });
    } else {
      const next = key.indexOf(sep, pos);
      const end = next < 0 ? key.length : next;
      out.push({ kind: 'value', text: key.slice(pos, end) });
      pos = end;
    }
    if (key.startsWith(sep, pos)) pos += sep.length;
  }
  return out;
}

function cleanFrame(frame: string, options: MapCollapseOptions): string {
  let f = frame;
  // Perf-mode stacks print "address symbol"; the address only splits identical frames.
  const perf = /^[0-9a-f]{8,16}\s+(\S.*)$/.exec(f);
  if (perf) f = perf[1] as string;
  f = f.replace(/ \([^()]*\)$/, '');
  // With debug info, bpftrace-mode frames end in "@file:line" and inlined calls start with "[inlined] ": a graph
  // groups by function, so both go, as the perf collapser drops the module.
  f = f.replace(/^\[inlined\] /, '').replace(/@[^@\s]+:\d+$/, '');
  if (!options.keepOffsets) f = f.replace(/\+(0x[0-9a-fA-F]+|\d+)$/, '');
  return foldedFrame(f);
}

/** Values first (comm, pid...), then the stacks from the last key element to the first, each root first: so
 * `@[kstack, ustack, comm]` folds as comm;user frames;kernel frames. */
function stackOfKey(elements: KeyElement[], options: MapCollapseOptions): string {
  const parts: string[] = [];
  for (const e of elements) {
    if (e.kind !== 'value') continue;
    // An empty element is an empty stack (bpftrace 0.17 prints it as nothing) or an empty string: no frame.
    const text = e.text.trim().replace(/^"|"$/g, '');
    if (text !== '') parts.push(foldedFrame(text));
  }
  // The kernel stack is the key's first element, as in @[kstack, ustack, comm]; bpftrace 0.17 prints an empty
  // kstack as nothing, which parses as an empty value, so the position (not the count of stacks) decides.
  for (let i = elements.length - 1; i >= 0; i--) {
    const e = elements[i] as KeyElement;
    if (e.kind !== 'stack') continue;
    const kernel = options.kernel === true && i === 0;
    for (let j = e.frames.length - 1; j >= 0; j--) {
      const f = cleanFrame(e.frames[j] as string, options);
      parts.push(kernel ? `${f}_[k]` : f);
    }
  }
  return parts.join(';');
}

function wanted(name: string, options: MapCollapseOptions): boolean {
  return options.map === undefined || options.map === name || `@${options.map}` === name;
}

/** Collapses printed maps (bpftrace's text output); lines that are not map entries are skipped. */
export function collapseBpftraceText(text: string, options: MapCollapseOptions = {}): FoldedCounts {
  const counts: FoldedCounts = new Map();
  const lines = text.split('\n');
  const entryStart = /^(@[A-Za-z0-9_]*)\[/;
  const entryEnd = /\]: (-?\d+)\s*$/;
  for (let i = 0; i < lines.length; i++) {
    const first = (lines[i] as string).replace(/\r$/, '');
    const start = entryStart.exec(first);
    if (!start) continue;
    const name = start[1] as string;
    const body: string[] = [first.slice(start[0].length)];
    let end = entryEnd.exec(first);
    while (!end && i + 1 < lines.length) {
      i++;
      const line = (lines[i] as string).replace(/\r$/, '');
      body.push(line);
      end = entryEnd.exec(line);
    }
    if (!end) break;
    if (!wanted(name, options)) continue;
    const joined = body.join('\n');
    const key = joined.slice(0, joined.length - end[0].length);
    addStack(counts, stackOfKey(parseKey(key, ', '), options), Number(end[1]));
  }
  return counts;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function addJsonMessage(message: unknown, counts: FoldedCounts, options: MapCollapseOptions): void {
  if (!isRecord(message) || message['type'] !== 'map' || !isRecord(message['data'])) return;
  for (const [name, entries] of Object.entries(message['data'])) {
    if (!wanted(name, options) || !isRecord(entries)) continue;
    for (const [key, value] of Object.entries(entries)) {
      if (typeof value !== 'number') continue;
      addStack(counts, stackOfKey(parseKey(key, ','), options), value);
    }
  }
}

/** Collapses map messages of JSON output (`-f json`): one document, or one message per line. */
export function collapseBpftraceJson(text: string, options: MapCollapseOptions = {}): FoldedCounts {
  const counts: FoldedCounts = new Map();
  const trimmed = text.trim();
  if (trimmed === '') return counts;
  try {
    addJsonMessage(JSON.parse(trimmed) as unknown, counts, options);
    return counts;
  } catch {
    // Not one document: one message per line.
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch (err) {
      throw new CollapseFormatError('JSON', i + 1, err instanceof Error ? err.message : String(err));
    }
    addJsonMessage(message, counts, options);
  }
  return counts;
}
