// End to end: probes keep running after exit() until the runtime detaches them, `return` in a map for-loop
// ends the probe, buf() of a script struct's char array reads its C size, has_key() of a scalar map, positional
// parameters in the probe type, sizeof of an array type from a macro's typeof, path() outside fentry/fexit/iter.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfkit, prepare, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping compiler fixes end-to-end tests: ${skip}`);

describe.skipIf(skip !== false)('compiler fixes end to end', () => {
  let tools: Tools;
  beforeAll(async () => {
    tools = await prepare();
  });
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('runs probes that fire after exit() and before the detach', () => {
    // One getpid: its entry calls exit(), its return (the same syscall, microseconds later) still counts.
    const program =
      'tracepoint:syscalls:sys_enter_getpid /pid == cpid/ { exit(); } ' +
      'tracepoint:syscalls:sys_exit_getpid /pid == cpid/ { @after = count(); }';
    const r = bpfkit(tools, ['-q', '-e', program, '-c', `${tools.workload} getpid 1`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('\n\n@after: 1\n');
  });

  it('ends the probe on return inside a map for-loop, nested loops too', () => {
    const r = bpfkit(tools, ['-q', '-e', 'begin { @m["x"] = 1; for ($a : @m) { for ($b : @m) { print($b.0); return; } print("inner"); } print("end"); clear(@m); exit(); }']);
    expect(r.stderr).toBe('');
    // Neither "inner" nor "end": the probe ended before clear(@m), so the map prints at exit.
    expect(r.stdout).toBe('x\n\n\n@m[x]: 1\n');
  });

  it('reads a script struct char array with buf() at its C size', () => {
    const r = bpfkit(tools, ['-q', '-e', 'struct S { char b[4]; uint8_t c[4]; } begin { $s = (struct S *)0; print(sizeof(struct S)); print(sizeof(buf($s.b))); print(sizeof(buf($s.c))); exit(); }']);
    expect(r.stderr).toBe('');
    // A buffer is its length (4 bytes) and its data: 4 bytes for both arrays, not the string[5] they read as.
    expect(r.stdout).toBe('8\n8\n8\n\n\n');
  });

  it('says has_key() needs a map with keys', () => {
    const r = bpfkit(tools, ['-e', 'begin { @g = 2; if (has_key(@g, 2)) { printf("ok\\n"); } }']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'stdin:1:21-35: ERROR: call to has_key() expects a map with explicit keys (non-scalar map)\n' +
        'begin { @g = 2; if (has_key(@g, 2)) { printf("ok\\n"); } }\n' +
        '                    ~~~~~~~~~~~~~~\n',
    );
  });

  it('substitutes positional parameters in the probe type', () => {
    expect(bpfkit(tools, ['-q', '-e', 'BEG$1 { printf("one\\n"); exit(); }', 'IN']).stdout).toBe('one\n\n\n');
    expect(bpfkit(tools, ['-q', '-e', '$1 { printf("two\\n"); exit(); }', 'begin']).stdout).toBe('two\n\n\n');
  });

  it('sizes an array of a type a macro got through typeof', () => {
    const program = 'struct Foo { char m; } macro sof(a, b) { sizeof(a[2]) + sizeof(b*) + sizeof(b) } begin { print(sof(typeof(uint64*), typeof(struct Foo))); exit(); }';
    const r = bpfkit(tools, ['-q', '-e', program]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('25\n\n\n');
  });

  it('refuses path() outside fentry, fexit and iter probes', () => {
    const r = bpfkit(tools, ['-e', 'tracepoint:syscalls:sys_enter_openat { print(path(args.filename)); }']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "stdin:1:46-65: ERROR: The path function can only be used with 'fentry', 'fexit', 'iter' probes\n" +
        'tracepoint:syscalls:sys_enter_openat { print(path(args.filename)); }\n' +
        '                                             ~~~~~~~~~~~~~~~~~~~\n',
    );
  });
});
