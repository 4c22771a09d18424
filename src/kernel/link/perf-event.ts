// Sampling perf events (software clocks and counters, hardware counters) with a BPF_PROG_TYPE_PERF_EVENT program:
// one event per CPU, each its own link, by frequency or by period.
import { PerfAttrFlag, PerfHwId, PerfSwId, PerfType } from '../../sys/index.js';
import { onlineCpus } from '../cpus.js';
import { openPerfEvent } from '../perf-event.js';
import { AttachError, attachFailure, type Link, type ProgramRef } from './link.js';
import { attachToPerfEvent } from './perf-link.js';

/** Software event names (perf's spellings and bpftrace's short aliases) to PERF_COUNT_SW_* ids. */
export const SOFTWARE_EVENTS: Readonly<Record<string, number>> = {
  'cpu-clock': PerfSwId.CPU_CLOCK,
  cpu: PerfSwId.CPU_CLOCK,
  'task-clock': PerfSwId.TASK_CLOCK,
  'page-faults': PerfSwId.PAGE_FAULTS,
  faults: PerfSwId.PAGE_FAULTS,
  'context-switches': PerfSwId.CONTEXT_SWITCHES,
  cs: PerfSwId.CONTEXT_SWITCHES,
  'cpu-migrations': PerfSwId.CPU_MIGRATIONS,
  migrations: PerfSwId.CPU_MIGRATIONS,
  'minor-faults': PerfSwId.PAGE_FAULTS_MIN,
  'major-faults': PerfSwId.PAGE_FAULTS_MAJ,
  'alignment-faults': PerfSwId.ALIGNMENT_FAULTS,
  'emulation-faults': PerfSwId.EMULATION_FAULTS,
  dummy: PerfSwId.DUMMY,
  'bpf-output': PerfSwId.BPF_OUTPUT,
};

/** Hardware event names to PERF_COUNT_HW_* ids. */
export const HARDWARE_EVENTS: Readonly<Record<string, number>> = {
  'cpu-cycles': PerfHwId.CPU_CYCLES,
  cycles: PerfHwId.CPU_CYCLES,
  instructions: PerfHwId.INSTRUCTIONS,
  'cache-references': PerfHwId.CACHE_REFERENCES,
  'cache-misses': PerfHwId.CACHE_MISSES,
  'branch-instructions': PerfHwId.BRANCH_INSTRUCTIONS,
  branches: PerfHwId.BRANCH_INSTRUCTIONS,
  'branch-misses': PerfHwId.BRANCH_MISSES,
  'bus-cycles': PerfHwId.BUS_CYCLES,
  'stalled-cycles-frontend': PerfHwId.STALLED_CYCLES_FRONTEND,
  'frontend-stalls': PerfHwId.STALLED_CYCLES_FRONTEND,
  'stalled-cycles-backend': PerfHwId.STALLED_CYCLES_BACKEND,
  'backend-stalls': PerfHwId.STALLED_CYCLES_BACKEND,
  'ref-cycles': PerfHwId.REF_CPU_CYCLES,
};

export interface PerfEventOptions {
  readonly type: 'software' | 'hardware';
  /** An event name from SOFTWARE_EVENTS or HARDWARE_EVENTS ('cpu-clock', 'cycles', ...). */
  readonly event: string;
  /** Samples per second; exclusive with period. */
  readonly frequency?: number;
  /** One sample every this many events (nanoseconds for the clocks); exclusive with frequency. */
  readonly period?: number | bigint;
  /** CPUs to sample on (default: every online CPU); ignored when pid is given. */
  readonly cpus?: readonly number[];
  /** Only this process (on any CPU). */
  readonly pid?: number;
}

/** Attaches a perf-event program to a sampling event, one link per CPU (or one for a pid). */
export function attachPerfEvent(prog: ProgramRef, opts: PerfEventOptions): Link[] {
  const table = opts.type === 'software' ? SOFTWARE_EVENTS : HARDWARE_EVENTS;
  const id = Object.hasOwn(table, opts.event) ? table[opts.event] : undefined;
  const kind = 'perf_event';
  const target = `${opts.type}:${opts.event}`;
  if (id === undefined) {
    throw new AttachError(kind, target, `unknown ${opts.type} event ${opts.event}`, { hint: `known: ${Object.keys(table).join(', ')}` });
  }
  if (opts.frequency !== undefined && opts.period !== undefined) {
    throw new AttachError(kind, target, 'give a frequency or a period, not both');
  }
  const freq = opts.frequency;
  if (freq !== undefined && !(Number.isInteger(freq) && freq > 0)) throw new AttachError(kind, target, `invalid frequency ${freq}`);
  const period = opts.period === undefined ? undefined : BigInt(opts.period);
  if (period !== undefined && period <= 0n) throw new AttachError(kind, target, `invalid period ${period}`);
  const attr = {
    type: opts.type === 'software' ? PerfType.SOFTWARE : PerfType.HARDWARE,
    config: BigInt(id),
    ...(freq !== undefined ? { sampleFreq: BigInt(freq) } : { samplePeriod: period ?? 1n }),
    flags: PerfAttrFlag.DISABLED,
  };
  const placements: [pid: number, cpu: number][] = opts.pid !== undefined ? [[opts.pid, -1]] : (opts.cpus ?? onlineCpus()).map((cpu) => [-1, cpu]);
  const links: Link[] = [];
  try {
    for (const [pid, cpu] of placements) {
      const where = pid >= 0 ? `${target} pid ${pid}` : `${target} cpu ${cpu}`;
      let fd: number;
      try {
        fd = openPerfEvent(attr, pid, cpu);
      } catch (e) {
        throw attachFailure(kind, where, e, {
          ENOENT: { detail: `this machine has no ${opts.type} event ${opts.event}`, hint: opts.type === 'hardware' ? 'virtual machines often have no PMU' : undefined },
          EOPNOTSUPP: { detail: `this machine cannot sample ${opts.event}`, hint: opts.type === 'hardware' ? 'virtual machines often have no PMU' : undefined },
          ENODEV: { detail: `no CPU ${cpu}` },
          ESRCH: { detail: `no process ${pid}` },
          EINVAL: { detail: `the kernel refused the event settings`, hint: 'the frequency may exceed kernel.perf_event_max_sample_rate' },
        });
      }
      links.push(attachToPerfEvent(kind, where, prog, fd, {
        EINVAL: { detail: 'the program is not a perf-event program', hint: 'load it as BPF_PROG_TYPE_PERF_EVENT' },
      }));
    }
  } catch (e) {
    for (const l of links) l.close();
    throw e;
  }
  return links;
}
