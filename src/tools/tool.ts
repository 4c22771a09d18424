// What a bundled tool is: its name and purpose, the probes its program attaches to, its BCC-style options,
// and the function that turns parsed options into bpftrace-language program text.
import type { ToolArgs } from './options.js';
import type { StackGraphSpec } from './stack-graph.js';

export type ToolCategory = 'processes' | 'memory' | 'files' | 'disks' | 'network' | 'security' | 'applications';

/** One probe a tool's program needs; `availability` checks each against this kernel. */
export type ProbeNeed =
  | { readonly kind: 'tracepoint'; readonly event: string }
  | { readonly kind: 'uprobe'; readonly binary: string; readonly symbol: string; readonly ret?: boolean }
  | { readonly kind: 'kprobe'; readonly func: string; readonly ret?: boolean }
  | { readonly kind: 'fentry'; readonly func: string; readonly ret?: boolean }
  | { readonly kind: 'profile' }
  | { readonly kind: 'interval' }
  /** A kernel variable the program reads through kaddr(): it must be in /proc/kallsyms. */
  | { readonly kind: 'ksym'; readonly symbol: string };

/** A flag (no value) or an option taking an integer or a string. */
export interface OptionSpec {
  /** The key the parsed value is found under. */
  readonly key: string;
  readonly short?: string;
  readonly long?: string;
  readonly value?: 'int' | 'string';
  /** What the usage text calls the value, e.g. PID. */
  readonly metavar?: string;
  readonly help: string;
}

/**
 * Trailing numbers, as BCC takes them: `interval` in seconds then `count` of intervals, or a `duration` in
 * seconds, or a `threshold` (which may be 0); a `pattern` is text (funccount's probe).
 */
export interface PositionalSpec {
  readonly key: 'interval' | 'count' | 'duration' | 'threshold' | 'pattern';
  readonly help: string;
}

export interface ToolSpec {
  readonly name: string;
  /** One line, under 60 characters. */
  readonly summary: string;
  readonly category: ToolCategory;
  readonly needs: readonly ProbeNeed[];
  readonly options: readonly OptionSpec[];
  readonly positionals?: readonly PositionalSpec[];
  /** Example invocations (without the `bpfkit tools NAME` prefix) and what they do. */
  readonly examples?: ReadonlyArray<readonly [string, string]>;
  /** The bpftrace-language program for these options. */
  program(args: ToolArgs): string;
  /** For tools that count stacks: how `--folded` and `--svg FILE` turn their map into a flame graph. */
  stackGraph?(args: ToolArgs): StackGraphSpec;
  /** When what the tool attaches to depends on its arguments: the needs to check before running it. */
  needsFor?(args: ToolArgs): readonly ProbeNeed[];
}

/** Formats a need as the probe it attaches to, as bpftrace writes it. */
export function probeText(need: ProbeNeed): string {
  switch (need.kind) {
    case 'tracepoint':
      return `tracepoint:${need.event}`;
    case 'uprobe':
      return `${need.ret ? 'uretprobe' : 'uprobe'}:${need.binary}:${need.symbol}`;
    case 'kprobe':
      return `${need.ret ? 'kretprobe' : 'kprobe'}:${need.func}`;
    case 'fentry':
      return `${need.ret ? 'fexit' : 'fentry'}:${need.func}`;
    case 'profile':
      return 'profile:hz';
    case 'interval':
      return 'interval:s';
    case 'ksym':
      return `kaddr("${need.symbol}")`;
  }
}
