// The one place errors become text on stderr and an exit code.
import { SysError } from '../sys/index.js';
import { InsnError, AssemblerError } from '../isa/index.js';
import { BtfParseError, BtfTypeError, BtfMissingFieldError, BtfLoadError } from '../btf/errors.js';
import { ElfError } from '../elf/error.js';
import { SymbolsError } from '../symbols/error.js';
import { TracefsError } from '../tracefs/error.js';
import { VerifierError, UnsupportedFeatureError } from '../kernel/errors.js';
import { AttachError } from '../kernel/link/link.js';
import { FlameGraphError } from '../flamegraph/errors.js';

// Errors that describe the user's input or the kernel's refusal: printed as one line, no stack.
const userFacing = [
  SysError,
  UnsupportedFeatureError,
  AttachError,
  BtfParseError,
  BtfTypeError,
  BtfMissingFieldError,
  BtfLoadError,
  ElfError,
  SymbolsError,
  TracefsError,
  FlameGraphError,
] as const;

/** How many of the verifier's last lines to show: its reason is at the end, the program dump before it. */
const VERIFIER_TAIL = 20;

export function reportError(err: unknown, options: { verbose?: boolean } = {}): number {
  if (err instanceof VerifierError) {
    process.stderr.write(`ERROR: ${err.message}\n`);
    const lines = options.verbose ? err.log : err.log.slice(-VERIFIER_TAIL);
    if (lines.length > 0) process.stderr.write(`Verifier log${options.verbose ? '' : ' (end)'}:\n${lines.join('\n')}\n`);
    return 1;
  }
  if (userFacing.some((cls) => err instanceof cls)) {
    process.stderr.write(`ERROR: ${(err as Error).message}\n`);
    return 1;
  }
  if (err instanceof InsnError || err instanceof AssemblerError) {
    // Bad instructions come from bpfkit's own code generator, never from the user: a bug to report.
    process.stderr.write(`bpfkit: internal error: ${err.message}\n`);
    return 2;
  }
  if (err instanceof Error) {
    // An unexpected failure is a bug in bpfkit: keep the stack so it can be reported.
    process.stderr.write(`bpfkit: internal error: ${err.stack ?? err.message}\n`);
    return 2;
  }
  process.stderr.write(`bpfkit: internal error: ${String(err)}\n`);
  return 2;
}
