// End to end: what the front end makes of a script's C preamble and macros, checked by running the result
// against a workload with known data: float fields keep their size and print as null, a script's `char s[N]`
// prints all N characters, typeof() arguments fill a macro's type positions (container_of from the standard
// library among them), and the preamble errors that stop a script before it runs.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, bpfkit, prepare, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping front-end end-to-end tests: ${skip}`);

describe.skipIf(skip !== false)('C preamble and macros end to end', () => {
  let tools: Tools;
  let bin: string;
  beforeAll(async () => {
    tools = await prepare();
    bin = join(tools.dir, 'c-types');
    const cc = spawnSync('gcc', ['-O1', '-o', bin, join(ROOT, 'test/fixtures/frontend/c-types.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  });
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('lays a float out at its own size and prints it as null', () => {
    const program = `union N { int i; float f; }; struct Foo { int m; union N n; }; uprobe:${bin}:take_union { print(*((struct Foo *)arg0)); printf("%d %d\\n", sizeof(union N), sizeof(struct Foo)); exit(); }`;
    const r = bpfkit(tools, ['-q', '-f', 'json', '-e', program, '-c', bin]);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      '{"type": "value", "data": {"m": 2, "n": {"i": 5, "f": null}}}',
      '{"type": "printf", "data": "4 8\\n"}',
    ]);
  });

  it('reads every character of a script struct\'s char array that has no NUL after it', () => {
    const program = `struct F { char s[5]; char t[3]; } uprobe:${bin}:take_chars { $p = (struct F *)arg0; $a = $p.s; printf("%s %s %s %d\\n", $a, $a, $p.t, sizeof(struct F)); exit(); }`;
    const r = bpfkit(tools, ['-q', '-e', program, '-c', bin]);
    expect(r.stdout).toBe('hello hello XYZ 8\n\n\n');
  });

  it('finds the containing struct with the standard library\'s container_of', () => {
    const program = `struct Foo { int m; int n; } uprobe:${bin}:take_member { $n = (int32 *)arg0; $foo = container_of($n, typeof(struct Foo), n); print(*$foo); exit(); }`;
    const r = bpfkit(tools, ['-q', '-e', program, '-c', bin]);
    expect(r.stdout).toBe('{ .m = 2, .n = 3 }\n\n\n');
  });

  it('passes typeof() arguments through nested macros into sizeof', () => {
    const r = bpfkit(tools, ['-q', '-e', 'macro m(t) { sizeof(t) + 2 } macro n(z) { print(m(typeof(z))); } begin { n(typeof(uint64*)); n(typeof(int16)); exit(); }']);
    expect(r.stdout).toBe('10\n4\n\n\n');
  });

  it('refuses a missing header, a struct it cannot complete and an unknown license before running', () => {
    const include = bpfkit(tools, ['-e', '#include <bpfkit/no-such-header.h>\nbegin { exit(); }']);
    expect(include.code).toBe(1);
    expect(include.stderr).toContain("stdin:1:10-35: ERROR: 'bpfkit/no-such-header.h' file not found\n");
    const incomplete = bpfkit(tools, ['-e', 'struct Foo { struct bpfkit_nothing x; } begin { exit(); }']);
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toContain("ERROR: Type error: field 'x' has incomplete type 'struct bpfkit_nothing'\n");
    const license = bpfkit(tools, ['-e', 'config = { license = "Potato" } begin { exit(); }']);
    expect(license.code).toBe(1);
    expect(license.stderr).toContain('ERROR: Invalid value for license. Found: Potato. Valid values: Dual MIT/GPL, Dual BSD/GPL, Dual MPL/GPL, GPL and additional rights, GPL v2, GPL\n');
  });
});
