// Probe expansion: turns each attach point into concrete probes (wildcards matched against the tracepoint
// catalogue), checks the arguments of every probe type, and resolves `args` of tracepoints and raw tracepoints.
import { editDistance, type Btf } from '../../btf/index.js';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { globToRegExp, isFileMapping, openElf, readProcMaps, type ElfFile, type UsdtNote } from '../../elf/index.js';
import { demangle } from '../../symbols/index.js';
import { resolveBinary } from '../../kernel/link/uprobe.js';
import { btfToSized, cStructByName } from '../btf-types.js';
import { HARDWARE_EVENTS, SOFTWARE_EVENTS } from '../../kernel/link/perf-event.js';
import { AttachType, ProgType } from '../../sys/uapi.js';
import type { EventField } from '../../tracefs/index.js';
import type * as A from '../ast/index.js';
import { integerValue } from '../lexer.js';
import type { AttachTarget } from '../codegen/artifact.js';
import { int, pointer, string, type SizedType, type IntBits } from '../types.js';
import type { ArgField, CompileContext, ExpandedProbe } from './context.js';

const TIME_UNITS = new Set(['s', 'ms', 'us', 'hz', 'ns']);
const NS_PER_UNIT: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

export function expandProbes(ctx: CompileContext): void {
  const out: ExpandedProbe[] = [];
  for (const probe of ctx.program.probes) {
    for (const ap of probe.attachPoints) {
      if (ap.provider === '') continue; // the parser reported it
      for (const e of expandOne(ctx, probe, ap)) out.push(e);
    }
  }
  ctx.probes = out;
}

function substitute(ctx: CompileContext, part: string): string {
  return part.replace(/\$([0-9]+)/g, (_m, n: string) => ctx.options.positional?.[Number(n) - 1] ?? '');
}

function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

