import { describe, expect, it } from 'vitest';
import { parseBpftraceOptions, UsageError } from './bpftrace-options.js';

describe('parseBpftraceOptions', () => {
  it('takes -e with positional and named parameters after it', () => {
    const o = parseBpftraceOptions(['-e', 'begin { }', 'p1', '--', '20', '--aa=1']);
    expect([o.program, o.file, o.params, o.namedParams]).toEqual(['begin { }', undefined, ['p1', '20'], ['aa=1']]);
  });

  it('takes a file as the first operand, and options after it (getopt permutes)', () => {
    const o = parseBpftraceOptions(['tool.bt', '-d', 'ast', '42']);
    expect([o.file, [...o.debug], o.params]).toEqual(['tool.bt', ['ast'], ['42']]);
  });

  it('reads clustered short options and attached values', () => {
    const o = parseBpftraceOptions(['-qvp123', '-dast,types', '--dry-run', '--output=out.txt', '-']);
    expect([o.quiet, o.verbose, o.pid, [...o.debug], o.dryRun, o.output, o.file]).toEqual([
      true, true, '123', ['ast', 'types'], true, 'out.txt', '-',
    ]);
  });

  it('rejects what bpftrace rejects', () => {
    expect(() => parseBpftraceOptions([])).toThrow(new UsageError("filename or -e 'program' required."));
    expect(() => parseBpftraceOptions(['-d', 'nope', '-e', 'x'])).toThrow(new UsageError('invalid option for -d: nope'));
    expect(() => parseBpftraceOptions(['-c', 'ls', '-p', '1', '-e', 'x'])).toThrow(new UsageError('Cannot use both -c and -p.'));
    expect(() => parseBpftraceOptions(['-k', '--no-warnings', '-e', 'x'])).toThrow(UsageError);
    expect(() => parseBpftraceOptions(['-Z'])).toThrow(new UsageError("invalid option -- 'Z'"));
  });

  it('refuses --name=value before --, where getopt sees an unknown option', () => {
    expect(() => parseBpftraceOptions(['-e', 'begin {}', '--aa=20'])).toThrow(new UsageError("unrecognized option '--aa=20'"));
  });

  it('takes --mode, --bench and --test, one of them at most', () => {
    expect(parseBpftraceOptions(['--mode', 'bench', '-e', 'x']).mode).toBe('bench');
    expect(parseBpftraceOptions(['--bench', '-e', 'x']).mode).toBe('bench');
    expect(() => parseBpftraceOptions(['--mode', 'fast', '-e', 'x'])).toThrow(
      new UsageError("--mode can only be 'codegen', 'compiler-bench', 'bench', 'test' or 'format'."),
    );
    expect(() => parseBpftraceOptions(['--test', '--bench', '-e', 'x'])).toThrow(new UsageError('--bench conflicts with existing --mode'));
  });

  it('takes an optional search argument with -l', () => {
    expect(parseBpftraceOptions(['-l', 'tracepoint:syscalls:*']).listSearch).toBe('tracepoint:syscalls:*');
  });
});
