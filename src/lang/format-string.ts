// The conversions of a printf-style format string, as far as the compiler needs them: how many arguments
// it takes and which kinds of value each accepts. (The runtime formats; this only checks.)

const SPEC = /%(-?)(\+?)( ?)(#?)(0?)(\*|\d+)?(?:\.(\*|\d+))?([hlLjzt]*)([diouxXeEfFGaAcspn%]|gr|g|rh|rx|r)/g;

export interface FormatConversion {
  readonly specifier: string;
}

/** The conversions in order, `%%` excluded. */
export function formatConversions(format: string): FormatConversion[] {
  const out: FormatConversion[] = [];
  for (const m of format.matchAll(SPEC)) {
    if (m[9] === '%') continue;
    out.push({ specifier: m[9]! });
  }
  return out;
}

export type ArgKind = 'integer' | 'bool' | 'pointer' | 'buffer' | 'none' | 'other';

const ANY_INTEGER: readonly ArgKind[] = ['integer', 'bool', 'pointer'];
const REQUIRED: Readonly<Record<string, readonly ArgKind[] | null>> = {
  d: ANY_INTEGER, i: ANY_INTEGER, u: ANY_INTEGER, o: ANY_INTEGER, x: ANY_INTEGER, X: ANY_INTEGER, c: ANY_INTEGER,
  p: ANY_INTEGER, gr: ANY_INTEGER, r: ['buffer'], rx: ['buffer'], rh: ['buffer'], s: null,
};

/** bpftrace's check of arguments against a format; the error text, or undefined when they fit. */
export function checkFormat(format: string, args: readonly { kind: ArgKind; name: string }[]): string | undefined {
  const specs = formatConversions(format);
  if (args.length < specs.length) return `not enough arguments for format string (${args.length} supplied, ${specs.length} expected)`;
  if (args.length > specs.length) return `too many arguments for format string (${args.length} supplied, ${specs.length} expected)`;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i]!.specifier;
    const a = args[i]!;
    if (a.kind === 'none') return `unable to print none type for specifier: ${s}`;
    const req = REQUIRED[s];
    if (req === undefined) return `unsupported format specifier: ${s}`;
    if (req === null) continue;
    if (!req.includes(a.kind)) return `unsupported format specifier for type '${a.name}': ${s}`;
  }
  return undefined;
}
