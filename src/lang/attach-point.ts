// Splits an attach point's raw text into provider and parts, and checks the part count for each probe type.
import type { Diagnostics } from './diagnostics.js';
import { integerValue } from './lexer.js';
import type { Range } from './source.js';

interface ProbeKind {
  readonly name: string;
  readonly aliases: readonly string[];
  // Allowed numbers of arguments after the provider, and how the message states them.
  readonly counts: readonly number[];
  readonly stated: string;
}

const PROBE_KINDS: readonly ProbeKind[] = [
  { name: 'kprobe', aliases: ['k'], counts: [1, 2], stated: '1 or 2' },
  { name: 'kretprobe', aliases: ['kr'], counts: [1, 2], stated: '1 or 2' },
  { name: 'uprobe', aliases: ['u'], counts: [2, 3], stated: '2 or 3' },
  { name: 'uretprobe', aliases: ['ur'], counts: [2, 3], stated: '2 or 3' },
  { name: 'usdt', aliases: ['U'], counts: [2, 3], stated: '2 or 3' },
  { name: 'begin', aliases: [], counts: [0], stated: '0' },
  { name: 'end', aliases: [], counts: [0], stated: '0' },
  { name: 'self', aliases: [], counts: [2], stated: '2' },
  { name: 'test', aliases: [], counts: [1], stated: '1' },
  { name: 'bench', aliases: [], counts: [1], stated: '1' },
  { name: 'tracepoint', aliases: ['t'], counts: [2], stated: '2' },
  { name: 'profile', aliases: ['p'], counts: [1, 2], stated: '1 or 2' },
  { name: 'interval', aliases: ['i'], counts: [1, 2], stated: '1 or 2' },
  { name: 'software', aliases: ['s'], counts: [1, 2], stated: '1 or 2' },
  { name: 'hardware', aliases: ['h'], counts: [1, 2], stated: '1 or 2' },
  { name: 'watchpoint', aliases: ['w'], counts: [3], stated: '3' },
  { name: 'fentry', aliases: ['f', 'kfunc'], counts: [1, 2, 3], stated: '1 or 3' },
  { name: 'fexit', aliases: ['fr', 'kretfunc'], counts: [1, 2, 3], stated: '1 or 3' },
  { name: 'iter', aliases: ['it'], counts: [1, 2], stated: '1 or 2' },
  { name: 'rawtracepoint', aliases: ['rt'], counts: [1, 2], stated: '2 or 1' },
];

// The long name for a provider as written, matching exactly first (`U` is usdt) and then ignoring case (`BEGIN`).
export function expandProvider(written: string): string | undefined {
  for (const k of PROBE_KINDS) if (k.name === written || k.aliases.includes(written)) return k.name;
  const lower = written.toLowerCase();
  for (const k of PROBE_KINDS) if (k.name === lower || k.aliases.includes(lower)) return k.name;
  return undefined;
}

export interface SplitAttachPoint {
  readonly provider: string;
  readonly parts: string[];
  readonly userName: string | undefined;
}

// Colons and `@` outside quotes separate parts; quotes are removed and `\x` inside them keeps x.
/** The provider of an attach point whose probe type holds a positional parameter, split in probe expansion. */
export const POSITIONAL_PROVIDER = '$';

export function splitAttachPoint(raw: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if ((c === ':' || c === '@') && !quoted) {
      parts.push(cur);
      cur = '';
      if (c === '@') parts.push('@');
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted && c === '\\' && i + 1 < raw.length) {
      cur += raw[++i];
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

export function analyzeAttachPoint(raw: string, range: Range, diags: Diagnostics): SplitAttachPoint {
  const all = splitAttachPoint(raw);
  let front = all[0]!;
  let userName: string | undefined;
  const eq = front.indexOf('=');
  if (eq >= 0 && eq !== front.length - 1) {
    userName = front.slice(0, eq);
    front = front.slice(eq + 1);
  }
  let rest = all.slice(1);
  // An empty provider (`:k:f`, or nothing after a trailing comma) makes the attach point empty; bpftrace drops it.
  if (front === '') return { provider: '', parts: rest, userName };
  // A wildcard provider is expanded against the kernel's probe types later.
  if (front.includes('*') || front.includes('?')) return { provider: front, parts: rest, userName };
  const provider = expandProvider(front);
  if (provider === undefined) {
    diags.error(`Invalid probe type: ${front}`, range);
    return { provider: '', parts: rest, userName };
  }
  if ((provider === 'begin' || provider === 'end') && rest.length === 1 && rest[0] === '*') rest = [];
  const kind = PROBE_KINDS.find((k) => k.name === provider)!;
  // uprobe:/bin/bash@readline.c:362 names a source location.
  const sourceLocation = (provider === 'uprobe' || provider === 'uretprobe') && rest[1] === '@';
  // tracepoint:* lists or attaches to every category.
  const wildcardOnly = provider === 'tracepoint' && rest.length === 1 && hasWildcard(rest[0]!);
  if (!sourceLocation && !wildcardOnly && !kind.counts.includes(rest.length)) {
    diags.error(`${provider} probe type requires ${kind.stated} arguments, found ${rest.length}`, range);
  } else {
    const problem = checkArguments(provider, rest);
    if (problem !== undefined) diags.error(problem, range);
  }
  return { provider, parts: rest, userName };
}

function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?') || s.includes('[');
}

// Positional parameters are substituted later, so a part holding one cannot be checked yet.
function numberProblem(part: string): string | undefined {
  if (part.includes('$')) return undefined;
  const r = integerValue(part);
  return 'error' in r ? r.error : undefined;
}

// The checks bpftrace makes on the arguments of each probe type, with its messages.
function checkArguments(provider: string, parts: string[]): string | undefined {
  const last = parts[parts.length - 1]!;
  switch (provider) {
    case 'profile':
    case 'interval': {
      if (hasWildcard(last) || last.includes('$')) return undefined;
      const r = integerValue(last);
      if ('error' in r) return `Invalid rate of ${provider} probe: ${r.error}`;
      if (parts.length === 1 && r.value < 1000n) {
        return `Invalid rate of ${provider} probe. Minimum is 1000 or 1us. Found: ${r.value} nanoseconds`;
      }
      return undefined;
    }
    case 'software':
    case 'hardware': {
      if (parts.length !== 2 || last === '*') return undefined;
      const e = numberProblem(last);
      return e === undefined ? undefined : `Invalid count for ${provider} probe: ${e}`;
    }
    case 'watchpoint': {
      const a = numberProblem(parts[0]!);
      if (a !== undefined) return `Invalid function/address argument: ${a}`;
      const l = numberProblem(parts[1]!);
      if (l !== undefined) return `Invalid length argument: ${l}`;
      return undefined;
    }
    case 'kretprobe':
    case 'uretprobe':
      return last.includes('+') ? 'Offset not allowed' : undefined;
    case 'uprobe': {
      const target = parts[0]!;
      if (/^[0-9]/.test(last) && parts[1] !== '@' && hasWildcard(target)) return 'Cannot use wildcards with absolute address';
      return undefined;
    }
    default:
      return undefined;
  }
}
