// The output interface: every kind of thing a running script prints goes through one of these
// calls, and each output format (text, JSON) decides how it looks.
import type { OutputValue } from './model.js';

/** Where an errorf()/warnf() call or a runtime error came from, as the compiler recorded it. */
export interface SourceLocation {
  /** `stdin:1:9-62`: file, line and columns as diagnostics print them. */
  readonly location: string;
  readonly filename: string;
  readonly line: number;
  readonly column: number;
  /** The source line and its `~~~` marker, printed under "expanded from" notes. */
  readonly context?: readonly string[];
}

export type PrintfSeverity = 'none' | 'warning' | 'error';

export interface HelperErrorInfo {
  readonly kind: 'helper';
  /** The helper's name without `bpf_` (`probe_read_user`, `map_update_elem`). */
  readonly helper: string;
  /** The helper's return value, a negative errno. */
  readonly retcode: number;
  /** Innermost first; the first is where the helper call is, the rest are macro expansions. */
  readonly locations: readonly SourceLocation[];
}

export interface OtherRuntimeErrorInfo {
  readonly kind: 'other';
  readonly message: string;
  readonly locations: readonly SourceLocation[];
}

export type RuntimeErrorInfo = HelperErrorInfo | OtherRuntimeErrorInfo;

export interface Output {
  /** A map from print(@m) or the exit-time dump (see formatMap / formatMapForPrint). */
  map(name: string, value: OutputValue): void;
  /** print() of a non-map value. */
  value(value: OutputValue): void;
  /** printf() text (`none`), or errorf()/warnf() text with where the call is. */
  printf(text: string, severity?: PrintfSeverity, locations?: readonly SourceLocation[]): void;
  time(text: string): void;
  cat(text: string): void;
  join(text: string): void;
  /** system()'s captured output. */
  syscall(text: string): void;
  /** The event loop has finished; the exit-time map dump follows. */
  end(): void;
  lostEvents(count: bigint | number): void;
  attachedProbes(count: number): void;
  runtimeError(info: RuntimeErrorInfo): void;
  /**
   * One row of bench mode's results: `names` are every bench probe's name (the text table's column width
   * depends on the longest), `index` the one measured, `averageNs` the time of one run.
   */
  benchmarkResult(names: readonly string[], index: number, averageNs: number, iterations: number): void;
}

/** Where an Output writes: one function per stream, called with complete pieces of text. */
export interface OutputSink {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A sink that keeps everything in memory (tests, capture for a browser view). */
export class StringSink implements OutputSink {
  out: string[] = [];
  err: string[] = [];
  stdout(text: string): void {
    this.out.push(text);
  }
  stderr(text: string): void {
    this.err.push(text);
  }
  get stdoutText(): string {
    return this.out.join('');
  }
  get stderrText(): string {
    return this.err.join('');
  }
}

/** A sink for the process's own streams. */
export const processSink: OutputSink = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
};

// glibc's strerror() texts for the errnos BPF helpers return.
const STRERROR: Readonly<Record<number, string>> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  4: 'Interrupted system call',
  5: 'Input/output error',
  7: 'Argument list too long',
  9: 'Bad file descriptor',
  11: 'Resource temporarily unavailable',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  14: 'Bad address',
  16: 'Device or resource busy',
  17: 'File exists',
  19: 'No such device',
  22: 'Invalid argument',
  24: 'Too many open files',
  28: 'No space left on device',
  34: 'Numerical result out of range',
  38: 'Function not implemented',
  95: 'Operation not supported',
};

export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}
