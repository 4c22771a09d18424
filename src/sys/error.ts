// Typed failures of system calls: the operation, the errno by name, and a hint a user can act on.
import { errnoName } from './errno.js';

export class SysError extends Error {
  override readonly name = 'SysError';
  readonly errno: number;
  readonly code: string;
  readonly op: string;
  readonly hint: string | undefined;

  constructor(op: string, errno: number, hint?: string, detail?: string) {
    const code = errnoName(errno);
    super(`${op}: ${code}${detail ? `: ${detail}` : ''}${hint ? ` (${hint})` : ''}`);
    this.errno = errno;
    this.code = code;
    this.op = op;
    this.hint = hint;
  }
}

/** The hint shown for an errno when the caller has nothing more specific to say. */
export function defaultHint(errno: number): string | undefined {
  switch (errnoName(errno)) {
    case 'EPERM':
    case 'EACCES':
      return 'needs root or CAP_BPF+CAP_PERFMON, or refused by lockdown or a security module';
    case 'ENOENT':
      return 'no such tracepoint, symbol or object';
    case 'E2BIG':
      return 'the object is larger than the kernel accepts';
    case 'ENOTSUPP':
    case 'EOPNOTSUPP':
      return 'not supported by this kernel';
    case 'EBADF':
      return 'the file descriptor is closed or of the wrong kind';
    case 'ENOSPC':
      return 'the verifier log buffer is too small, or the map is full';
    case 'EMFILE':
      return 'too many open files: raise the limit with ulimit -n';
    default:
      return undefined;
  }
}
