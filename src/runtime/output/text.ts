// The text output format: what bpftrace prints on a terminal.
import type { Value } from '../value/index.js';
import type { HistogramOutput, OrderedMapOutput, OutputValue, TimeSeriesOutput } from './model.js';
import {
  strerror,
  type Output,
  type OutputSink,
  type PrintfSeverity,
  type RuntimeErrorInfo,
  type SourceLocation,
} from './output.js';
import { valueText } from './primitive-text.js';
import { strftime } from './time.js';

const BAR_WIDTH = 52;

// Labels of adjacent integers mean a bucket that holds one value: `[4]` instead of `[4, 5)`.
function singleValue(a: Value, b: Value): boolean {
  return a.kind === 'int' && b.kind === 'int' && a.signed === b.signed && a.value + 1n === b.value;
}

function bucketHeader(h: HistogramOutput, i: number): string {
  const label = (v: Value): string => valueText(v);
  if (i === 0) {
    if (h.lowerBound === null) return `(..., ${label(h.labels[0]!)})`;
    if (h.labels.length === 0) return `[${label(h.lowerBound)}, ...)`;
    if (singleValue(h.lowerBound, h.labels[0]!)) return `[${label(h.lowerBound)}]`;
    return `[${label(h.lowerBound)}, ${label(h.labels[0]!)})`;
  }
  if (i >= h.labels.length) return `[${label(h.labels[i - 1]!)}, ...)`;
  if (singleValue(h.labels[i - 1]!, h.labels[i]!)) return `[${label(h.labels[i - 1]!)}]`;
  return `[${label(h.labels[i - 1]!)}, ${label(h.labels[i]!)})`;
}

/** The ASCII histogram: a 16-wide bucket column, an 8-wide count, a 52-wide bar of `@`. */
export function histogramText(h: HistogramOutput): string {
  let max = 0n;
  for (const c of h.counts) if (c > max) max = c;
  // bpftrace scales in single-precision float; doing the same keeps bar lengths identical.
  const maxF = Math.fround(Number(max));
  const lines: string[] = [];
  for (let i = 0; i < h.counts.length; i++) {
    const count = h.counts[i]!;
    const ratio = max === 0n ? 0 : Math.fround(Math.fround(Number(count)) / maxF);
    const width = Math.max(0, Math.min(BAR_WIDTH, Math.trunc(Math.fround(ratio * BAR_WIDTH))));
    lines.push(
      bucketHeader(h, i).padEnd(16) +
        count.toString().padStart(8) +
        ' |' +
        '@'.repeat(width).padEnd(BAR_WIDTH) +
        '|\n',
    );
  }
  return lines.join('');
}

const GRAPH_WIDTH = 53;
const LABEL_WIDTH = 21;

// iostream field widths count bytes, which matters for the `μs` unit.
function padEndBytes(s: string, width: number): string {
  const n = Buffer.byteLength(s);
  return n >= width ? s : s + ' '.repeat(width - n);
}

function padStartBytes(s: string, width: number): string {
  const n = Buffer.byteLength(s);
  return n >= width ? s : ' '.repeat(width - n) + s;
}

// The interval's display unit: its name and the digits of a second it shows.
function intervalUnit(ns: bigint): { name: string; digits: number } {
  if (ns >= 1_000_000_000n) return { name: 's', digits: 0 };
  if (ns >= 1_000_000n) return { name: 'ms', digits: 3 };
  if (ns >= 1_000n) return { name: 'μs', digits: 6 };
  return { name: 'ns', digits: 9 };
}

function numericOf(v: Value): bigint | null {
  if (v.kind === 'int') return v.value;
  if (v.kind === 'symbol') return v.numeric;
  return null;
}

/**
 * A tseries as a sideways graph: one row per interval (local time, a 53-wide plot with `*` at
 * the value and `.` at zero when the range spans it, the value), framed by the range.
 */
