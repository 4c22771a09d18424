// printf(), errorf(), warnf(), system() and cat() formatting with bpftrace's semantics.
//
// bpftrace formats each conversion with C++ iostreams rather than C's printf, and the output
// follows iostream rules, which this module reproduces:
// - without a length modifier, %d/%i print the value cast to int (32-bit) and %u/%o/%x/%X cast
//   to unsigned int; `hh`, `h`, `l`, `ll`, `j`, `z`, `t` pick char, short, long (64-bit), ...;
// - precision is ignored except for floating-point conversions; the space flag is ignored;
// - `0` pads on the left even before a sign (`%05d` of -5 is `000-5`), and `-` with `0`
//   pads zeros on the right; `#` adds 0x/0X/0 to non-zero hex/octal values only;
// - `+` only affects signed conversions; %p prints `0x...` (`0` for null);
// - a `*` width or precision is accepted but consumes no argument and has no effect.
import type { Value } from '../value/index.js';
import { hexEscapeBuffer, valueText } from './primitive-text.js';
import { formatGfpFlags } from './gfp.js';

export interface FormatSpec {
  readonly leftAlign: boolean; // -
  readonly showSign: boolean; // +
  readonly spacePrefix: boolean; // (space), parsed but without effect
  readonly alternateForm: boolean; // #
  readonly leadZeros: boolean; // 0
  readonly width: number; // 0 when absent
  readonly precision: number; // -1 when absent
  readonly lengthModifier: string; // h, hh, l, ll, j, z, t, L, ...
  readonly specifier: string; // d, s, x, r, rx, rh, gr, ...
  /** The conversion as written, e.g. `%-5llu`. */
  readonly text: string;
}

/** A parsed format string: `fragments` is one longer than `specs` and they alternate, fragment first. */
export interface FormatString {
  readonly format: string;
  readonly fragments: readonly string[];
  readonly specs: readonly FormatSpec[];
}

// The flags are matched in this fixed order, each at most once (`%0-5d` is not a conversion).
// `r`, `rh`, `rx` and `gr` take their modifiers after the letter, so they are tried in this order.
const SPEC_PATTERN =
  /%(-?)(\+?)( ?)(#?)(0?)(\*|\d+)?(?:\.(\*|\d+))?([hlLjzt]*)([diouxXeEfFGaAcspn%]|gr|g|rh|rx|r)/g;

export function parseFormat(format: string): FormatString {
  const fragments: string[] = [];
  const specs: FormatSpec[] = [];
  let last = 0;
  let fragment = '';
  for (const m of format.matchAll(SPEC_PATTERN)) {
    fragment += format.slice(last, m.index);
    last = m.index + m[0].length;
    const specifier = m[9]!;
    if (specifier === '%') {
      fragment += '%';
      continue;
    }
    fragments.push(fragment);
    fragment = '';
    const width = m[6] !== undefined && m[6] !== '*' ? Number.parseInt(m[6], 10) : 0;
    const precision = m[7] !== undefined && m[7] !== '*' ? Number.parseInt(m[7], 10) : -1;
    specs.push({
      leftAlign: m[1] === '-',
      showSign: m[2] === '+',
      spacePrefix: m[3] === ' ',
      alternateForm: m[4] === '#',
      leadZeros: m[5] === '0',
      width,
      precision,
      lengthModifier: m[8] ?? '',
      specifier,
      text: m[0],
    });
  }
  fragments.push(fragment + format.slice(last));
  return { format, fragments, specs };
}

/** The kinds of argument type the printf check tells apart. */
export type PrintfArgKind = 'integer' | 'boolean' | 'pointer' | 'buffer' | 'none' | 'void' | 'other';

export interface PrintfArgType {
  readonly kind: PrintfArgKind;
  /** The type as the compiler names it in messages, e.g. `string[6]`, `uint64`. */
  readonly name: string;
}

const ANY_INTEGER: readonly PrintfArgKind[] = ['integer', 'boolean', 'pointer'];

/** The argument kinds each conversion accepts; `null` means any type (%s). */
const REQUIRED: ReadonlyMap<string, readonly PrintfArgKind[] | null> = new Map<string, readonly PrintfArgKind[] | null>([
  ['d', ANY_INTEGER],
  ['i', ANY_INTEGER],
  ['u', ANY_INTEGER],
  ['o', ANY_INTEGER],
  ['x', ANY_INTEGER],
  ['X', ANY_INTEGER],
  ['c', ANY_INTEGER],
  ['r', ['buffer']],
  ['rx', ['buffer']],
  ['rh', ['buffer']],
  ['s', null],
  ['p', ANY_INTEGER],
  ['gr', ANY_INTEGER],
]);

/**
 * What each conversion of `fmt` accepts, in argument order: a list of kinds, `null` for any,
 * or `undefined` when the conversion is not supported (floating point among them).
 */
export function expectedArgumentKinds(fmt: FormatString): (readonly PrintfArgKind[] | null | undefined)[] {
  return fmt.specs.map((s) => REQUIRED.get(s.specifier));
}

/**
 * bpftrace's printf argument check: the first problem found, worded as bpftrace words it, or
 * null when the arguments fit. The compiler attaches the message to the call.
 */
export function checkFormatArguments(fmt: FormatString, args: readonly PrintfArgType[]): string | null {
  const expected = fmt.specs.length;
  if (args.length < expected) {
    return `not enough arguments for format string (${args.length} supplied, ${expected} expected)`;
  }
  if (args.length > expected) {
    return `too many arguments for format string (${args.length} supplied, ${expected} expected)`;
  }
  for (let i = 0; i < expected; i++) {
    const spec = fmt.specs[i]!;
    const arg = args[i]!;
    if (arg.kind === 'none' || arg.kind === 'void') {
      return `unable to print none type for specifier: ${spec.specifier}`;
    }
    const allowed = REQUIRED.get(spec.specifier);
    if (allowed === undefined) return `unsupported format specifier: ${spec.specifier}`;
    if (allowed === null) continue;
    if (!allowed.includes(arg.kind)) {
      return `unsupported format specifier for type '${arg.name}': ${spec.specifier}`;
    }
  }
  return null;
}

class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}