function globRe(glob: string): RegExp {
  let re = '';
  for (const c of glob) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[\\^$.+()|{}[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function base(probe: A.Probe, ap: A.AttachPoint, name: string, target: AttachTarget, progType: ProgType, argsKind: ExpandedProbe['argsKind']): ExpandedProbe {
  return { probe, attachPoint: ap, name, target, progType, expectedAttachType: undefined, attachBtfName: undefined, args: undefined, argsKind };
}

function expandOne(ctx: CompileContext, probe: A.Probe, ap: A.AttachPoint): ExpandedProbe[] {
  const d = ctx.diagnostics;
  const parts = ap.parts.map((p) => substitute(ctx, p));
  switch (ap.provider) {
    case 'begin':
    case 'end': {
      const kind = ap.provider;
      return [base(probe, ap, kind, { kind }, ProgType.RAW_TRACEPOINT, 'none')];
    }
    case 'tracepoint':
      return expandTracepoint(ctx, probe, ap, parts);
    case 'rawtracepoint': {
      const name = parts[parts.length - 1] ?? '';
      const module = parts.length === 2 ? parts[0] : undefined;
      if (name === '') {
        d.error('rawtracepoint should be attached to a function', ap.range);
        return [];
      }
      const btf = safeBtf(ctx);
      const names = hasWildcard(name) ? rawTracepointNames(ctx, name) : [name];
      if (names.length === 0) {
        d.error(`No matches for rawtracepoint ${name}.`, ap.range);
        return [];
      }
      return names.map((n) => {
        const e: ExpandedProbe = {
          ...base(probe, ap, `rawtracepoint:${module !== undefined ? `${module}:` : ''}${n}`, { kind: 'rawtracepoint', name: n, module, btf: false }, ProgType.RAW_TRACEPOINT, 'u64-array'),
        };
        e.args = btf ? rawTracepointArgs(btf, n) : undefined;
        return e;
      });
    }
    case 'profile':
    case 'interval': {
      const kind = ap.provider;
      let unit = parts.length === 2 ? parts[0]! : 'ns';
      const rate = parts[parts.length - 1]!;
      if (!TIME_UNITS.has(unit)) {
        d.error(`${unit} is not an accepted unit of time`, ap.range);
        return [];
      }
      const r = integerValue(rate);
      if ('error' in r) {
        d.error(`${kind} probe must have an integer frequency`, ap.range);
        return [];
      }
      const value = Number(r.value);
      if (value <= 0) {
        d.error(`${kind} frequency should be a positive integer`, ap.range);
        return [];
      }
      unit = unit as 'hz' | 's' | 'ms' | 'us' | 'ns';
      const target: AttachTarget = {
        kind,
        unit: unit as 'hz',
        value,
        periodNs: unit === 'hz' ? undefined : value * NS_PER_UNIT[unit]!,
        hz: unit === 'hz' ? value : undefined,
      };
      const name = parts.length === 2 ? `${kind}:${unit}:${value}` : `${kind}:${value}`;
      return [base(probe, ap, name, target, ProgType.PERF_EVENT, 'pt_regs')];
    }
    case 'software':
    case 'hardware': {
      const kind = ap.provider;
      const event = parts[0] ?? '';
      const table = kind === 'software' ? SOFTWARE_EVENTS : HARDWARE_EVENTS;
      if (event === '') {
        d.error(`${kind} probe must have a ${kind} event name`, ap.range);
        return [];
      }
      if (hasWildcard(event)) {
        d.error(`wildcards are not allowed for ${kind} probe type`, ap.range);
        return [];
      }
      if (!(event in table)) {
        d.error(`${event} is not a ${kind} probe`, ap.range);
        return [];
      }
      let count: number | undefined;
      if (parts.length === 2) {
        const r = integerValue(parts[1]!);
        if ('error' in r || r.value <= 0n) {
          d.error(`${kind} count should be a positive integer`, ap.range);
          return [];
        }
        count = Number(r.value);
      }
      const name = `${kind}:${event}:${count ?? ''}`.replace(/:$/, '');
      return [base(probe, ap, name, { kind, event, count }, ProgType.PERF_EVENT, 'pt_regs')];
    }
    case 'kprobe':
    case 'kretprobe': {
      const ret = ap.provider === 'kretprobe';
      const module = parts.length === 2 ? parts[0] : undefined;
      let fn = parts[parts.length - 1] ?? '';
      let offset = 0;
      const plus = fn.indexOf('+');
      if (plus >= 0) {
        offset = Number(fn.slice(plus + 1));
        fn = fn.slice(0, plus);
      }
      if (fn === '') {
        d.error('kprobes should be attached to a function or an address', ap.range);
        return [];
      }
      const name = `${ap.provider}:${module !== undefined ? `${module}:` : ''}${fn}${offset ? `+${offset}` : ''}`;
      return [base(probe, ap, name, { kind: 'kprobe', symbol: fn, offset, module, ret }, ProgType.KPROBE, 'pt_regs')];
    }
    case 'fentry':
    case 'fexit': {
      const ret = ap.provider === 'fexit';
      const module = parts.length === 2 ? parts[0] : undefined;
      const func = parts[parts.length - 1] ?? '';
      const e: ExpandedProbe = {
        ...base(probe, ap, `${ap.provider}:${module ?? 'vmlinux'}:${func}`, { kind: 'fentry', func, module, ret }, ProgType.TRACING, 'u64-array'),
        expectedAttachType: ret ? AttachType.TRACE_FEXIT : AttachType.TRACE_FENTRY,
        attachBtfName: func,
      };
      const btf = safeBtf(ctx);
      e.args = btf ? functionArgs(btf, func) : undefined;
      return [e];
    }
    case 'uprobe':
    case 'uretprobe':
      return expandUprobe(ctx, probe, ap, parts);
    case 'usdt':
      return expandUsdt(ctx, probe, ap, parts);
    default:
      d.error(`${ap.provider} probes are not supported`, ap.range);
      return [];
  }
}

/**
 * The binaries a user-space probe names: one file (a path, or a library or program name resolved through the
 * ld.so cache, -p's maps and PATH), every file matching a glob in the last path component, or with -p and an
 * empty or `*` path every executable file the process maps. undefined (after an error) when none.
 */
function userBinaries(ctx: CompileContext, ap: A.AttachPoint, written: string, kind: string): UserBinary[] | undefined {
  const d = ctx.diagnostics;
  const pid = ctx.options.pid;
  if (written === '' || written === '*') {
    if (pid === undefined) {
      d.error(`${kind} probe must have a target binary (or use -p PID)`, ap.range);
      return undefined;
    }
    let maps;
    try {
      maps = readProcMaps(pid);
    } catch (err) {
      d.error(`Cannot read the memory maps of process ${pid}: ${(err as Error).message}`, ap.range);
      return undefined;
    }
    const seen = new Set<string>();
    for (const m of maps) if (isFileMapping(m) && m.perms.includes('x') && !m.deleted) seen.add(m.path);
    // Through /proc/PID/root: the paths are the process's, which may live in another mount namespace.
    return [...seen].map((path) => ({ path: `/proc/${pid}/root${path}`, shown: path }));
  }
  if (/[*?[]/.test(basename(written)) && !/[*?[]/.test(dirname(written))) {
    const dir = dirname(written);
    const re = globToRegExp(basename(written));
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => re.test(n)).sort();
    } catch {
      names = [];
    }
    const files = names.map((n) => (dir === '.' && !written.startsWith('./') ? n : join(dir, n))).filter(isExecutableFile);
    const out = files.map((f) => ({ path: resolveBinary(f.includes('/') ? f : `./${f}`, pid)!, shown: written.startsWith('./') ? `./${f}` : f }));
    if (out.length === 0) d.error(`No files match ${kind} target '${written}'`, ap.range);
    return out.length === 0 ? undefined : out;
  }
  // A path that only the -p process sees (it runs in another mount namespace) is found through its root.
  const path = resolveBinary(written, pid) ?? (pid !== undefined && written.startsWith('/') ? resolveBinary(`/proc/${pid}/root${written}`) : undefined);
  if (path === undefined) {
    d.error(`${kind} target file '${written}' does not exist or is not executable`, ap.range);
    return undefined;
  }
  return [{ path, shown: written.includes('/') ? written : path }];
}

/** A binary to probe: where it is, and how the probe's name spells it (the path as the script wrote it). */
interface UserBinary {
  readonly path: string;
  readonly shown: string;
}

function isExecutableFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function readElf(ctx: CompileContext, ap: A.AttachPoint, path: string, what: string): ElfFile | undefined {
  try {
    return openElf(path);
  } catch (err) {
    ctx.diagnostics.error(`Cannot read ${what} of ${path}: ${(err as Error).message}`, ap.range);
    return undefined;
  }
}

/**
 * uprobe/uretprobe: `path:symbol`, `path:symbol+offset`, `path:address`, with globs on the path and the symbol;
 * a symbol glob also matches C++ names in demangled form (`ns::func*`), as bpftrace does.
 */
function expandUprobe(ctx: CompileContext, probe: A.Probe, ap: A.AttachPoint, parts: string[]): ExpandedProbe[] {
  const d = ctx.diagnostics;
  const ret = ap.provider === 'uretprobe';
  // `uprobe:lib:cpp:ns::fn` spells the language; only the path and the symbol matter here.
  const written = parts[0] ?? '';
  let fn = parts.length > 2 && parts[1] === 'cpp' ? parts.slice(2).join(':') : parts.slice(1).join(':');
  if (parts.length === 1) fn = parts[0] ?? '';
  let offset = 0n;
  let symbol: string | undefined = fn;
  const plus = fn.lastIndexOf('+');
  if (plus > 0) {
    offset = BigInt(fn.slice(plus + 1));
    fn = fn.slice(0, plus);
    symbol = fn;
  }
  if (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(fn)) {
    offset = BigInt(fn);
    symbol = undefined;
  }
  if (fn === '') {
    d.error(`${ap.provider} should be attached to a function`, ap.range);
    return [];
  }
  const wildPath = written === '' || /[*?[]/.test(written);
  if (!wildPath && (symbol === undefined || !hasWildcard(symbol))) {
    // One binary, one site: resolved at attach time, so that a missing symbol is an attach error as in bpftrace.
    const path = written;
    const name = `${ap.provider}:${path}:${fn}${plus > 0 ? `+${offset}` : ''}`;
    return [base(probe, ap, name, { kind: 'uprobe', path, symbol, offset, pid: undefined, ret }, ProgType.KPROBE, 'pt_regs')];
  }
  const paths = userBinaries(ctx, ap, written, ap.provider);
  if (!paths) return [];
  const out: ExpandedProbe[] = [];
  const re = symbol !== undefined ? globToRegExp(symbol) : undefined;
  for (const { path, shown } of paths) {
    let names: string[];
    if (re === undefined || symbol === undefined) names = [fn];
    else if (!hasWildcard(symbol)) names = [symbol];
    else {
      const elf = readElf(ctx, ap, path, 'the symbols');
      if (!elf) return [];
      const seen = new Set<string>();
      names = [];
      for (const s of elf.symbols()) {
        if (s.section === 0 || (s.type !== 'func' && s.type !== 'ifunc') || seen.has(s.name)) continue;
        if (re.test(s.name) || (s.name.startsWith('_Z') && re.test(demangle(s.name) ?? ''))) {
          seen.add(s.name);
          names.push(s.name);
        }
      }
      names.sort();
    }
    for (const n of names) {
      const sym = symbol === undefined ? undefined : n;
      const name = `${ap.provider}:${shown}:${n}${plus > 0 ? `+${offset}` : ''}`;
      out.push(base(probe, ap, name, { kind: 'uprobe', path, symbol: sym, offset, pid: undefined, ret }, ProgType.KPROBE, 'pt_regs'));
    }
  }
  if (out.length === 0) d.error(`No matches for ${ap.provider}:${written}:${fn}`, ap.range);
  return out;
}

/**
 * USDT probes `usdt:path:provider:name` (provider optional or empty = any), globs anywhere: one program per
 * probe and distinct argument layout among its sites (most probes have one layout).
 */
function expandUsdt(ctx: CompileContext, probe: A.Probe, ap: A.AttachPoint, parts: string[]): ExpandedProbe[] {
  const d = ctx.diagnostics;
  const written = parts[0] ?? '';
  const provider = parts.length === 3 ? parts[1]! : '';
  const name = parts[parts.length - 1] ?? '';
  const paths = userBinaries(ctx, ap, written, 'usdt');
  if (!paths) return [];
  const providerRe = provider === '' ? undefined : globToRegExp(provider);
  const nameRe = globToRegExp(name);
  const out: ExpandedProbe[] = [];
  for (const { path, shown } of paths) {
    let notes: UsdtNote[];
    try {
      notes = openElf(path).usdtNotes().filter((n) => nameRe.test(n.name) && (providerRe === undefined || providerRe.test(n.provider)));
    } catch (err) {
      // With -p every mapped file is a candidate; files that are not ELF simply have no probes.
      if (written === '' || written === '*') continue;
      d.error(`Cannot read USDT probes of ${path}: ${(err as Error).message}`, ap.range);
      return [];
    }
    const groups = new Map<string, UsdtNote[]>();
    for (const n of notes) {
      const key = `${n.provider}\0${n.name}\0${n.argText}`;
      groups.set(key, [...(groups.get(key) ?? []), n]);
    }
    for (const sites of groups.values()) {
      const first = sites[0]!;
      const target: AttachTarget = {
        kind: 'usdt',
        path,
        provider: first.provider,
        name: first.name,
        pid: undefined,
        locations: sites.map((n) => ({ pcFileOffset: n.pcFileOffset, semaphoreFileOffset: n.semaphoreFileOffset })),
      };
      const e = base(probe, ap, `usdt:${shown}:${first.provider}:${first.name}`, target, ProgType.KPROBE, 'pt_regs');
      e.usdtArgs = first.args;
      out.push(e);
    }
  }
  if (out.length === 0) {
    d.error(`No matches for usdt ${written}:${provider === '' ? '' : `${provider}:`}${name}.`, ap.range);
    return [];
  }
  return out;
}

function safeBtf(ctx: CompileContext): Btf | undefined {
  return ctx.btf();
}

function expandTracepoint(ctx: CompileContext, probe: A.Probe, ap: A.AttachPoint, parts: string[]): ExpandedProbe[] {
  const d = ctx.diagnostics;
  const catalog = ctx.options.tracepoints;
  let category = parts[0] ?? '';
  let event = parts[1] ?? '';
  if (parts.length === 1) {
    // `tracepoint:*` means every category and event.
    category = parts[0]!;
    event = '*';
  }
  if (category === '' || event === '') {
    d.error('tracepoint probe must have a target', ap.range);
    return [];
  }
  if (catalog === undefined) {
    d.error(`Cannot expand tracepoint ${category}:${event}: no tracepoint catalogue (is tracefs mounted?)`, ap.range);
    return [];
  }
  let matches: { category: string; event: string }[] = [];
  try {
    const cats = hasWildcard(category) ? catalog.categories().filter((c) => globRe(category).test(c)) : catalog.categories().includes(category) ? [category] : [];
    for (const c of cats) {
      const evs = catalog.events(c);
      if (hasWildcard(event)) {
        const re = globRe(event);
        for (const e of evs) if (re.test(e)) matches.push({ category: c, event: e });
      } else if (evs.includes(event)) matches.push({ category: c, event });
    }
  } catch (err) {
    d.error(`Cannot list tracepoints: ${(err as Error).message}`, ap.range);
    return [];
  }
  if (matches.length === 0) {
    // config missing_probes: error (default), warn, or ignore, as in bpftrace.
    const policy = String(ctx.config.raw['missing_probes'] ?? 'error');
    if (policy === 'ignore') return [];
    if (policy === 'warn') {
      d.warning(`No matches for tracepoint ${category}:${event}. Skipping.`, ap.range);
      return [];
    }
    const hints: string[] = [];
    if (!hasWildcard(category) && !hasWildcard(event)) {
      const near = nearTracepoints(catalog, category, event);
      if (near.length > 0) hints.push(`Did you mean: ${near.join(', ')}?`);
    }
    d.error(`No matches for tracepoint ${category}:${event}.`, ap.range, hints);
    return [];
  }
  matches = matches.slice();
  const out: ExpandedProbe[] = [];
  for (const m of matches) {
    const e = base(probe, ap, `tracepoint:${m.category}:${m.event}`, { kind: 'tracepoint', category: m.category, event: m.event }, ProgType.TRACEPOINT, 'tracepoint');
    try {
      e.args = tracepointArgs(m.category, catalog.format(m.category, m.event).fields, ctx.config.maxStrlen, safeBtf(ctx));
    } catch {
      e.args = undefined;
    }
    out.push(e);
  }
  return out;
}

function nearTracepoints(catalog: { categories(): string[]; events(c: string): string[] }, category: string, event: string): string[] {
  const scored: { name: string; score: number }[] = [];
  const cats = catalog.categories();
  const candidates = cats.includes(category) ? [category] : cats.filter((c) => editDistance(c, category) <= 2);
  for (const c of candidates) {
    for (const e of catalog.events(c)) {
      const score = editDistance(e, event) + (c === category ? 0 : editDistance(c, category));
      if (score <= Math.max(2, Math.floor(event.length / 4))) scored.push({ name: `tracepoint:${c}:${e}`, score });
    }
  }
  scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : 1));
  return scored.slice(0, 3).map((s) => s.name);
}

/** The `args` fields of a tracepoint from its format file. */
export function tracepointArgs(category: string, fields: readonly EventField[], maxStrlen: number, btf?: Btf): ArgField[] {
  const out: ArgField[] = [];
  for (const f of fields) {
    const isChar = /\bchar\b/.test(f.type);
    let type: SizedType;
    let userPointer = false;
    if (f.isDataLoc) {
      type = string(maxStrlen);
    } else if (f.isArray && isChar) {
      type = string(f.arrayLength ?? f.size);
    } else if (f.isArray) {
      const n = f.arrayLength ?? 0;
      const elem = n > 0 ? f.size / n : f.size;
      type = { kind: 'array', element: int(intBits(elem), f.signed), length: n };
    } else if (f.type.includes('*')) {
      userPointer = category === 'syscalls';
      // `struct __kernel_timespec *`: point at the struct from BTF when there is one, so its fields can be read.
      const named = /^(?:const\s+)?(struct|union)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\*$/.exec(f.type.trim());
      const pointee = named && btf ? cStructByName(btf, `${named[1]} ${named[2]}`) : undefined;
      type = pointer(pointee ?? (isChar ? int(8, true) : int(8, false)), userPointer);
    } else {
      type = int(intBits(f.size), f.signed);
    }
    out.push({ name: f.name, type, offset: f.offset, dataLoc: f.isDataLoc, userPointer });
  }
  return out;
}

function intBits(size: number): IntBits {
  return size === 1 ? 8 : size === 2 ? 16 : size === 4 ? 32 : 64;
}

function rawTracepointNames(ctx: CompileContext, pattern: string): string[] {
  const btf = safeBtf(ctx);
  if (!btf) return [];
  const re = globRe(`btf_trace_${pattern}`);
  const out: string[] = [];
  // Walk typedef names lazily: Btf exposes lookups by name only, so wildcard raw tracepoints use the tracefs list.
  const catalog = ctx.options.tracepoints;
  if (!catalog) return out;
  for (const c of catalog.categories()) {
    for (const e of catalog.events(c)) if (re.test(`btf_trace_${e}`) && btf.findByName(`btf_trace_${e}`, 'typedef')) out.push(e);
  }
  return [...new Set(out)].sort();
}

/** rawtracepoint args from BTF: each parameter is one u64 slot of the context. */
function rawTracepointArgs(btf: Btf, name: string): ArgField[] | undefined {
  try {
    const sig = btf.rawTracepointArgs(name);
    return sig.params.map((p, i) => ({ name: p.name, type: btfToSized(btf, p.typeId), offset: i * 8, dataLoc: false, userPointer: false }));
  } catch {
    return undefined;
  }
}

/** fentry/fexit args from the function's BTF prototype (fexit adds `$retval` after them, not an arg). */
function functionArgs(btf: Btf, name: string): ArgField[] | undefined {
  try {
    const sig = btf.funcProto(name);
    return sig.params.map((p, i) => ({ name: p.name, type: btfToSized(btf, p.typeId), offset: i * 8, dataLoc: false, userPointer: false }));
  } catch {
    return undefined;
  }
}
