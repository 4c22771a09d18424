// Whether a tool can run on this kernel: every probe its program needs must exist and its attach kind work.
import { existsSync } from 'node:fs';
import { resolveLibrary } from '../elf/index.js';
import { haveFentry, haveKprobes, havePerfEventAttach, haveUprobes } from '../kernel/index.js';
import { SymbolsError, kernelSymbols } from '../symbols/index.js';
import { TracefsError, traceEvents } from '../tracefs/index.js';
import type { ToolArgs } from './options.js';
import { probeText, type ProbeNeed, type ToolSpec } from './tool.js';

export interface Availability {
  readonly ok: boolean;
  /** What is missing, one line; empty when ok. */
  readonly reason: string;
}

/** Checks `tool.needs`, or the needs its arguments make when it has them (funccount's pattern). */
export function toolAvailability(tool: ToolSpec, args?: ToolArgs): Availability {
  const needs = args !== undefined && tool.needsFor ? tool.needsFor(args) : tool.needs;
  for (const need of needs) {
    const reason = missing(need);
    if (reason !== undefined) return { ok: false, reason };
  }
  return { ok: true, reason: '' };
}

/** Why one need cannot be met here, or undefined when it can. */
export function missing(need: ProbeNeed): string | undefined {
  switch (need.kind) {
    case 'tracepoint': {
      const [category = '', name = ''] = need.event.split(':');
      try {
        if (!traceEvents().has(category, name)) return `tracepoint ${need.event} does not exist on this kernel`;
      } catch (err) {
        if (err instanceof TracefsError) return `tracefs is not readable: ${err.message}`;
        throw err;
      }
      return undefined;
    }
    case 'uprobe': {
      const f = haveUprobes();
      if (!f.ok) return `${probeText(need)} needs uprobes: ${f.reason}`;
      if (binaryPath(need.binary) === undefined) return `${probeText(need)} needs ${need.binary}, which is not installed`;
      return undefined;
    }
    case 'kprobe': {
      const f = haveKprobes();
      if (!f.ok) return `${probeText(need)} needs kprobes: ${f.reason}`;
      // A function in a module (md's md_flush_request) is there only while the module is loaded.
      if (/[*?[]/.test(need.func)) return undefined;
      const absent = kernelSymbolMissing(need.func);
      return absent === undefined ? undefined : `${probeText(need)} cannot attach: ${absent} (a module that has it may not be loaded)`;
    }
    case 'fentry': {
      const f = haveFentry(need.ret ? 'fexit' : 'fentry');
      return f.ok ? undefined : `${probeText(need)} needs ${need.ret ? 'fexit' : 'fentry'}: ${f.reason}`;
    }
    case 'profile': {
      const f = havePerfEventAttach(false);
      return f.ok ? undefined : `profile probes need perf events: ${f.reason}`;
    }
    case 'interval':
      return undefined;
    case 'ksym':
      return kernelSymbolMissing(need.symbol);
  }
}

// Only variables in /proc/kallsyms can be read by address: kernels built without CONFIG_KALLSYMS_ALL list
// functions and a few section markers only.
function kernelSymbolMissing(symbol: string): string | undefined {
  let address: bigint | undefined;
  try {
    address = kernelSymbols().address(symbol);
  } catch (err) {
    if (err instanceof SymbolsError) return `kernel symbols are not readable: ${err.message}`;
    throw err;
  }
  return address === undefined ? `kernel symbol ${symbol} is not in /proc/kallsyms` : undefined;
}

/** A binary named by path, or a library by short name (libc). */
export function binaryPath(binary: string): string | undefined {
  if (binary.includes('/')) return existsSync(binary) ? binary : undefined;
  return resolveLibrary(binary);
}
