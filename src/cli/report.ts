// The one place errors become text on stderr and an exit code.
import { SysError } from '../sys/index.js';

export function reportError(err: unknown): number {
  if (err instanceof SysError) {
    process.stderr.write(`ERROR: ${err.message}\n`);
    return 1;
  }
  if (err instanceof Error) {
    // An unexpected failure is a bug in bpfkit: keep the stack so it can be reported.
    process.stderr.write(`bpfkit: internal error: ${err.stack ?? err.message}\n`);
    return 2;
  }
  process.stderr.write(`bpfkit: internal error: ${String(err)}\n`);
  return 2;
}
