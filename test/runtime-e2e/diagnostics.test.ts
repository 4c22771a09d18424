// End to end: what bpfkit prints about a script while it runs, with source ranges as bpftrace prints them:
// errorf()/warnf() with the call's range and macro expansions, run-time warnings when a helper fails (map full,
// a missing key or a bad address with -k), out-of-bounds indexes and zero divisors; and the values whose
// printing the compiler's types decide (enum names, getopt() options). Expected texts follow bpftrace's
// tests/runtime cases; every program runs in this kernel.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/lang/index.js';
import { formatDiagnostics } from '../../src/lang/diagnostics.js';
import { runSession } from '../../src/runtime/session.js';
import { JsonOutput, StringSink, TextOutput } from '../../src/runtime/output/index.js';
import { bpfkit, prepare, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping diagnostics end-to-end tests: ${skip}`);

/** Runs a begin-only script in this process at a chosen warning level, as `-k` would. */
async function runInProcess(source: string, format: 'text' | 'json', warningLevel: 0 | 1 | 2): Promise<{ code: number; out: string; err: string }> {
  const r = compile(source, 'stdin', { warningLevel });
  if (!r.artifact) throw new Error(formatDiagnostics(r.diagnostics));
  const sink = new StringSink();
  const output = format === 'json' ? new JsonOutput(sink) : new TextOutput(sink);
  const code = await runSession({ artifact: r.artifact, output, flush: () => {}, log: (t) => sink.stderr(t), quiet: true, warnings: warningLevel > 0 });
  return { code, out: sink.stdoutText, err: sink.stderrText };
}

describe.skipIf(skip !== false)('run-time diagnostics end to end', () => {
  let tools: Tools;
  beforeAll(async () => {
    tools = await prepare();
  });
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('prints errorf and warnf with the call\'s range', () => {
    const r = bpfkit(tools, ['-q', '-e', 'begin { errorf("Something bad with args: %d, %s", 10, "arg2"); warnf("careful"); exit(); }']);
    expect(r.stderr).toBe('stdin:1:9-62: ERROR: Something bad with args: 10, arg2\nstdin:1:64-80: WARNING: careful\n');
  });

  it('names the macro call an errorf was expanded from, and assert() points into the standard library', () => {
    const r = bpfkit(tools, ['-q', '-e', 'macro bad() { errorf("Something bad"); } begin { bad(); exit(); }']);
    expect(r.stderr).toBe(
      'stdin:1:15-38: ERROR: Something bad\n' +
        'stdin:1:50-55: ERROR: expanded from\n' +
        'macro bad() { errorf("Something bad"); } begin { bad(); exit(); }\n' +
        '                                                 ~~~~~\n',
    );
    const a = bpfkit(tools, ['-q', '-e', 'BEGIN { assert(false, "My error message"); }']);
    expect(a.code).toBe(1);
    expect(a.stderr.split('\n')[0]).toBe('stdlib/base.bt:6:5-37: ERROR: assert failed: My error message');
  });

  it('warns when a declared map is full, and about declared maps never used', () => {
    const r = bpfkit(tools, ['-q', '-e', 'let @a = hash(1); begin { @a[1] = 1; @a[2] = 2; exit(); }']);
    expect(r.stderr).toBe(
      "stdin:1:38-47: WARNING: Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n" +
        'Additional Info - helper: map_update_elem, retcode: -7\n' +
        'let @a = hash(1); begin { @a[1] = 1; @a[2] = 2; exit(); }\n' +
        '                                     ~~~~~~~~~\n',
    );
    expect(r.stdout).toBe('\n\n@a[1]: 1\n');
    const p = bpfkit(tools, ['-q', '-e', 'let @a = percpulruhash(1); begin { @a[1] = count(); @a[2] = count(); exit(); }']);
    expect([p.stderr, p.stdout]).toEqual(['', '\n\n@a[2]: 1\n']);
    const u = bpfkit(tools, ['-q', '-e', 'let @a = percpuhash(1); begin { exit(); }']);
    expect(u.stdout).toBe('stdin:1:1-24: WARNING: Unused map: @a\nlet @a = percpuhash(1); begin { exit(); }\n~~~~~~~~~~~~~~~~~~~~~~~\n\n\n');
  });

  it('gives 1 for a zero divisor with a warning, and warns about an index past an array\'s end', () => {
    const r = bpfkit(tools, ['-q', '-e', 'BEGIN { @mod0 = 0; print((uint64)10 % (uint64)@mod0); $i = 5; $a = (int8[4])(uint32)7; print($a[$i]); exit(); }']);
    expect(r.stdout).toBe('1\n7\n\n\n@mod0: 0\n');
    expect(r.stderr).toBe(
      'stdin:1:26-52: WARNING: Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.\n' +
        'BEGIN { @mod0 = 0; print((uint64)10 % (uint64)@mod0); $i = 5; $a = (int8[4])(uint32)7; print($a[$i]); exit(); }\n' +
        '                         ~~~~~~~~~~~~~~~~~~~~~~~~~~\n' +
        'stdin:1:94-100: WARNING: Array access out of bounds. This can lead to unexpected results.\n' +
        'BEGIN { @mod0 = 0; print((uint64)10 % (uint64)@mod0); $i = 5; $a = (int8[4])(uint32)7; print($a[$i]); exit(); }\n' +
        '                                                                                             ~~~~~~\n',
    );
  });

  it('with -k reports a missing map key and a bad address, in text and JSON', async () => {
    const lookup = await runInProcess('BEGIN { @[1] = 1; printf("%d\\n", @[2]); exit(); }', 'text', 2);
    expect(lookup.err).toBe(
      "stdin:1:34-38: WARNING: Can't lookup map element because it does not exist.\n" +
        'Additional Info - helper: map_lookup_elem, retcode: 0\n' +
        'BEGIN { @[1] = 1; printf("%d\\n", @[2]); exit(); }\n' +
        '                                 ~~~~\n',
    );
    expect(lookup.out).toBe('0\n\n\n@[1]: 1\n');
    const quiet = await runInProcess('BEGIN { @[1] = 1; printf("%d\\n", @[2]); exit(); }', 'text', 1);
    expect(quiet.err).toBe('');
    const bad = await runInProcess('BEGIN { $p = (struct task_struct *)8; printf("%d\\n", $p->pid); exit(); }', 'json', 2);
    expect(bad.out).toBe(
      // The kernel refuses reads of user-range addresses through probe_read_kernel with ERANGE.
      '{"type": "helper_error", "msg": "Numerical result out of range", "helper": "probe_read_kernel", "retcode": -34, "filename": "stdin", "line": 1, "col": 54}\n' +
        '{"type": "printf", "data": "0\\n"}\n',
    );
  });

  it('prints enum values by their names where bpftrace symbolizes them', () => {
    const r = bpfkit(tools, [
      '-q',
      '-e',
      'enum Foo { ONE = 1, TWO = 2, OTHER = 99999 }; begin { $t = TWO; printf("%d %s %d %s %-5s|\\n", ONE, ONE, $t, $t, (enum Foo)99999); ' +
        'print((enum Foo)7); @k[ONE, TWO] = OTHER; @v = (ONE, TWO); @n[ONE + 1] = TWO - 1; exit(); }',
    ]);
    expect(r.stdout).toBe('1 ONE 2 TWO OTHER|\n7\n\n\n@k[ONE, TWO]: OTHER\n@n[2]: 1\n@v: (ONE, TWO)\n');
  });

  it('reads named options after --, with their types, and refuses unknown ones', () => {
    const r = bpfkit(tools, ['-q', '-e', 'begin { print((getopt("aa", 20), getopt("bb", -1), getopt("cc", true), getopt("dd"), getopt("ee", "hello"))); exit(); }', '--', '--dd', '--aa=0xffffffffffffffff', '--bb=-10', '--cc=False']);
    expect(r.stdout).toBe('(18446744073709551615, -10, false, true, hello)\n\n\n');
    const wrong = bpfkit(tools, ['-e', 'begin { print(getopt("aa", 10)); }', '--', '--aa=False']);
    expect([wrong.code, wrong.stderr]).toEqual([1, 'ERROR: program command line option --aa invalid integer (value: False)\n']);
    const unknown = bpfkit(tools, ['-e', 'begin { print(getopt("aa", 10, "The aa")); }', '--', '--bb']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'ERROR: unexpected program command line options: --bb\nHINT: expected program options: --aa\n']);
    const help = bpfkit(tools, ['-e', 'begin { print((getopt("aa", 10, "The aa"), getopt("bb"))); }', '--', '--help']);
    expect(help.stderr).toContain('HINT: expected program options:\n--aa: The aa\n--bb\n');
  });
});
