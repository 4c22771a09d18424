// `bpfkit -l [SEARCH]` and `-lv`: the probes this machine offers, one per line as bpftrace lists them
// (`tracepoint:syscalls:sys_enter_openat`, `rawtracepoint:vmlinux:sys_enter`, `software:cpu-clock:`), and
// with -v each one's arguments indented by four spaces.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadKernelBtf, type Btf, type BtfParam } from '../btf/index.js';
import { isFileMapping, openElf, readProcMaps, type ElfFile } from '../elf/index.js';
import { haveIter, resolveBinary } from '../kernel/index.js';
import type { AttachTarget } from '../lang/index.js';
import { TraceEvents } from '../tracefs/index.js';

// Software and hardware events with their aliases, as bpftrace lists them.
const SOFTWARE = ['alignment-faults', 'bpf-output', 'context-switches', 'cs', 'cpu-clock', 'cpu', 'cpu-migrations', 'dummy', 'emulation-faults', 'major-faults', 'minor-faults', 'page-faults', 'faults', 'task-clock'];
const HARDWARE = ['backend-stalls', 'branch-instructions', 'branches', 'branch-misses', 'bus-cycles', 'cache-misses', 'cache-references', 'cpu-cycles', 'cycles', 'frontend-stalls', 'instructions', 'ref-cycles'];
const TIME_UNITS = ['hz', 'ms', 's', 'us'];
// Kinds listed when the search does not name one (kprobes and fentry are not offered here).
const KERNEL_KINDS = ['hardware', 'iter', 'rawtracepoint', 'software', 'tracepoint'];
const ALIASES: Readonly<Record<string, string>> = {
  t: 'tracepoint', rt: 'rawtracepoint', s: 'software', h: 'hardware', i: 'interval', p: 'profile', k: 'kprobe', kr: 'kretprobe',
  u: 'uprobe', ur: 'uretprobe', U: 'usdt', f: 'fentry', fr: 'fexit', kfunc: 'fentry', kretfunc: 'fexit', it: 'iter',
};

/** A bpftrace wildcard (only `*`) as a whole-string matcher. */
function wildcard(pattern: string): (s: string) => boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (s) => re.test(s);
}

export interface ListOptions {
  readonly verbose: boolean;
  /** -p PID: user-space probes of that process's executable and libraries are listed too. */
  readonly pid?: number;
  readonly write?: (text: string) => void;
}

/** Lists every probe matching SEARCH (comma-separated patterns allowed). */
export function listProbes(search: string | undefined, options: ListOptions): number {
  const lines: string[] = [];
  for (const raw of (search ?? '').split(',')) {
    let value = raw.trim().replace(/\s+/g, ' ');
    if (/^(struct|union|enum) /.test(value)) {
      lines.push(...listTypes(value, options.verbose));
      continue;
    }
    if (value === '') value = '*:*';
    else if (!value.includes(':')) value = `*:${value}`;
    lines.push(...listPattern(value, options.verbose, options.pid));
  }
  (options.write ?? ((t: string) => process.stdout.write(t)))(lines.map((l) => `${l}\n`).join(''));
  return 0;
}

function listPattern(pattern: string, verbose: boolean, pid: number | undefined): string[] {
  const parts = pattern.split(':');
  const kindPattern = parts[0]!;
  let suffix = pattern.slice(pattern.indexOf(':') + 1);
  if (suffix === '' && parts.length === 1) suffix = '*';
  // A pid, or a file named without wildcards, brings the user-space kinds into wildcard listings.
  const specificTarget = parts.length > 2 && parts[1] !== '' && !parts[1]!.includes('*') && existsSync(parts[1]!);
  const wildKinds = pid === undefined && !specificTarget ? KERNEL_KINDS : [...KERNEL_KINDS, 'uprobe', 'usdt'];
  const kinds = kindPattern.includes('*') || parts.length === 1
    ? wildKinds.filter(wildcard(kindPattern === '' ? '*' : kindPattern))
    : [ALIASES[kindPattern] ?? kindPattern.toLowerCase()];
  const out: string[] = [];
  for (const kind of [...new Set(kinds)].sort()) {
    const search = (withCategory: boolean): string => (parts.length > 2 || !withCategory ? suffix : `*:${suffix}`);
    switch (kind) {
      case 'tracepoint':
        out.push(...listTracepoints(search(true), verbose));
        break;
      case 'rawtracepoint':
        out.push(...listRawTracepoints(search(true), verbose));
        break;
      case 'iter':
        out.push(...listIterators(suffix === '' ? '*' : suffix, verbose));
        break;
      case 'software':
        out.push(...matchList('software', SOFTWARE.map((e) => `${e}:`), suffix));
        break;
      case 'hardware':
        out.push(...matchList('hardware', HARDWARE.map((e) => `${e}:`), suffix));
        break;
      case 'interval':
      case 'profile':
        out.push(...matchList(kind, TIME_UNITS.map((u) => `${u}:`), suffix));
        break;
      case 'uprobe':
      case 'uretprobe':
      case 'usdt':
        if (parts.length > 2 && !(pid !== undefined && (parts[1] === '*' || parts[1] === ''))) {
          out.push(...listUserProbes(kind, expandTarget(parts[1]!), parts.slice(2).join(':'), pid));
        } else if (pid !== undefined) {
          const search = parts.length > 2 ? parts.slice(2).join(':') : suffix;
          out.push(...listUserProbes(kind, processFiles(pid), search === '' ? '*' : search, pid));
        }
        break;
      default:
        break;
    }
  }
  return out;
}

