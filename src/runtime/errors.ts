// Typed failures of running a script. Each message is complete as bpftrace words it; src/cli prints them as
// `ERROR: <message>` (and the verifier log under -v) and exits 1.

/** Base class: something stopped the script from running; the message is for the user. */
export class ScriptRunError extends Error {
  override readonly name: string = 'ScriptRunError';
}

/** The kernel refused a program (the verifier, or the load itself). */
export class ProgramLoadError extends ScriptRunError {
  override readonly name = 'ProgramLoadError';
  /** The probe as bpftrace names it: `tracepoint:syscalls:sys_enter_openat`. */
  readonly probe: string;
  readonly errno: number;
  /** The verifier's reason (its last meaningful line), when there is a log. */
  readonly reason: string | undefined;
  /** The whole verifier log, for -v. */
  readonly log: readonly string[];

  constructor(probe: string, errno: number, errnoText: string, reason: string | undefined, log: readonly string[], verbose: boolean) {
    let message = `Error loading BPF program for ${probe}. Error code: -${errno} (${errnoText}).`;
    if (reason !== undefined) message += `\n${reason}`;
    if (verbose && log.length > 0) message += `\nKernel error log: \n${log.join('\n')}\n`;
    else if (log.length > 0) message += ' Use -v for full kernel error log.';
    super(message);
    this.probe = probe;
    this.errno = errno;
    this.reason = reason;
    this.log = log;
  }
}

/** A probe could not be attached (and config missing_probes is `error`, the default). */
export class ProbeAttachError extends ScriptRunError {
  override readonly name = 'ProbeAttachError';
  readonly probe: string;

  constructor(probe: string, detail: string, options?: { cause?: unknown }) {
    super(`Unable to attach probe: ${probe}: ${detail}`, options);
    this.probe = probe;
  }
}

/** The kernel lacks something the script needs (kprobes here, for example). */
export class MissingFeatureError extends ScriptRunError {
  override readonly name = 'MissingFeatureError';
}

/** -c: the command could not be found or started. */
export class ChildCommandError extends ScriptRunError {
  override readonly name = 'ChildCommandError';
}

/** -o FILE could not be opened, -f names an unknown format, or a named parameter is wrong. */
export class RunSetupError extends ScriptRunError {
  override readonly name = 'RunSetupError';
}
