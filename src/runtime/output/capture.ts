// Outputs that stand between the event handler and the real output: bench mode runs each bench probe with its
// output thrown away but its errors (errorf(), run-time errors) counted, then switches back.
import type { OutputValue } from './model.js';
import type { Output, PrintfSeverity, RuntimeErrorInfo, SourceLocation } from './output.js';

/** Prints nothing. */
export class DiscardOutput implements Output {
  map(): void {}
  value(): void {}
  printf(): void {}
  time(): void {}
  cat(): void {}
  join(): void {}
  syscall(): void {}
  end(): void {}
  lostEvents(): void {}
  attachedProbes(): void {}
  runtimeError(): void {}
  benchmarkResult(): void {}
}

/** Forwards everything to `target` (which may be swapped at any time), counting errors on the way. */
export class CaptureOutput implements Output {
  target: Output;
  /** errorf() calls and run-time errors seen since the count was last reset. */
  errorCount = 0;

  constructor(target: Output) {
    this.target = target;
  }

  map(name: string, value: OutputValue): void {
    this.target.map(name, value);
  }

  value(value: OutputValue): void {
    this.target.value(value);
  }

  printf(text: string, severity?: PrintfSeverity, locations?: readonly SourceLocation[]): void {
    if (severity === 'error') this.errorCount++;
    this.target.printf(text, severity, locations);
  }

  time(text: string): void {
    this.target.time(text);
  }

  cat(text: string): void {
    this.target.cat(text);
  }

  join(text: string): void {
    this.target.join(text);
  }

  syscall(text: string): void {
    this.target.syscall(text);
  }

  end(): void {
    this.target.end();
  }

  lostEvents(count: bigint | number): void {
    this.target.lostEvents(count);
  }

  attachedProbes(count: number): void {
    this.target.attachedProbes(count);
  }

  runtimeError(info: RuntimeErrorInfo): void {
    this.errorCount++;
    this.target.runtimeError(info);
  }

  benchmarkResult(names: readonly string[], index: number, averageNs: number, iterations: number): void {
    this.target.benchmarkResult(names, index, averageNs, iterations);
  }
}