function matchList(kind: string, items: readonly string[], search: string): string[] {
  const m = wildcard(search === '' ? '*' : search);
  return [...new Set(items.filter(m))].sort().map((i) => `${kind}:${i}`);
}

// The executable and libraries a process has mapped, through its root: the process may run in another mount
// namespace, where its paths mean other files (or none) in ours.
function processFiles(pid: number): string[] {
  try {
    return [...new Set(readProcMaps(pid).filter((m) => isFileMapping(m) && !m.deleted).map((m) => `/proc/${pid}/root${m.path}`))];
  } catch {
    return [];
  }
}

// A target with `*` in its file name: the files of that directory it matches, spelled with the same directory.
function expandTarget(target: string): string[] {
  if (!target.includes('*')) return [target];
  const slash = target.lastIndexOf('/');
  const dir = slash < 0 ? '.' : target.slice(0, slash) || '/';
  const m = wildcard(target.slice(slash + 1));
  try {
    return readdirSync(dir).filter(m).sort().map((name) => (slash < 0 ? name : `${target.slice(0, slash + 1)}${name}`));
  } catch {
    return [];
  }
}

// Functions (uprobe, uretprobe) or USDT probes of binaries, by their symbol tables and notes. A path given
// with a directory is listed as written (`uprobe:./prog:fn`), anything else by where it was found.
function listUserProbes(kind: string, targets: readonly string[], search: string, pid: number | undefined): string[] {
  const m = wildcard(search === '' ? '*' : search);
  const out: string[] = [];
  for (const target of targets) {
    const found = resolveBinary(target, pid);
    if (found === undefined) continue;
    const path = target.includes('/') ? target : found;
    let elf: ElfFile;
    try {
      elf = openElf(found);
    } catch {
      continue;
    }
    const names =
      kind === 'usdt'
        ? elf.usdtNotes().map((n) => `${n.provider}:${n.name}`)
        : elf.symbols().filter((s) => s.type === 'func' && s.section !== 0 && s.name !== '').map((s) => s.name);
    for (const n of [...new Set(names.filter(m))].sort()) out.push(`${kind}:${path}:${n}`);
  }
  return out;
}

function listTracepoints(search: string, verbose: boolean): string[] {
  let events: TraceEvents;
  try {
    events = new TraceEvents();
  } catch {
    return [];
  }
  const m = wildcard(search);
  const out: string[] = [];
  const names: string[] = [];
  for (const c of events.categories()) for (const e of events.events(c)) if (m(`${c}:${e}`)) names.push(`${c}:${e}`);
  names.sort();
  for (const name of names) {
    out.push(`tracepoint:${name}`);
    if (verbose) out.push(...tracepointFields(events.root, name));
  }
  return out;
}