export function timeSeriesText(ts: TimeSeriesOutput): string {
  if (ts.points.length === 0) return '<no data>';
  const values = ts.points.map(([, v]) => numericOf(v)).filter((v): v is bigint => v !== null);
  let min = values[0] ?? 0n;
  let max = min;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let flat = min === max;
  if (flat) {
    // Leave room on both sides of a flat line, unless that would leave the value's type.
    const signed = ts.points.some(([, v]) => v.kind === 'int' && v.signed);
    const lowest = signed ? -(1n << 63n) : 0n;
    const highest = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
    if (min > lowest) min -= 1n;
    if (max < highest) max += 1n;
    flat = min === max;
  }
  const first = ts.points[0]![0];
  const last = ts.points[ts.points.length - 1]![0];
  const unit = intervalUnit((last - first) / BigInt(ts.points.length > 1 ? ts.points.length - 1 : 1));
  let timeFormat = 'hh:mm:ss';
  let timeSize = timeFormat.length;
  if (unit.digits > 0) {
    timeFormat += '.' + unit.name;
    timeSize += 1 + unit.digits;
  }
  const f32 = Math.fround;
  const range = f32(Number(min - max));
  let zeroOffset = 0;
  if (min < 0n && max > 0n) zeroOffset = Math.trunc(f32(f32(f32(GRAPH_WIDTH) * f32(Number(min))) / range));
  const rangeLine = (indent: number): string =>
    ' '.repeat(indent) + padEndBytes(min.toString(), LABEL_WIDTH) + padStartBytes(max.toString(), GRAPH_WIDTH - LABEL_WIDTH) + '\n';
  const lines: string[] = [rangeLine(timeSize + 1)];
  lines.push(padEndBytes(timeFormat, timeSize + 1), '|', '_'.repeat(GRAPH_WIDTH - 2), '|\n');
  for (const [ns, v] of ts.points) {
    const seconds = ns / 1_000_000_000n;
    const fraction = ns - seconds * 1_000_000_000n;
    let stamp = strftime('%H:%M:%S', seconds);
    if (unit.digits > 0) {
      const scaled = fraction / 10n ** BigInt(9 - unit.digits);
      stamp += '.' + scaled.toString().padStart(unit.digits, '0');
    }
    const row = new Array<string>(GRAPH_WIDTH).fill(' ');
    row[0] = '|';
    row[GRAPH_WIDTH - 1] = '|';
    if (zeroOffset > 0) row[zeroOffset] = '.';
    const n = numericOf(v);
    if (n === null) {
      lines.push(stamp, ' ', row.join(''), ' -\n');
      continue;
    }
    const offset = flat ? Math.trunc(GRAPH_WIDTH / 2) : Math.trunc(f32(f32(f32(GRAPH_WIDTH - 1) * f32(Number(min - n))) / range));
    row[Math.max(0, Math.min(GRAPH_WIDTH - 1, offset))] = '*';
    lines.push(stamp, ' ', row.join(''), ' ', valueText(v), '\n');
  }
  lines.push(' '.repeat(timeSize), ' v', '_'.repeat(GRAPH_WIDTH - 2), 'v\n');
  lines.push(' '.repeat(timeSize) + ' ' + rangeLine(0));
  return lines.join('');
}

// Map keys print without their tuple parentheses: `@x[1, a]`, not `@x[(1, a)]`.
function keyText(key: Value): string {
  if (key.kind === 'tuple' && key.elements.length > 0) {
    let s = valueText(key.elements[0]!);
    for (let i = 1; i < key.elements.length; i++) s += ', ' + valueText(key.elements[i]!);
    return s;
  }
  // Any key whose text is parenthesised loses the parentheses, as in bpftrace.
  const s = valueText(key);
  return s.length >= 2 && s.startsWith('(') && s.endsWith(')') ? s.slice(1, -1) : s;
}

/** The text of any output value, without the trailing newline `value()` adds. */
export function outputText(v: OutputValue): string {
  switch (v.kind) {
    case 'primitive':
      return valueText(v.value);
    case 'histogram':
      return histogramText(v);
    case 'stats':
      return outputText(v.value);
    case 'time-series':
      return timeSeriesText(v);
    case 'ordered-map': {
      const parts: string[] = [];
      for (const [key, value] of v.entries) parts.push('[', valueText(key), ']: ', outputText(value), '\n');
      return parts.join('');
    }
  }
}

function mapEntriesText(name: string, m: OrderedMapOutput): string {
  const lines = new Array<string>(m.entries.length);
  for (let i = 0; i < m.entries.length; i++) {
    const [key, value] = m.entries[i]!;
    // Multi-line values (histograms) start on the next line.
    const sep = value.kind === 'primitive' ? ']: ' : ']:\n';
    lines[i] = name + '[' + keyText(key) + sep + outputText(value) + '\n';
  }
  return lines.join('');
}

/** How print(@m) and the exit-time dump show a map in text. */
export function mapText(name: string, value: OutputValue): string {
  switch (value.kind) {
    case 'histogram':
      return `${name}:\n${histogramText(value)}\n`;
    case 'time-series':
      return `${name}:\n${timeSeriesText(value)}\n`;
    case 'stats':
      if (value.value.kind === 'ordered-map') return mapEntriesText(name, value.value);
      return `${name}: ${valueText(value.value.value)}\n`;
    case 'ordered-map':
      return mapEntriesText(name, value);
    case 'primitive':
      return `${name}: ${valueText(value.value)}\n`;
  }
}

