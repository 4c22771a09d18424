// -c CMD: the command is started at once (so `cpid` is known before any probe runs) but held before it execs
// until release(): a shell waits on a pipe, then replaces itself with the command, keeping the pid. Probes are
// attached by then, so they see the command from its first instruction.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Writable } from 'node:stream';
import { ChildCommandError } from './errors.js';

// The gate: read one line from fd 3, then exec the command with fd 3 closed.
const GATE = 'read _ <&3; exec "$@" 3<&-';

function findExecutable(name: string): string | undefined {
  const ok = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes('/')) return ok(name) ? name : undefined;
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
    if (dir !== '' && ok(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export class ChildCommand {
  readonly pid: number;
  readonly #child: ChildProcess;
  #released = false;
  #exited = false;
  /** Settles when the command has exited. */
  readonly exited: Promise<void>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.pid = child.pid!;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        this.#exited = true;
        resolve();
      });
    });
  }

  /** Starts CMD held at the gate. CMD is split on spaces, as bpftrace splits it (no shell syntax). */
  static start(command: string): ChildCommand {
    const args = command.split(' ').filter((a) => a !== '');
    if (args.length === 0) throw new ChildCommandError('Empty command for -c');
    const path = findExecutable(args[0]!);
    if (path === undefined) throw new ChildCommandError(`Failed to find binary: ${args[0]}`);
    const child = spawn('/bin/sh', ['-c', GATE, 'sh', path, ...args.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'] });
    if (child.pid === undefined) throw new ChildCommandError(`Failed to start command: ${command}`);
    // Errors on the gate pipe (the shell gone early) are the exit handler's business.
    (child.stdio[3] as Writable | null)?.on('error', () => undefined);
    return new ChildCommand(child);
  }

  get isAlive(): boolean {
    return !this.#exited;
  }

  /** Lets the command run. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const gate = this.#child.stdio[3] as Writable | null;
    gate?.end('\n');
  }

  /** Stops the command (exit() in the script, or an early failure). */
  terminate(): void {
    if (this.#exited) return;
    try {
      this.#child.kill(this.#released ? 'SIGTERM' : 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
