// The `-f json` output format: one JSON object per line, in bpftrace's schema
// (`{"type": "map", "data": {"@x": ...}}`, `{"type": "printf", "data": "..."}`, ...).
import type { Value } from '../value/index.js';
import type { HistogramOutput, OutputValue, TimeSeriesOutput } from './model.js';
import { strerror, type Output, type OutputSink, type PrintfSeverity, type RuntimeErrorInfo, type SourceLocation } from './output.js';
import { stackText, valueText, durationText } from './primitive-text.js';
import { formatTimestampIso } from './time.js';

/**
 * A JSON string. Control characters are escaped as \uXXXX. (bpftrace's own escaper mangles bytes
 * of 0x80 and up and leaves the stream in hex mode; bpfkit writes them through as UTF-8 instead,
 * keeping the output valid JSON.)
 */
export function jsonString(s: string): string {
  const parts: string[] = ['"'];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x0a) esc = '\\n';
    else if (c === 0x0d) esc = '\\r';
    else if (c === 0x09) esc = '\\t';
    else if (c <= 0x1f) esc = '\\u' + c.toString(16).padStart(4, '0');
    if (esc !== null) {
      parts.push(s.slice(start, i), esc);
      start = i + 1;
    }
  }
  parts.push(s.slice(start), '"');
  return parts.join('');
}

/** Integers that a double cannot hold exactly are written as strings, as bpftrace does (RFC 8259). */
export function jsonInteger(v: bigint): string {
  const s = v.toString();
  return BigInt(Number(v)) === v ? s : `"${s}"`;
}

/** A value in JSON. */
export function jsonValue(v: Value): string {
  switch (v.kind) {
    case 'none':
      return 'null';
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'int':
      return jsonInteger(v.value);
    case 'string':
      return jsonString(v.value);
    case 'buffer':
      // Bytes as numbers, signed as C chars are.
      return '[' + Array.from(v.bytes, (b) => (b >= 128 ? b - 256 : b)).join(',') + ']';
    case 'symbol':
      // Symbols (ksym, enums, pointers, hist labels) are their numbers in JSON.
      return jsonInteger(v.numeric);
    case 'stack':
      return jsonString(stackText(v));
    case 'timestamp':
      return jsonString(formatTimestampIso(v.epochNs));
    case 'duration':
      return jsonString(durationText(v.ns));
    case 'tuple':
    case 'array': {
      // Arrays and tuples are unspaced; objects are spaced.
      let s = '[';
      for (let i = 0; i < v.elements.length; i++) s += (i > 0 ? ',' : '') + jsonValue(v.elements[i]!);
      return s + ']';
    }
    case 'record': {
      let s = '{';
      for (let i = 0; i < v.fields.length; i++) {
        const f = v.fields[i]!;
        s += (i > 0 ? ', ' : '') + jsonString(f.name) + ': ' + jsonValue(f.value);
      }
      return s + '}';
    }
  }
}

// Buckets are written as closed intervals, so an upper bound is one less than the label.
function oneLess(v: Value): bigint | null {
  if (v.kind === 'int') return v.signed ? v.value - 1n : v.value === 0n ? -1n : BigInt.asIntN(64, v.value - 1n);
  if (v.kind === 'symbol') return BigInt.asIntN(64, BigInt.asUintN(64, v.numeric) - 1n);
  return null;
}

function pushHistogram(parts: string[], h: HistogramOutput): void {
  parts.push('[');
  for (let i = 0; i < h.counts.length; i++) {
    let s = i > 0 ? ',{' : '{';
    if (i === 0 && h.lowerBound !== null) s += '"min": ' + jsonValue(h.lowerBound) + ', ';
    else if (i > 0) s += '"min": ' + jsonValue(h.labels[i - 1]!) + ', ';
    if (i < h.labels.length) {
      const less = oneLess(h.labels[i]!);
      s += '"max": ' + (less !== null ? jsonInteger(less) : jsonValue(h.labels[i]!)) + ', ';
    }
    parts.push(s + '"count": ' + h.counts[i]!.toString() + '}');
  }
  parts.push(']');
}

