// Attaching each loaded probe where its target says, in bpftrace's order, counting what bpftrace counts.
import { onlineCpus } from '../kernel/cpus.js';
import { UnsupportedFeatureError } from '../kernel/errors.js';
import {
  AttachError,
  attachFentry,
  attachFexit,
  attachKprobe,
  attachPerfEvent,
  attachRawTracepoint,
  attachTpBtf,
  attachTracepoint,
  attachUprobe,
  attachIter,
  IterLink,
  attachWatchpoint,
  type Link,
} from '../kernel/link/index.js';
import type { AttachTarget } from '../lang/codegen/artifact.js';
import { MissingFeatureError, ProbeAttachError } from './errors.js';
import type { LoadedProgram } from './loader.js';

// bpftrace's default sample periods for software and hardware events without a count.
const SOFTWARE_DEFAULT_PERIOD: Readonly<Record<string, number>> = {
  'alignment-faults': 1,
  'bpf-output': 1,
  'context-switches': 1000,
  cs: 1000,
  'cpu-clock': 1000000,
  cpu: 1000000,
  'cpu-migrations': 1,
  dummy: 1,
  'emulation-faults': 1,
  'major-faults': 1,
  'minor-faults': 100,
  'page-faults': 100,
  faults: 100,
  'task-clock': 1,
};
const HARDWARE_DEFAULT_PERIOD: Readonly<Record<string, number>> = {
  'branch-instructions': 100000,
  branches: 100000,
  'branch-misses': 100000,
  'bus-cycles': 100000,
};

export interface AttachOptions {
  /** -p PID: uprobes, usdt and perf events of this process only. */
  readonly pid?: number;
  /** config missing_probes: stop at a probe that cannot attach (default), or skip it with or without a warning. */
  readonly missingProbes?: 'error' | 'warn' | 'ignore';
  /** Where `warn` writes its warning line. */
  readonly warn?: (text: string) => void;
  /** Where an iterator's seq output goes (bpf_seq_printf); default stdout. */
  readonly iterOutput?: (chunk: Uint8Array) => void;
}

/** What one probe attached as: its links, and how many probes bpftrace would count for it. */
export interface AttachedProbe {
  readonly probe: string;
  readonly links: readonly Link[];
}

/**
 * The kernel runs some kinds of probe in the order they were attached and others in reverse; bpftrace attaches
 * the first kind forward and then the second kind backward so that blocks run in script order either way.
 */
function attachesInReverse(t: AttachTarget): boolean {
  switch (t.kind) {
    case 'kprobe':
      return !t.ret;
    case 'uprobe':
    case 'usdt':
    case 'fentry':
      return true;
    default:
      return false;
  }
}

/**
 * A `self:signal:` probe: not a kernel attachment but a listener that runs the program (BPF_PROG_TEST_RUN, as
 * begin does) each time this process receives the signal; its output reaches the ring buffer like any probe's.
 */
class SignalLink implements Link {
  readonly kind = 'self';
  readonly description: string;
  readonly #signal: NodeJS.Signals;
  readonly #listener: () => void;

