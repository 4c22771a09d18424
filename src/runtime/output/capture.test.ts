import { describe, expect, it } from 'vitest';
import { CaptureOutput, DiscardOutput } from './capture.js';
import { JsonOutput } from './json.js';
import { StringSink } from './output.js';
import { TextOutput } from './text.js';

describe('bench results', () => {
  it('prints the text table with the head before the first row, widening the name column for long names', () => {
    const sink = new StringSink();
    const out = new TextOutput(sink);
    const long = 'x'.repeat(45);
    out.benchmarkResult(['a', long], 0, 132, 16000);
    out.benchmarkResult(['a', long], 1, 7, 2000000);
    const nameWidth = 46;
    expect(sink.stdoutText).toBe(
      `${'Benchmark'.padEnd(nameWidth)}${'Time(ns)'.padEnd(15)}Iterations\n` +
        `${'-'.repeat(nameWidth + 15 + 10)}\n` +
        `${'a'.padEnd(nameWidth)}${'132'.padEnd(15)}16000\n` +
        `${long} ${'7'.padEnd(15)}2000000\n`,
    );
  });

  it('prints one benchmark_result JSON record per probe', () => {
    const sink = new StringSink();
    new JsonOutput(sink).benchmarkResult(['a', 'b'], 1, 55, 400);
    expect(sink.stdoutText).toBe('{"type": "benchmark_result", "data": {"b": {"average": 55, "iters": 400}}}\n');
  });
});

describe('CaptureOutput', () => {
  it('counts errorf() and run-time errors but not printf() or warnf(), and forwards to its current target', () => {
    const sink = new StringSink();
    const capture = new CaptureOutput(new DiscardOutput());
    capture.printf('quiet\n');
    capture.printf('bad', 'error');
    capture.printf('meh', 'warning');
    capture.runtimeError({ kind: 'other', message: 'Divide by zero', locations: [] });
    expect(capture.errorCount).toBe(2);
    capture.target = new TextOutput(sink);
    capture.printf('loud\n');
    expect(sink.stdoutText).toBe('loud\n');
  });
});
