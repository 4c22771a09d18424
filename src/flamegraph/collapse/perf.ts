// Collapses `perf script` output into folded stacks, with the rules of stackcollapse-perf.pl.
import { addStack, type FoldedCounts } from './folded-map.js';

export interface PerfCollapseOptions {
  /** Put the process id after the process name (`comm-pid`). */
  pid?: boolean;
  /** Put process and thread ids after the process name (`comm-pid/tid`). */
  tid?: boolean;
  /** Mark kernel frames with `_[k]`. */
  kernel?: boolean;
  /** Mark JIT frames (from /tmp/perf-PID.map) with `_[j]`. */
  jit?: boolean;
  /** Show the raw address of frames whose symbol is unknown. */
  addrs?: boolean;
  /** Keep only samples of this event; default: the first event seen. */
  eventFilter?: string;
  /** Omit the process name frame. */
  noProcessName?: boolean;
}

export interface PerfCollapseResult {
  counts: FoldedCounts;
  /** Lines that were neither a sample header nor a frame. */
  unrecognized: string[];
  /** Set when samples of other events were dropped because no filter was given. */
  filteredEvent?: string;
}

const headerRe = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;
const eventRe = /:\s*(\d+)*\s+(\S+):\s*$/;
const frameRe = /^\s*(\w+)\s*(.+) \((.*)\)/;

function tidy(func: string, processName: string): string {
  let f = func.replace(/;/g, ':');
  // Drop argument lists, except in names like "foo.(anonymous).bar" and C++ anonymous namespaces.
  if (!/\.\(.*\)\./.test(f)) f = f.replace(/\((?!anonymous namespace\)).*/, '');
  f = f.replace(/["']/g, '');
  if (processName.startsWith('java') && f.includes('/')) f = f.replace(/^L/, '');
  return f;
}

export function collapsePerf(text: string, options: PerfCollapseOptions = {}): PerfCollapseResult {
  const counts: FoldedCounts = new Map();
  const unrecognized: string[] = [];
  let filter = options.eventFilter ?? '';
  let defaulted = false;
  let filteredEvent: string | undefined;
  let stack: string[] = [];
  let processName: string | undefined;
  let period = 1;

  const flush = (): void => {
    if (processName === undefined) return;
    if (!options.noProcessName) stack.unshift(processName);
    if (stack.length > 0) addStack(counts, stack.join(';'), period);
    stack = [];
    processName = undefined;
  };

  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) continue;
    if (line === '') {
      flush();
      continue;
    }
    const header = headerRe.exec(line);
    if (header) {
      const comm = header[1] as string;
      let pid = header[2] as string;
      let tid = header[3];
      if (!tid) {
        tid = pid;
        pid = '?';
      }
      let samplePeriod = 0;
      const event = eventRe.exec(line);
      if (event) {
        samplePeriod = event[1] ? Number(event[1]) : 0;
        const name = event[2] as string;
        if (filter === '') {
          filter = name;
          defaulted = true;
        } else if (name !== filter) {
          if (defaulted) filteredEvent = filter;
          processName = undefined;
          stack = [];
          continue;
        }
      }
      period = samplePeriod || 1;
      const named = options.tid ? `${comm}-${pid}/${tid}` : options.pid ? `${comm}-${pid}` : comm;
      processName = named.replace(/ /g, '_');
      stack = [];
      continue;
    }
    const frame = frameRe.exec(line);
    if (frame) {
      if (processName === undefined) continue;
      const pc = frame[1] as string;
      const mod = frame[3] as string;
      const rawFunc = (frame[2] as string).replace(/\+0x[\da-f]+$/, '');
      if (rawFunc.startsWith('(')) continue;
      const inlined: string[] = [];
      for (const part of rawFunc.split('->')) {
        let func = part;
        if (func === '[unknown]') {
          const base = mod !== '[unknown]' ? mod.replace(/.*\//, '') : 'unknown';
          func = options.addrs ? `[${base} <${pc}>]` : `[${base}]`;
        }
        func = tidy(func, processName);
        if (inlined.length > 0) {
          if (!func.includes('_[i]')) func += '_[i]';
        } else if (options.kernel && /(^\[|vmlinux$)/.test(mod) && !mod.includes('unknown')) {
          func += '_[k]';
        } else if (options.jit && /\/tmp\/perf-\d+\.map/.test(mod)) {
          if (!func.includes('_[j]')) func += '_[j]';
        }
        inlined.push(func);
      }
      stack.unshift(...inlined);
      continue;
    }
    unrecognized.push(line);
  }
  flush();
  return filteredEvent !== undefined ? { counts, unrecognized, filteredEvent } : { counts, unrecognized };
}