  constructor(signal: string, run: () => void) {
    this.description = `signal:${signal}`;
    this.#signal = signal as NodeJS.Signals;
    this.#listener = () => run();
    process.on(this.#signal, this.#listener);
  }

  close(): void {
    process.off(this.#signal, this.#listener);
  }
}

/**
 * Attaches every probe that is not run by BPF_PROG_TEST_RUN (begin, end, bench), then runs each iterator once.
 * Throws on the first failure, after detaching what it attached.
 */
export function attachAll(programs: readonly LoadedProgram[], options: AttachOptions = {}, onAttached?: (a: AttachedProbe) => void): AttachedProbe[] {
  const out: AttachedProbe[] = [];
  // begin, end and bench programs are run with BPF_PROG_TEST_RUN, not attached.
  const attachable = programs.filter((p) => !['begin', 'end', 'bench'].includes(p.def.target.kind));
  const order = [...attachable.filter((p) => !attachesInReverse(p.def.target)), ...attachable.filter((p) => attachesInReverse(p.def.target)).reverse()];
  try {
    for (const p of order) {
      let links: Link[];
      try {
        links = attachOne(p, options);
      } catch (err) {
        const mode = options.missingProbes ?? 'error';
        if (mode === 'error' || !(err instanceof ProbeAttachError || err instanceof MissingFeatureError)) throw err;
        if (mode === 'warn') options.warn?.(`WARNING: ${err.message}. Skipping.\n`);
        continue;
      }
      const a: AttachedProbe = { probe: p.def.probe, links };
      out.push(a);
      onAttached?.(a);
    }
    // Iterators run when read, not on events: once everything is attached, read each one through once. The
    // program's printf output reaches the ring buffer like any probe's; seq output goes to iterOutput.
    const write = options.iterOutput ?? ((chunk: Uint8Array) => process.stdout.write(chunk));
    for (const a of out) {
      for (const l of a.links) {
        if (!(l instanceof IterLink)) continue;
        try {
          l.run(write);
        } catch (err) {
          if (err instanceof AttachError) throw new ProbeAttachError(a.probe, err.message, { cause: err });
          throw err;
        }
      }
    }
  } catch (err) {
    for (const a of out) for (const l of a.links) l.close();
    throw err;
  }
  return out;
}

function attachOne(p: LoadedProgram, options: AttachOptions): Link[] {
  const t = p.def.target;
  const prog = p.program;
  try {
    switch (t.kind) {
      case 'tracepoint':
        return [attachTracepoint(prog, t.category, t.event)];
      case 'rawtracepoint':
        return [t.btf ? attachTpBtf(prog, t.name) : attachRawTracepoint(prog, t.name)];
      case 'kprobe':
        return [attachKprobe(prog, t.module ? `${t.module}:${t.symbol}` : t.symbol, { offset: t.offset, retprobe: t.ret })];
      case 'fentry':
        return [t.ret ? attachFexit(prog, t.func) : attachFentry(prog, t.func)];
      case 'uprobe': {
        const pid = t.pid ?? options.pid;
        return [
          attachUprobe(prog, {
            path: t.path,
            ...(t.symbol !== undefined ? { symbol: t.symbol } : {}),
            offset: t.offset,
            ...(pid !== undefined ? { pid } : {}),
            retprobe: t.ret,
          }),
        ];
      }
      case 'usdt': {
        const pid = t.pid ?? options.pid;
        // Each program serves only its own sites: sites whose arguments live in different places got programs
        // of their own, so attaching by provider and name (every site) would attach them twice.
        return t.locations.map((loc) =>
          attachUprobe(prog, { path: t.path, offset: loc.pcFileOffset, refCtrOffset: loc.semaphoreFileOffset, ...(pid !== undefined ? { pid } : {}) }),
        );
      }
      case 'profile':
        return attachPerfEvent(prog, {
          type: 'software',
          event: 'cpu-clock',
          ...(t.unit === 'hz' ? { frequency: t.hz ?? t.value } : { period: BigInt(t.periodNs ?? 0) }),
          ...(options.pid !== undefined ? { pid: options.pid } : {}),
        });
      case 'interval': {
        // One CPU only: the first online one, as bpftrace does.
        const cpu = onlineCpus()[0] ?? 0;
        return attachPerfEvent(prog, {
          type: 'software',
          event: 'cpu-clock',
          ...(t.unit === 'hz' ? { frequency: t.hz ?? t.value } : { period: BigInt(t.periodNs ?? 0) }),
          cpus: [cpu],
        });
      }
      case 'software':
      case 'hardware': {
        const defaults = t.kind === 'software' ? SOFTWARE_DEFAULT_PERIOD : HARDWARE_DEFAULT_PERIOD;
        const period = t.count ?? defaults[t.event] ?? 1000000;
        return attachPerfEvent(prog, { type: t.kind, event: t.event, period, ...(options.pid !== undefined ? { pid: options.pid } : {}) });
      }
      case 'iter':
        return [attachIter(prog, t.name)];
      case 'watchpoint':
        return [attachWatchpoint(prog, { address: t.address, length: t.length, mode: t.mode, ...(options.pid !== undefined ? { pid: options.pid } : {}) })];
      case 'self':
        return [new SignalLink(t.signal, () => prog.testRun())];
      case 'begin':
      case 'end':
      case 'bench':
        return [];
    }
  } catch (err) {
    if (err instanceof UnsupportedFeatureError) throw new MissingFeatureError(`Unable to attach probe: ${p.def.probe}: ${err.message}`, { cause: err });
    if (err instanceof AttachError) throw new ProbeAttachError(p.def.probe, err.message, { cause: err });
    throw err;
  }
}