// The declarations of an event's own fields (the ones after the common fields' blank line).
function tracepointFields(root: string, name: string): string[] {
  const [category, event] = name.split(':') as [string, string];
  let text: string;
  try {
    text = readFileSync(`${root}/events/${category}/${event}/format`, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  const blank = lines.indexOf('');
  const out: string[] = [];
  for (const line of lines.slice(blank + 1)) {
    if (!line.startsWith('\tfield:')) continue;
    const start = line.indexOf(':') + 1;
    out.push(`    ${line.slice(start, line.indexOf(';'))}`);
  }
  return out;
}

/** Kernel BTF, or undefined on a kernel without it: the listings drawn from BTF are then empty. */
function kernelBtf(): Btf | undefined {
  try {
    return loadKernelBtf();
  } catch {
    return undefined;
  }
}

/** The `-v` lines of a prototype's parameters, as C declarations; none when BTF has no prototype for the name. */
function paramLines(btf: Btf, params: () => readonly BtfParam[]): string[] {
  const out: string[] = [];
  try {
    for (const p of params()) out.push(`    ${btf.formatDecl(p.typeId, p.name)}`);
  } catch {
    // No prototype: list the name alone.
  }
  return out;
}

/**
 * BPF iterators: the `struct bpf_iter__<name>` types of kernel BTF whose program this kernel loads; with -v the
 * objects each visit receives (the parameters of `bpf_iter_<name>` after its `meta`).
 */
function listIterators(search: string, verbose: boolean): string[] {
  const btf = kernelBtf();
  if (!btf) return [];
  const m = wildcard(search);
  const names: string[] = [];
  for (const id of btf.ids('struct')) {
    const full = btf.nameOf(id);
    if (!full.startsWith('bpf_iter__') || full.endsWith('__safe_trusted')) continue;
    const name = full.slice('bpf_iter__'.length);
    if (m(name) && haveIter(name).ok) names.push(name);
  }
  const out: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    out.push(`iter:${name}`);
    if (verbose) out.push(...paramLines(btf, () => btf.funcProto(`bpf_iter_${name}`).params.slice(1)));
  }
  return out;
}

function listRawTracepoints(search: string, verbose: boolean): string[] {
  const btf = kernelBtf();
  if (!btf) return [];
  const m = wildcard(search);
  const out: string[] = [];
  for (const name of btf.rawTracepointNames()) {
    if (!m(`vmlinux:${name}`)) continue;
    out.push(`rawtracepoint:vmlinux:${name}`);
    if (verbose) out.push(...paramLines(btf, () => btf.rawTracepointArgs(name).params));
  }
  return out;
}

/**
 * `-l 'struct task_*'`: the named structs, unions and enums of kernel BTF matching a glob; with -v each one's
 * C definition, headed by the BTF object it comes from (`vmlinux: struct task_struct {`) and followed by a
 * blank line, as bpftrace prints them.
 */
function listTypes(search: string, verbose: boolean): string[] {
  const btf = kernelBtf();
  if (!btf) return [];
  const m = wildcard(search);
  const found = new Map<string, number>();
  for (const kind of ['struct', 'union', 'enum', 'enum64'] as const) {
    for (const id of btf.ids(kind)) {
      const name = btf.nameOf(id);
      if (name === '') continue;
      const full = `${kind === 'enum64' ? 'enum' : kind} ${name}`;
      if (!found.has(full) && m(full)) found.set(full, id);
    }
  }
  const names = [...found.keys()].sort();
  if (!verbose) return names;
  return names.map((n) => `vmlinux: ${btf.formatDefinition(found.get(n)!)}\n`);
}

/** How bpftrace lists a probe of a program: periodic and counted probes lose their rate or count. */
function listingName(t: AttachTarget): string | undefined {
  switch (t.kind) {
    case 'begin':
    case 'end':
      return undefined;
    case 'bench':
      return `bench:${t.name}`;
    case 'iter':
      return `iter:${t.name}`;
    case 'watchpoint':
      return `watchpoint:0x${t.address.toString(16)}:${t.length}:${t.mode}`;
    case 'self':
      return `self:signal:${t.signal}`;
    case 'tracepoint':
      return `tracepoint:${t.category}:${t.event}`;
    case 'rawtracepoint':
      return `rawtracepoint:${t.module ?? 'vmlinux'}:${t.name}`;
    case 'kprobe':
      return `${t.ret ? 'kretprobe' : 'kprobe'}:${t.module ? `${t.module}:` : ''}${t.symbol}`;
    case 'fentry':
      return `${t.ret ? 'fexit' : 'fentry'}:${t.module ?? 'vmlinux'}:${t.func}`;
    case 'uprobe':
      return `${t.ret ? 'uretprobe' : 'uprobe'}:${t.path}:${t.symbol ?? `0x${t.offset.toString(16)}`}`;
    case 'usdt':
      return `usdt:${t.path}:${t.provider}:${t.name}`;
    case 'profile':
    case 'interval':
      return `${t.kind}:${t.unit}:`;
    case 'software':
    case 'hardware':
      return `${t.kind}:${t.event}:`;
  }
}

/** `-l` with a program: the probes its attach points expand to. */
export function listExpandedProbes(targets: readonly AttachTarget[], write: (text: string) => void = (t) => process.stdout.write(t)): number {
  const lines: string[] = [];
  for (const t of targets) {
    const name = listingName(t);
    if (name !== undefined) lines.push(`${name}\n`);
  }
  write(lines.join(''));
  return 0;
}
