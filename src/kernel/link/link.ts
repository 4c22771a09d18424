// The shared shape of every attachment, the registry that detaches them all when the process ends, and the typed
// errors attach functions throw.
import { defaultHint, errnoName, SysError } from '../../sys/index.js';
import { UnsupportedFeatureError } from '../errors.js';

/** A program attached somewhere in the kernel; closing it detaches the program. */
export interface Link {
  /** The attach kind: 'tracepoint', 'raw_tracepoint', 'uprobe', 'perf_event', ... */
  readonly kind: string;
  /** What it is attached to, e.g. 'syscalls:sys_enter_getpid' or '/bin/bash:readline'. */
  readonly description: string;
  close(): void;
}

/** A loaded program as the attach functions need it: its fd (a Program from loadProgram fits). */
export type ProgramRef = number | { readonly fd: number; readonly name?: string };

export function programFd(prog: ProgramRef): number {
  return typeof prog === 'number' ? prog : prog.fd;
}

/** The kernel refused an attachment, or bpfkit could not resolve what to attach to. */
export class AttachError extends Error {
  override readonly name = 'AttachError';
  readonly kind: string;
  readonly target: string;
  /** The errno's name when the kernel refused ('ENOENT', 'EPERM', ...); undefined for resolution failures. */
  readonly code: string | undefined;
  readonly errno: number | undefined;
  /** What went wrong, without the probe's name (the message's tail). */
  readonly detail: string;
  readonly hint: string | undefined;

  constructor(kind: string, target: string, detail: string, opts: { errno?: number; hint?: string; cause?: unknown } = {}) {
    const code = opts.errno === undefined ? undefined : errnoName(opts.errno);
    super(`Cannot attach ${kind} to ${target}: ${code ? `${code}: ` : ''}${detail}${opts.hint ? ` (${opts.hint})` : ''}`, {
      cause: opts.cause,
    });
    this.kind = kind;
    this.target = target;
    this.code = code;
    this.errno = opts.errno;
    this.detail = detail;
    this.hint = opts.hint;
  }
}

/** The kernel lacks the attach mechanism altogether (no kprobe PMU, fentry refused by a security module). */
export class AttachUnavailableError extends UnsupportedFeatureError {
  constructor(feature: string, reason: string, message: string) {
    super(feature, reason);
    this.message = message;
  }
}

/** What each errno means for one attach kind: the detail shown and a hint; unlisted codes get generic text. */
export type ErrnoMeanings = Partial<Record<string, { detail: string; hint?: string }>>;

/** Turns a SysError from an attach step into an AttachError that names the probe; other errors pass through. */
export function attachFailure(kind: string, target: string, err: unknown, meanings: ErrnoMeanings = {}): Error {
  if (!(err instanceof SysError)) return err instanceof Error ? err : new Error(String(err));
  const known = meanings[err.code];
  const detail = known?.detail ?? `${err.op} failed`;
  const hint = known ? known.hint : defaultHint(err.errno);
  return new AttachError(kind, target, detail, { errno: err.errno, hint, cause: err });
}

const open = new Set<Link>();
let exitHookInstalled = false;

/** Closes every link still open (the runtime calls this from its SIGINT/SIGTERM handlers; 'exit' calls it too). */
export function closeAllLinks(): void {
  for (const link of [...open]) {
    try {
      link.close();
    } catch {
      // Detaching on the way out: the fds die with the process anyway, so one failure must not stop the rest.
    }
  }
  open.clear();
}

/** How many links are open (for tests and the runtime's shutdown report). */
export function openLinkCount(): number {
  return open.size;
}

function track(link: Link): void {
  if (!exitHookInstalled) {
    process.on('exit', closeAllLinks);
    exitHookInstalled = true;
  }
  open.add(link);
}

/** Closes every item even when one fails (a half-detached probe would leak the rest), then throws the first error. */
function closeEach<T>(items: readonly T[], close: (item: T) => void): void {
  let first: unknown;
  for (const item of items) {
    try {
      close(item);
    } catch (e) {
      first ??= e;
    }
  }
  if (first !== undefined) throw first;
}

/**
 * A link made of file descriptors (a BPF link fd, perf event fds) closed in the order given, plus an optional
 * cleanup. Closing twice is harmless. Registered so that closeAllLinks() finds it.
 */
export class FdLink implements Link {
  private closed = false;

  constructor(
    readonly kind: string,
    readonly description: string,
    private readonly fds: readonly number[],
    private readonly sys: { close(fd: number): void },
  ) {
    track(this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this);
    closeEach(this.fds, (fd) => this.sys.close(fd));
  }
}

/** Several links closed as one (all the locations of a USDT probe). */
export class MultiLink implements Link {
  private closed = false;

  constructor(
    readonly kind: string,
    readonly description: string,
    readonly links: readonly Link[],
  ) {
    // The parts stay registered themselves; this one is registered too so closeAllLinks closes it as a unit.
    track(this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this);
    closeEach(this.links, (l) => l.close());
  }
}