// The C++ type a conversion casts through: its width and signedness.
interface Cast {
  readonly bits: 8 | 16 | 32 | 64;
  readonly signed: boolean;
}

function castFor(signed: boolean, lengthModifier: string): Cast {
  switch (lengthModifier) {
    case 'hh':
      return { bits: 8, signed };
    case 'h':
      return { bits: 16, signed };
    case 'l':
    case 'll':
    case 'j':
    case 'z':
      return { bits: 64, signed };
    case 't':
      return { bits: 64, signed: true };
    default:
      return { bits: 32, signed };
  }
}

function integerOf(v: Value): bigint {
  switch (v.kind) {
    case 'int':
      return v.value;
    case 'bool':
      return v.value ? 1n : 0n;
    case 'symbol':
      return BigInt.asUintN(64, v.numeric);
    default:
      throw new ConversionError(`invalid integer conversion: ${valueText(v)}`);
  }
}

// iostream padding: fill on the left (right-aligned) or the right (left-aligned). Widths count
// bytes, as the stream sees the UTF-8 text.
function pad(text: string, spec: FormatSpec): string {
  const length = Buffer.byteLength(text);
  if (spec.width <= length) return text;
  const fill = (spec.leadZeros ? '0' : ' ').repeat(spec.width - length);
  return spec.leftAlign ? text + fill : fill + text;
}

function formatInteger(v: Value, spec: FormatSpec, signedConversion: boolean): string {
  const cast = castFor(signedConversion, spec.lengthModifier);
  const raw = integerOf(v);
  const casted = cast.signed ? BigInt.asIntN(cast.bits, raw) : BigInt.asUintN(cast.bits, raw);
  // The printed type: long long for signed conversions, unsigned long for unsigned ones.
  const n = signedConversion ? BigInt.asIntN(64, casted) : BigInt.asUintN(64, casted);
  const base = spec.specifier === 'o' ? 8 : spec.specifier === 'x' || spec.specifier === 'X' ? 16 : 10;
  let text: string;
  if (base === 10) {
    text = n.toString();
    if (signedConversion && spec.showSign && n >= 0n) text = '+' + text;
  } else {
    text = n.toString(base);
    if (spec.specifier === 'X') text = text.toUpperCase();
    if (spec.alternateForm && n !== 0n) {
      text = (base === 8 ? '0' : spec.specifier === 'X' ? '0X' : '0x') + text;
    }
  }
  return pad(text, spec);
}