/** How C++20 prints a system_clock time point: UTC `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`. */
export function utcTimePointText(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = ns - seconds * 1_000_000_000n;
  const d = new Date(Number(seconds) * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return (
    `${String(d.getUTCFullYear()).padStart(4, '0')}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${fraction.toString().padStart(9, '0')}`
  );
}

// Intervals without a value are left out; values are written in their text form.
function pushTimeSeries(parts: string[], ts: TimeSeriesOutput): void {
  parts.push('[');
  let first = true;
  for (const [ns, v] of ts.points) {
    if (v.kind === 'none') continue;
    if (!first) parts.push(',');
    first = false;
    parts.push('{"interval_start":"', utcTimePointText(ns), '","value":', valueText(v), '}');
  }
  parts.push(']');
}

// Object keys are the key's text without tuple parentheses and without any spaces.
function keyString(key: Value): string {
  let s = valueText(key);
  if (s.length >= 2 && s.startsWith('(') && s.endsWith(')')) s = s.slice(1, -1);
  return s.replaceAll(' ', '');
}

function pushOutput(parts: string[], v: OutputValue): void {
  switch (v.kind) {
    case 'primitive':
      parts.push(jsonValue(v.value));
      return;
    case 'histogram':
      pushHistogram(parts, v);
      return;
    case 'stats':
      pushOutput(parts, v.value);
      return;
    case 'time-series':
      pushTimeSeries(parts, v);
      return;
    case 'ordered-map':
      parts.push('{');
      for (let i = 0; i < v.entries.length; i++) {
        const [key, value] = v.entries[i]!;
        parts.push((i > 0 ? ', ' : '') + jsonString(keyString(key)) + ': ');
        pushOutput(parts, value);
      }
      parts.push('}');
      return;
  }
}

export function jsonOutputValue(v: OutputValue): string {
  const parts: string[] = [];
  pushOutput(parts, v);
  return parts.join('');
}

function firstOf(v: OutputValue): OutputValue {
  return v.kind === 'ordered-map' && v.entries.length > 0 ? v.entries[0]![1] : v;
}

/** The message type of a map: "stats", "tseries", "hist" or "map". */
export function jsonMapType(v: OutputValue): 'stats' | 'tseries' | 'hist' | 'map' {
  if (v.kind === 'stats') return 'stats';
  const first = firstOf(v);
  if (first.kind === 'time-series') return 'tseries';
  if (first.kind === 'histogram') return 'hist';
  return 'map';
}

function record(type: string, data: string): string {
  return `{"type": "${type}", "data": ${data}}\n`;
}

function locationFields(loc: SourceLocation | undefined): string {
  return (
    `, "filename": ${jsonString(loc?.filename ?? '')}` +
    `, "line": ${loc?.line ?? 0}` +
    `, "col": ${loc?.column ?? 0}`
  );
}

export class JsonOutput implements Output {
  readonly #sink: OutputSink;

  constructor(sink: OutputSink) {
    this.#sink = sink;
  }

  map(name: string, value: OutputValue): void {
    // Maps that hold nothing are not printed at all.
    if (value.kind === 'ordered-map' && value.entries.length === 0) return;
    this.#sink.stdout(record(jsonMapType(value), `{${jsonString(name)}: ${jsonOutputValue(value)}}`));
  }

  value(value: OutputValue): void {
    this.#sink.stdout(record('value', jsonOutputValue(value)));
  }

  printf(text: string, severity: PrintfSeverity = 'none', locations: readonly SourceLocation[] = []): void {
    if (severity === 'none') {
      this.#sink.stdout(record('printf', jsonString(text)));
      return;
    }
    // Only the call's own location is given, not the macro expansions.
    const type = severity === 'error' ? 'errorf' : 'warnf';
    this.#sink.stdout(`{"type": "${type}", "msg": ${jsonString(text)}${locationFields(locations[0])}}\n`);
  }

  time(text: string): void {
    this.#sink.stdout(record('time', jsonString(text)));
  }

  cat(text: string): void {
    this.#sink.stdout(record('cat', jsonString(text)));
  }

  join(text: string): void {
    this.#sink.stdout(record('join', jsonString(text)));
  }

  syscall(text: string): void {
    this.#sink.stdout(record('syscall', jsonString(text)));
  }

  end(): void {
    // Nothing marks the end in JSON.
  }

  lostEvents(count: bigint | number): void {
    this.#sink.stdout(`{"type": "lost_events", "count": ${count}, "data": {"events": ${count}}}\n`);
  }

  attachedProbes(count: number): void {
    this.#sink.stdout(`{"type": "attached_probes", "count": ${count}, "data": {"probes": ${count}}}\n`);
  }

  runtimeError(info: RuntimeErrorInfo): void {
    const head =
      info.kind === 'helper'
        ? `{"type": "helper_error", "msg": ${jsonString(strerror(-info.retcode))}, "helper": ${jsonString(info.helper)}, "retcode": ${info.retcode}`
        : `{"type": "runtime_error", "msg": ${jsonString(info.message)}`;
    this.#sink.stdout(`${head}${locationFields(info.locations[0])}}\n`);
  }

  benchmarkResult(names: readonly string[], index: number, averageNs: number, iterations: number): void {
    const result = `{"average": ${averageNs}, "iters": ${iterations}}`;
    this.#sink.stdout(record('benchmark_result', `{${jsonString(names[index] ?? '')}: ${result}}`));
  }
}
