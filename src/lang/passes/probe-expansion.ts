// Probe expansion: turns each attach point into concrete probes (wildcards matched against the tracepoint
// catalogue), checks the arguments of every probe type, and resolves `args` of tracepoints and raw tracepoints.
import { editDistance, listModuleBtf, loadModuleBtf, type Btf } from '../../btf/index.js';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { globToRegExp, isFileMapping, openElf, readProcMaps, type ElfFile, type UsdtNote } from '../../elf/index.js';
import { demangle } from '../../symbols/index.js';
import { checkUprobeSite, openUprobeBinary, resolveBinary } from '../../kernel/link/uprobe.js';
import { btfToSized, cStructByName } from '../btf-types.js';
import { HARDWARE_EVENTS, SOFTWARE_EVENTS } from '../../kernel/link/perf-event.js';
import { AttachType, ProgType } from '../../sys/uapi.js';
import type { EventField } from '../../tracefs/index.js';
import type * as A from '../ast/index.js';
import { AttachPoint } from '../ast/index.js';
import { analyzeAttachPoint, POSITIONAL_PROVIDER } from '../attach-point.js';
import { integerValue } from '../lexer.js';
import type { AttachTarget } from '../codegen/artifact.js';
import { int, pointer, string, type EnumInfo, type SizedType, type IntBits } from '../types.js';
import type { ArgField, CompileContext, ExpandedProbe } from './context.js';

// The signals `self:signal:` probes can run on, as in bpftrace.
const SELF_SIGNALS = new Set(['SIGUSR1']);
const TIME_UNITS = new Set(['s', 'ms', 'us', 'hz', 'ns']);
const NS_PER_UNIT: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

export function expandProbes(ctx: CompileContext): void {
  const out: ExpandedProbe[] = [];
  for (const probe of ctx.program.probes) {
    const errorsBefore = ctx.diagnostics.errorCount;
    let expanded = 0;
    let written = 0;
    for (const asWritten of probe.attachPoints) {
      const ap = asWritten.provider === POSITIONAL_PROVIDER ? withPositionals(ctx, asWritten) : asWritten;
      if (ap.provider === '') continue; // the parser reported it
      written++;
      for (const e of expandOne(ctx, probe, ap)) {
        out.push(e);
        expanded++;
      }
    }
    // Wildcards that matched nothing leave a probe with no attach points: bpftrace reports the probe as a whole.
    if (written > 0 && expanded === 0 && ctx.diagnostics.errorCount === errorsBefore) reportEmptyProbe(ctx, probe);
  }
  ctx.probes = out;
}

function reportEmptyProbe(ctx: CompileContext, probe: A.Probe): void {
  const aps = probe.attachPoints;
  const range = { ...aps[0]!.range, end: aps[aps.length - 1]!.range.end };
  const policy = missingProbesPolicy(ctx);
  if (policy === 'error') {
    ctx.diagnostics.error("Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'.", range);
  } else if (policy === 'warn') {
    ctx.diagnostics.warning('Probe has no valid attach points. It is being removed which may cause issues with program behavior.', range);
  }
}