function formatChar(v: Value, spec: FormatSpec): string {
  const cast = castFor(true, spec.lengthModifier);
  const byte = Number(BigInt.asUintN(8, BigInt.asIntN(cast.bits, integerOf(v))));
  return pad(String.fromCharCode(byte), spec);
}

function formatPointer(v: Value, spec: FormatSpec): string {
  const n = BigInt.asUintN(64, integerOf(v));
  return pad(n === 0n ? '0' : '0x' + n.toString(16), spec);
}

// iostreams apply the width to the first thing written only: for a tuple that is its `(`.
function formatString(v: Value, spec: FormatSpec): string {
  let text = valueText(v);
  if (v.kind === 'int' && v.signed && spec.showSign && v.value >= 0n) text = '+' + text;
  let head = text.length;
  if ((v.kind === 'tuple' || v.kind === 'array') ) head = 1;
  else if (v.kind === 'record') head = 2;
  else if (v.kind === 'duration') head = text.length - text.replace(/^\d+/, '').length;
  if (head >= text.length) return pad(text, spec);
  return pad(text.slice(0, head), spec) + text.slice(head);
}

// C's exponent form: at least two exponent digits (`1.5e+06`).
function exponential(x: number, digits: number): string {
  const [mantissa, exp] = x.toExponential(digits).split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
}

// C's %g: `precision` significant digits, exponent form for very small or large values,
// trailing zeros removed.
function general(x: number, precision: number): string {
  const p = precision === 0 ? 1 : precision;
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(x)));
  const strip = (t: string): string => (t.includes('.') ? t.replace(/\.?0+$/, '') : t);
  if (exp < -4 || exp >= p) {
    const [m, e] = exponential(x, p - 1).split('e') as [string, string];
    return `${strip(m)}e${e}`;
  }
  return strip(x.toFixed(Math.max(0, p - 1 - exp)));
}

// Floating-point conversions never pass the compiler's check (bpftrace accepts no float
// arguments), but format as iostreams would: fixed or scientific only with a precision, else %g.
function formatFloat(v: Value, spec: FormatSpec): string {
  const x = Number(integerOf(v));
  const p = spec.precision;
  let text: string;
  if (p >= 0 && (spec.specifier === 'f' || spec.specifier === 'F')) text = x.toFixed(p);
  else if (p >= 0 && (spec.specifier === 'e' || spec.specifier === 'E')) text = exponential(x, p);
  else text = general(x, p >= 0 ? p : 6);
  if (spec.showSign && x >= 0) text = '+' + text;
  return pad(text, spec);
}

/** One conversion applied to one value. Throws ConversionError for values it cannot convert. */
function applySpec(spec: FormatSpec, v: Value): string {
  switch (spec.specifier) {
    case 'd':
    case 'i':
      return formatInteger(v, spec, true);
    case 'u':
    case 'o':
    case 'x':
    case 'X':
      return formatInteger(v, spec, false);
    case 'c':
      return formatChar(v, spec);
    case 'p':
      return formatPointer(v, spec);
    case 'r':
    case 'rx':
    case 'rh':
      if (v.kind !== 'buffer') return formatString(v, spec);
      return pad(hexEscapeBuffer(v.bytes, spec.specifier === 'r', spec.specifier !== 'rh'), spec);
    case 'gr':
      if (v.kind !== 'int' && v.kind !== 'symbol') {
        throw new ConversionError(`invalid GFP flags conversion: ${valueText(v)}`);
      }
      return pad(formatGfpFlags(BigInt.asUintN(64, integerOf(v))), spec);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
      return formatFloat(v, spec);
    default:
      return formatString(v, spec);
  }
}

/**
 * The formatted text. A value a conversion cannot take is written as `!{message}` in its place,
 * as bpftrace does; the compiler's check makes that rare. Conversions without a value are dropped.
 */
export function formatPrintf(fmt: FormatString, args: readonly Value[]): string {
  const parts: string[] = [];
  const n = Math.min(args.length, fmt.specs.length);
  for (let i = 0; i < n; i++) {
    parts.push(fmt.fragments[i]!);
    try {
      parts.push(applySpec(fmt.specs[i]!, args[i]!));
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      parts.push(`!{${e.message}}`);
    }
  }
  parts.push(fmt.fragments[fmt.fragments.length - 1]!);
  return parts.join('');
}

/** parseFormat and formatPrintf in one call, for one-off use. */
export function sprintf(format: string, args: readonly Value[]): string {
  return formatPrintf(parseFormat(format), args);
}
