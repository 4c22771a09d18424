// Typed failures of the kernel layer: each names the operation, the errno by name, and a hint a user can act on.
import { defaultHint, errnoName, SysError } from '../sys/index.js';

/** The verifier refused a program; the log holds its reason (the last lines usually say why). */
export class VerifierError extends Error {
  override readonly name = 'VerifierError';
  readonly op = 'BPF_PROG_LOAD';
  readonly errno: number;
  readonly code: string;
  readonly programName: string;
  readonly log: readonly string[];
  /** True when the log buffer could not hold the whole log even at its largest size. */
  readonly truncated: boolean;

  constructor(programName: string, errno: number, log: readonly string[], truncated = false) {
    const code = errnoName(errno);
    const reason = lastReason(log);
    super(`Cannot load program ${programName}: ${code}${reason ? `: ${reason}` : ''}`);
    this.errno = errno;
    this.code = code;
    this.programName = programName;
    this.log = log;
    this.truncated = truncated;
  }
}

// The verifier's last non-empty line that is not its statistics footer is its reason.
function lastReason(log: readonly string[]): string | undefined {
  for (let i = log.length - 1; i >= 0; i--) {
    const line = (log[i] ?? '').trim();
    if (line === '' || line.startsWith('processed ') || line.startsWith('verification time')) continue;
    if (line.startsWith('stack depth') || line.startsWith('-- END PROG LOAD LOG --')) continue;
    return line;
  }
  return undefined;
}

/** A feature this kernel lacks (found by probing), with the reason the probe gave. */
export class UnsupportedFeatureError extends Error {
  override readonly name = 'UnsupportedFeatureError';
  readonly feature: string;
  readonly reason: string;

  constructor(feature: string, reason: string) {
    super(`${feature} is not supported here: ${reason}`);
    this.feature = feature;
    this.reason = reason;
  }
}

/** The hint for a failed program load, which depends on the program type (tracing programs meet extra gates). */
export function loadHint(errno: number, tracing: boolean): string | undefined {
  const code = errnoName(errno);
  if (tracing && (code === 'EPERM' || code === 'EACCES')) {
    return 'needs root or CAP_BPF+CAP_PERFMON; fentry/fexit programs may also be refused by a security module or lockdown';
  }
  if (code === 'EINVAL') return 'the verifier log says why';
  if (code === 'ENOENT') return 'no such tracepoint or symbol';
  return defaultHint(errno);
}

/** Re-throws a SysError with an operation name and hint that say more than the raw bpf(2) command. */
export function rethrow(err: unknown, op: string, hint?: string, detail?: string): never {
  if (err instanceof SysError) throw new SysError(op, err.errno, hint ?? err.hint, detail);
  throw err;
}
