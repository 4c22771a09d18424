// The text of one value as bpftrace prints it in maps, print() and printf's %s.
import type { StackValue, Value } from '../value/index.js';
import { formatTimestampIso } from './time.js';

/** Printable ASCII kept, every other byte as `\xNN` (printf %r, buffers in maps). */
export function hexEscapeBuffer(bytes: Uint8Array, keepAscii = true, escapeHex = true): string {
  const parts: string[] = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (keepAscii && b >= 32 && b <= 126) parts[i] = String.fromCharCode(b);
    else if (escapeHex) parts[i] = '\\x' + b.toString(16).padStart(2, '0');
    else parts[i] = b.toString(16).padStart(2, '0');
  }
  // %rh separates bytes with spaces; the escaped forms are packed.
  return parts.join(!keepAscii && !escapeHex ? ' ' : '');
}

const STACK_INDENT = '        ';

/** A stack as bpftrace prints it: a leading newline, then one line per (symbolized) frame. */
export function stackText(s: StackValue): string {
  if (s.mode === 'build_id') return buildIdStackText(s);
  const lines: string[] = [''];
  for (let i = 0; i < s.addresses.length; i++) {
    const addr = BigInt.asUintN(64, s.addresses[i]!);
    if (addr === 0xffffffffffffffffn) {
      lines.push(STACK_INDENT + '<unwind failure>');
      break;
    }
    if (s.mode === 'raw') {
      lines.push(addr.toString(16));
      continue;
    }
    const syms = s.frames?.[i] ?? [addr.toString(16)];
    for (const sym of syms) {
      lines.push(s.mode === 'perf' ? `\t${addr.toString(16)} ${sym}` : STACK_INDENT + sym);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * build_id stacks as bpftrace prints them: unindented, one frame a line, `BUILDID 0xOFFSET` (the offset at
 * least two hex digits) or, when the build id is unknown, the bare instruction pointer in hex.
 */
function buildIdStackText(s: StackValue): string {
  let out = '\n';
  for (let i = 0; i < s.addresses.length; i++) {
    const address = BigInt.asUintN(64, s.addresses[i]!).toString(16);
    const id = s.buildIds?.[i];
    out += id === undefined ? `${address}\n` : `${id} 0x${address.padStart(2, '0')}\n`;
  }
  return out;
}

/** Duration text: the count in the largest unit it reaches (s, ms, μs, ns), integer-divided. */
export function durationText(ns: bigint): string {
  const v = BigInt.asUintN(64, ns);
  if (v >= 1_000_000_000n) return `${v / 1_000_000_000n}s`;
  if (v >= 1_000_000n) return `${v / 1_000_000n}ms`;
  if (v >= 1_000n) return `${v / 1_000n}μs`;
  return `${v}ns`;
}

/** The text of one value: what print() shows and what %s formats. */
export function valueText(v: Value): string {
  switch (v.kind) {
    case 'none':
      return 'null';
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'int':
      return v.value.toString();
    case 'string':
      return v.value;
    case 'buffer':
      return hexEscapeBuffer(v.bytes);
    case 'symbol':
      return v.symbol;
    case 'stack':
      return stackText(v);
    case 'timestamp':
      return formatTimestampIso(v.epochNs);
    case 'duration':
      return durationText(v.ns);
    case 'tuple': {
      // Tuples are spaced, arrays are not.
      let s = '(';
      for (let i = 0; i < v.elements.length; i++) s += (i > 0 ? ', ' : '') + valueText(v.elements[i]!);
      return s + ')';
    }
    case 'array': {
      let s = '[';
      for (let i = 0; i < v.elements.length; i++) s += (i > 0 ? ',' : '') + valueText(v.elements[i]!);
      return s + ']';
    }
    case 'record': {
      if (v.fields.length === 0) return '{}';
      let s = '{ ';
      for (let i = 0; i < v.fields.length; i++) {
        const f = v.fields[i]!;
        s += (i > 0 ? ', .' : '.') + f.name + ' = ' + valueText(f.value);
      }
      return s + ' }';
    }
  }
}