const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

/** One diagnostic line as bpftrace's log prints it: `LOCATION: ERROR: message`, then context lines. */
export function logLine(
  type: 'error' | 'warning',
  message: string,
  location?: SourceLocation,
  options: { color?: boolean; withContext?: boolean } = {},
): string {
  const msg = message.endsWith('\n') ? message.slice(0, -1) : message;
  const begin = options.color ? (type === 'error' ? RED : YELLOW) : '';
  const end = options.color ? RESET : '';
  const parts = [begin];
  if (location) parts.push(location.location, ': ');
  parts.push(type === 'error' ? 'ERROR: ' : 'WARNING: ', msg, end, '\n');
  if (options.withContext && location?.context) for (const line of location.context) parts.push(line, '\n');
  return parts.join('');
}

export interface TextOutputOptions {
  /** Colour errorf/warnf and runtime warnings (bpftrace does when stderr is a terminal). */
  readonly color?: boolean;
}

function helperMessage(helper: string, retcode: number): string {
  if (helper === 'map_update_elem' && retcode === -7) {
    return (
      "Map full; can't update element. Try increasing max_map_keys config or manually setting the max " +
      'entries in a map declaration e.g. `let @a = hash(5000)`'
    );
  }
  if (helper === 'map_delete_elem' && retcode === -2) return "Can't delete map element because it does not exist.";
  if (helper === 'map_lookup_elem') return "Can't lookup map element because it does not exist.";
  return strerror(-retcode);
}

export class TextOutput implements Output {
  readonly #sink: OutputSink;
  readonly #color: boolean;

  constructor(sink: OutputSink, options: TextOutputOptions = {}) {
    this.#sink = sink;
    this.#color = options.color ?? false;
  }

  map(name: string, value: OutputValue): void {
    const text = mapText(name, value);
    if (text.length > 0) this.#sink.stdout(text);
  }

  value(value: OutputValue): void {
    this.#sink.stdout(outputText(value) + '\n');
  }

  printf(text: string, severity: PrintfSeverity = 'none', locations: readonly SourceLocation[] = []): void {
    if (severity === 'none') {
      this.#sink.stdout(text);
      return;
    }
    const parts: string[] = [];
    locations.forEach((loc, i) => {
      // The call itself is the first location and needs no source excerpt; the rest are expansions.
      parts.push(
        i === 0
          ? logLine(severity, text, loc, { color: this.#color })
          : logLine(severity, 'expanded from', loc, { color: this.#color, withContext: true }),
      );
    });
    if (locations.length === 0) parts.push(logLine(severity, text, undefined, { color: this.#color }));
    this.#sink.stderr(parts.join(''));
  }

  time(text: string): void {
    this.#sink.stdout(text);
  }

  cat(text: string): void {
    this.#sink.stdout(text);
  }

  join(text: string): void {
    this.#sink.stdout(text + '\n');
  }

  syscall(text: string): void {
    this.#sink.stdout(text + '\n');
  }

  end(): void {
    this.#sink.stdout('\n\n');
  }

  lostEvents(count: bigint | number): void {
    this.#sink.stderr(`Lost ${count} events\n`);
  }

  attachedProbes(count: number): void {
    this.#sink.stderr(`Attached ${count} ${count === 1 ? 'probe' : 'probes'}\n`);
  }

  runtimeError(info: RuntimeErrorInfo): void {
    const [first, ...rest] = info.locations;
    const message =
      info.kind === 'helper'
        ? `${helperMessage(info.helper, info.retcode)}\nAdditional Info - helper: ${info.helper}, retcode: ${info.retcode}`
        : info.message;
    const parts = [logLine('warning', message, first, { color: this.#color, withContext: true })];
    for (const loc of rest) parts.push(logLine('warning', 'expanded from', loc, { color: this.#color, withContext: true }));
    this.#sink.stderr(parts.join(''));
  }

  benchmarkResult(names: readonly string[], index: number, averageNs: number, iterations: number): void {
    // The name column is at least 40 wide and fits the longest name, plus one space; the time column is 15.
    const nameWidth = Math.max(40, ...names.map((n) => n.length)) + 1;
    const timeWidth = 15;
    let text = '';
    if (index === 0) {
      text += `${'Benchmark'.padEnd(nameWidth)}${'Time(ns)'.padEnd(timeWidth)}Iterations\n`;
      text += `${'-'.repeat(nameWidth + timeWidth + 'Iterations'.length)}\n`;
    }
    text += `${(names[index] ?? '').padEnd(nameWidth)}${String(averageNs).padEnd(timeWidth)}${iterations}\n`;
    this.#sink.stdout(text);
  }
}