function withPositionals(ctx: CompileContext, ap: A.AttachPoint): A.AttachPoint {
  const raw = substitute(ctx, ap.raw);
  const split = analyzeAttachPoint(raw, ap.range, ctx.diagnostics);
  return new AttachPoint(ap.range, raw, split.provider, split.parts, split.userName);
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
    case 'bench': {
      const name = parts[0] ?? '';
      if (name === '') {
        d.error('bench probes must have a name', ap.range);
        return [];
      }
      // XDP, as bpftrace: the kernel times test runs of XDP programs itself (BPF_PROG_TEST_RUN repeat).
      return [base(probe, ap, `bench:${name}`, { kind: 'bench', name }, ProgType.XDP, 'none')];
    }
    case 'self': {
      const [trigger, signal] = parts as [string, string];
      if (trigger !== 'signal') {
        d.error(`${trigger} is not a supported trigger`, ap.range);
        return [];
      }
      if (!SELF_SIGNALS.has(signal)) {
        d.error(`${signal} is not a supported signal`, ap.range);
        return [];
      }
      return [base(probe, ap, `self:signal:${signal}`, { kind: 'self', signal }, ProgType.RAW_TRACEPOINT, 'none')];
    }
    case 'watchpoint':
      return expandWatchpoint(ctx, probe, ap, parts);
    case 'iter':
      return expandIter(ctx, probe, ap, parts);
    case 'tracepoint':
      return expandTracepoint(ctx, probe, ap, parts);
    case 'rawtracepoint': {
      const name = parts[parts.length - 1] ?? '';
      // Without a module (the older spelling) every module is searched, as with a wildcard.
      const module = parts.length === 2 ? parts[0]! : '*';
      if (name === '') {
        d.error('rawtracepoint should be attached to a function', ap.range);
        return [];
      }
      const btf = safeBtf(ctx);
      if (!btf) {
        d.error("rawtracepoints require kernel BTF. Try using a 'tracepoint' instead.", ap.range);
        return [];
      }
      const matches = rawTracepointMatches(btf, module, name);
      if (matches.length === 0) {
        // A module and name without wildcards is one attach point that is missing; wildcards just match nothing.
        if (!hasWildcard(module) && !hasWildcard(name)) noMatches(ctx, ap, `No matches for rawtracepoint ${module}:${name}`);
        return [];
      }
      return matches.map(({ module: m, name: n }) => {
        // The probe keeps the spelling it was written with: `rawtracepoint:sys_enter` names no module.
        const shown = parts.length === 2 ? `${m}:${n}` : n;
        const e: ExpandedProbe = {
          ...base(probe, ap, `rawtracepoint:${shown}`, { kind: 'rawtracepoint', name: n, module: parts.length === 2 ? m : undefined, btf: false }, ProgType.RAW_TRACEPOINT, 'u64-array'),
        };
        e.args = rawTracepointArgs(btf, n);
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

/** `iter:NAME`: a BPF iterator the kernel's BTF describes (`struct bpf_iter__NAME`, `bpf_iter_NAME`). */
function expandIter(ctx: CompileContext, probe: A.Probe, ap: A.AttachPoint, parts: string[]): ExpandedProbe[] {
  const d = ctx.diagnostics;
  const name = parts[0] ?? '';
  if (name === '') {
    d.error("iter should specify a iterator's name", ap.range);
    return [];
  }
  if (parts.some(hasWildcard)) {
    d.error('iter probe type does not support wildcards', ap.range);
    return [];
  }
  if (parts.length > 1) {
    d.error('Cannot pin iter probes: bpfkit runs the iterator once and does not pin its link', ap.range);
    return [];
  }
  const btf = safeBtf(ctx);
  if (btf && (!btf.findByName(`bpf_iter__${name}`, 'struct') || !btf.findByName(`bpf_iter_${name}`, 'func'))) {
    d.error(`iter ${name} not available for your kernel version.`, ap.range);
    return [];
  }
  return [
    {
      ...base(probe, ap, `iter:${name}`, { kind: 'iter', name }, ProgType.TRACING, 'none'),
      expectedAttachType: AttachType.TRACE_ITER,
      attachBtfName: `bpf_iter_${name}`,
    },
  ];
}

// The breakpoint kinds x86-64 debug registers offer (read alone is not one of them).
const WATCHPOINT_MODES = ['rw', 'w', 'x'];

/** `watchpoint:ADDR:LEN:MODE`, checked as bpftrace checks it. */
function expandWatchpoint(ctx: CompileContext, probe: A.Probe, ap: A.AttachPoint, parts: string[]): ExpandedProbe[] {
  const d = ctx.diagnostics;
  const addr = integerValue(parts[0] ?? '');
  const len = integerValue(parts[1] ?? '');
  if ('error' in addr || 'error' in len) return []; // the parser reported it
  const mode = [...(parts[2] ?? '')].sort().join('');
  const before = d.errorCount;
  if (addr.value === 0n) d.error('watchpoint must be attached to a non-zero address', ap.range);
  if (![1n, 2n, 4n, 8n].includes(len.value)) d.error('watchpoint length must be one of (1,2,4,8)', ap.range);
  if (mode === '' || /[^rwx]/.test(mode)) d.error('watchpoint mode must be combination of (r,w,x)', ap.range);
  else if (/(.)\1/.test(mode)) d.error('watchpoint modes may not be duplicated', ap.range);
  else if (!WATCHPOINT_MODES.includes(mode)) d.error(`invalid watchpoint mode: ${mode}`, ap.range, [`supported modes: ${WATCHPOINT_MODES.join(',')}`]);
  if (d.errorCount !== before) return [];
  const name = `watchpoint:0x${addr.value.toString(16)}:${len.value}:${mode}`;
  return [base(probe, ap, name, { kind: 'watchpoint', address: addr.value, length: Number(len.value), mode }, ProgType.PERF_EVENT, 'pt_regs')];
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

/**
 * uprobe/uretprobe: `path:symbol`, `path:symbol+offset`, `path:address`, with globs on the path and the symbol;
 * a symbol glob also matches C++ names in demangled form (`ns::func*`), as bpftrace does. Every site is
 * resolved here, as bpftrace does before attaching: a symbol that is not in the binary is "No matches" (or a
 * warning under missing_probes), and a site bpftrace would refuse (an address outside every symbol, an offset
 * past the function's end, a function of unknown size without --unsafe) is an attach failure.
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
  let address: bigint | undefined;
  const plus = fn.lastIndexOf('+');
  if (plus > 0) {
    offset = BigInt(fn.slice(plus + 1));
    fn = fn.slice(0, plus);
    symbol = fn;
  }
  if (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(fn)) {
    address = BigInt(fn);
    symbol = undefined;
  }
  if (fn === '') {
    d.error(`${ap.provider} should be attached to a function`, ap.range);
    return [];
  }
  const wildPath = written === '' || /[*?[]/.test(written);
  const wildSymbol = symbol !== undefined && hasWildcard(symbol);
  const paths = userBinaries(ctx, ap, written, ap.provider);
  if (!paths) return [];
  const unsafe = ctx.options.unsafe ?? false;
  const out: ExpandedProbe[] = [];
  // A site bpftrace would refuse to attach was reported already; it is not also "No matches".
  let refused = false;
  const re = wildSymbol ? globToRegExp(symbol!) : undefined;
  for (const { path, shown } of paths) {
    let elf: ElfFile | undefined;
    try {
      elf = openUprobeBinary(path).elf;
    } catch (err) {
      // With a wildcard path every candidate is tried; files that are not ELF simply have no functions.
      if (wildPath) continue;
      // An address in a file that is not ELF (a flat binary) has no symbols to check it against.
      if (address === undefined) {
        d.error(`Cannot read the symbols of ${path}: ${(err as Error).message}`, ap.range);
        return [];
      }
    }
    if (address !== undefined) {
      const e = uprobeAtAddress(ctx, probe, ap, { elf, path, name: `${ap.provider}:${shown}:${fn}`, address, ret });
      if (e === undefined) refused = true;
      else out.push(e);
      continue;
    }
    if (elf === undefined) continue;
    let names: string[];
    if (symbol === undefined) names = [];
    else if (re === undefined) names = elf.symbol(symbol) !== undefined ? [symbol] : [];
    else {
      const seen = new Set<string>();
      const found: string[] = [];
      for (const s of elf.symbols()) {
        if (s.section === 0 || (s.type !== 'func' && s.type !== 'ifunc') || seen.has(s.name)) continue;
        if (re.test(s.name) || (s.name.startsWith('_Z') && re.test(demangle(s.name) ?? ''))) {
          seen.add(s.name);
          found.push(s.name);
        }
      }
      names = found.sort();
    }
    for (const n of names) {
      const name = `${ap.provider}:${shown}:${n}${plus > 0 ? `+${offset}` : ''}`;
      const site = checkUprobeSite(elf, path, { symbol: n, offset }, unsafe);
      if ('problem' in site) {
        refused = true;
        attachRefused(ctx, name, site.problem);
        continue;
      }
      out.push(base(probe, ap, name, { kind: 'uprobe', path, symbol: site.symbol, offset: site.offset, pid: undefined, ret }, ProgType.KPROBE, 'pt_regs'));
    }
  }
  // A named function missing from a named binary is reported; wildcards that match nothing leave the probe
  // without attach points, which the caller reports for the whole probe.
  if (out.length === 0 && !refused && !wildPath && !wildSymbol && symbol !== undefined) {
    noMatches(ctx, ap, `No matches for ${ap.provider} ${written}:${symbol}`);
  }
  return out;
}

/**
 * A uprobe on an address: bpftrace finds the symbol holding it and checks the site like a symbol's; a file
 * without symbols (or an address in none) is refused unless --unsafe, which takes the address as a file
 * offset unchecked. undefined when refused (already reported).
 */
function uprobeAtAddress(
  ctx: CompileContext,
  probe: A.Probe,
  ap: A.AttachPoint,
  at: { elf: ElfFile | undefined; path: string; name: string; address: bigint; ret: boolean },
): ExpandedProbe | undefined {
  const { elf, path, name, address, ret } = at;
  const unsafe = ctx.options.unsafe ?? false;
  const site = elf === undefined ? undefined : checkUprobeSite(elf, path, { address }, unsafe);
  const target = (symbol: string | undefined, offset: bigint): AttachTarget => ({ kind: 'uprobe', path, symbol, offset, pid: undefined, ret });
  if (site === undefined || 'problem' in site) {
    if (!unsafe) {
      attachRefused(ctx, name, site?.problem ?? `Could not resolve address: ${path}:0x${address.toString(16)}`);
      return undefined;
    }
    ctx.diagnostics.warning(`Could not determine instruction boundary for ${name} (binary appears stripped). Misaligned probes can lead to tracee crashes!`);
    return base(probe, ap, name, target(undefined, address), ProgType.KPROBE, 'pt_regs');
  }
  if (ret && site.offset !== 0n) {
    attachRefused(ctx, name, `uretprobes cannot be attached at function offset. (address resolved to: ${site.symbol}+${site.offset})`);
    return undefined;
  }
  return base(probe, ap, name, target(site.symbol, site.offset), ProgType.KPROBE, 'pt_regs');
}

/** config missing_probes: error (the default), warn or ignore. */
function missingProbesPolicy(ctx: CompileContext): 'error' | 'warn' | 'ignore' {
  const v = String(ctx.config.raw['missing_probes'] ?? 'error');
  return v === 'warn' || v === 'ignore' ? v : 'error';
}

/** An attach point that matched nothing, reported (or not) as missing_probes says. */
function noMatches(ctx: CompileContext, ap: A.AttachPoint, message: string): void {
  const policy = missingProbesPolicy(ctx);
  if (policy === 'error') ctx.diagnostics.error(`${message}.`, ap.range);
  else if (policy === 'warn') ctx.diagnostics.warning(`${message}. Skipping.`, ap.range);
}

/** A probe bpftrace would fail to attach, reported in its words (no source location) as missing_probes says. */
function attachRefused(ctx: CompileContext, name: string, problem: string): void {
  const policy = missingProbesPolicy(ctx);
  if (policy === 'error') {
    ctx.diagnostics.error(problem);
    ctx.diagnostics.error(`Unable to attach probe: ${name}. If this is expected, set the 'missing_probes' config variable to 'warn'.`);
  } else if (policy === 'warn') {
    ctx.diagnostics.warning(problem);
    ctx.diagnostics.warning(`Unable to attach probe: ${name}. Skipping.`);
  }
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
    // Wildcards that match nothing leave the probe without this attach point (reported for the whole probe);
    // a named tracepoint that is missing is reported here, under config missing_probes.
    if (hasWildcard(category) || hasWildcard(event)) return [];
    const policy = missingProbesPolicy(ctx);
    if (policy === 'ignore') return [];
    if (policy === 'warn') {
      d.warning(`No matches for tracepoint ${category}:${event}. Skipping.`, ap.range);
      return [];
    }
    const near = nearTracepoints(catalog, category, event);
    d.error(`No matches for tracepoint ${category}:${event}.`, ap.range, near.length > 0 ? [`Did you mean: ${near.join(', ')}?`] : []);
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
      type = fieldPointer(f.type, userPointer, btf);
    } else {
      type = int(intBits(f.size), f.signed);
      // `enum skb_drop_reason reason`: the integer carries its enum, so %s and maps print the enumerator.
      const en = /^enum ([A-Za-z_][A-Za-z0-9_]*)$/.exec(f.type.trim());
      const enumType = en && btf ? btfEnumInfo(btf, en[1]!) : undefined;
      if (enumType) type = { kind: 'int', bits: intBits(f.size), signed: f.signed, enumType };
    }
    out.push({ name: f.name, type, offset: f.offset, dataLoc: f.isDataLoc, userPointer });
  }
  return out;
}

function btfEnumInfo(btf: Btf, name: string): EnumInfo | undefined {
  const found = btf.findByName(name, 'enum') ?? btf.findByName(name, 'enum64');
  const t = found ? btf.typeById(found.id) : undefined;
  if (!t || (t.kind !== 'enum' && t.kind !== 'enum64')) return undefined;
  return { name: `enum ${name}`, enumerators: t.values.map((v) => ({ name: v.name, value: String(v.value) })) };
}

// Integer spellings of tracepoint formats, by width and sign; anything else a pointer points at reads as bytes.
const FIELD_INTS: Readonly<Record<string, readonly [IntBits, boolean]>> = {
  char: [8, true], 'signed char': [8, true], 'unsigned char': [8, false], u8: [8, false], s8: [8, true], __u8: [8, false], __s8: [8, true],
  short: [16, true], 'unsigned short': [16, false], u16: [16, false], s16: [16, true], __u16: [16, false], __s16: [16, true],
  int: [32, true], 'unsigned int': [32, false], unsigned: [32, false], u32: [32, false], s32: [32, true], __u32: [32, false], __s32: [32, true],
  pid_t: [32, true], uid_t: [32, false], gid_t: [32, false], key_serial_t: [32, true], clockid_t: [32, true], timer_t: [32, true],
  long: [64, true], 'unsigned long': [64, false], 'long long': [64, true], 'unsigned long long': [64, false],
  u64: [64, false], s64: [64, true], __u64: [64, false], __s64: [64, true], size_t: [64, false], loff_t: [64, true],
  off_t: [64, true], time_t: [64, true], aio_context_t: [64, false], umode_t: [16, false], qid_t: [32, false],
};

/**
 * A format's pointer type, every level of it: `const char *const * argv` is a pointer to pointers to char, so
 * `args.argv[1]` reads a pointer and str() of it reads the string. Syscall arguments point into user memory at
 * every level; struct and union pointees come from BTF so their fields can be read.
 */
function fieldPointer(written: string, user: boolean, btf?: Btf): SizedType {
  const depth = (written.match(/\*/g) ?? []).length;
  const base = written.replace(/\*/g, ' ').replace(/\b(const|volatile|__user|__restrict|restrict)\b/g, ' ').replace(/\s+/g, ' ').trim();
  const named = /^(struct|union) ([A-Za-z_][A-Za-z0-9_]*)$/.exec(base);
  const int8 = /\bchar\b/.test(base) ? int(8, true) : int(8, false);
  const known = FIELD_INTS[base];
  let t: SizedType = (named && btf ? cStructByName(btf, `${named[1]} ${named[2]}`) : undefined) ?? (known ? int(known[0], known[1]) : int8);
  for (let i = 0; i < depth; i++) t = pointer(t, user);
  return t;
}

function intBits(size: number): IntBits {
  return size === 1 ? 8 : size === 2 ? 16 : size === 4 ? 32 : 64;
}

/**
 * Raw tracepoints by module and name globs, from the `btf_trace_<name>` typedefs of vmlinux BTF. Module BTF
 * is split BTF whose tracepoints the kernel attaches by name alone, so modules list theirs the same way.
 */
function rawTracepointMatches(btf: Btf, module: string, name: string): { module: string; name: string }[] {
  const moduleRe = globRe(module);
  const nameRe = globRe(name);
  const out: { module: string; name: string }[] = [];
  if (moduleRe.test('vmlinux')) for (const n of btf.rawTracepointNames()) if (nameRe.test(n)) out.push({ module: 'vmlinux', name: n });
  let modules: string[] = [];
  try {
    modules = listModuleBtf().filter((m) => m !== 'vmlinux' && moduleRe.test(m));
  } catch {
    modules = [];
  }
  for (const m of modules) {
    try {
      for (const n of loadModuleBtf(m, btf).rawTracepointNames()) if (nameRe.test(n)) out.push({ module: m, name: n });
    } catch {
      // A module whose BTF cannot be read offers no raw tracepoints.
    }
  }
  return out;
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
