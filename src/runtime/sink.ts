// Where a running script's output goes: stdout text is gathered and written in one system call per batch of
// ring-buffer records (a tight printf loop would otherwise cost a write per event); stderr is written at once,
// after anything stdout still holds, so that the two streams keep their order on a shared terminal or pipe.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { OutputSink } from './output/index.js';
import { RunSetupError } from './errors.js';

export type BufferingMode = 'line' | 'full' | 'none';

export class FdSink implements OutputSink {
  readonly #fd: number;
  readonly #ownsFd: boolean;
  readonly #mode: BufferingMode;
  #pending: string[] = [];
  #pendingBytes = 0;
  /** Set once a write failed (a closed pipe): further output is dropped. */
  broken = false;

  constructor(fd: number, options: { ownsFd?: boolean; mode?: BufferingMode } = {}) {
    this.#fd = fd;
    this.#ownsFd = options.ownsFd ?? false;
    this.#mode = options.mode ?? 'line';
  }

  /** -o FILE: truncates or creates it. */
  static openFile(path: string, mode?: BufferingMode): FdSink {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : String(code);
      throw new RunSetupError(`Failed to open output file: "${path}": ${reason}`);
    }
    return new FdSink(fd, { ownsFd: true, ...(mode ? { mode } : {}) });
  }

  stdout(text: string): void {
    if (this.broken) return;
    this.#pending.push(text);
    this.#pendingBytes += text.length;
    // `none` writes through; the other modes wait for the batch's end (or a large backlog).
    if (this.#mode === 'none' || this.#pendingBytes > 1 << 16) this.flush();
  }

  stderr(text: string): void {
    this.flush();
    writeAll(2, text);
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.broken) return;
    try {
      writeAll(this.#fd, text);
    } catch {
      this.broken = true;
    }
  }

  close(): void {
    this.flush();
    if (this.#ownsFd) closeSync(this.#fd);
  }
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      // A non-blocking pipe that is full: try again until the reader catches up.
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw err;
    }
  }
}
