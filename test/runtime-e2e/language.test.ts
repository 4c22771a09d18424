// End to end: language features whose results only a run shows, each a begin probe run in this kernel with its
// exact output: strcontains() with needles computed at run time, buf() comparison, ternaries and if-expressions
// as values and for their effects, constant tuple indexes, tuple map keys converted to the key's widths, bool
// arrays, unroll counts from positional parameters, positional parameters as text, config(), probetype,
// usermode, signal_name(), str() truncation, let scopes, uaddr(), macaddr(), record literals, and the compile-time
// checks that go with them.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, bpfkit, prepare, skipReason, type Tools } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping language end-to-end tests: ${skip}`);

describe.skipIf(skip !== false)('language features end to end', () => {
  let tools: Tools;
  beforeAll(async () => {
    tools = await prepare();
  });
  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  const run = (program: string, ...params: string[]) => bpfkit(tools, ['-q', '-e', program, ...params]);

  it('finds needles computed at run time with strcontains, each string ending at its NUL', () => {
    const r = run(
      'begin { $n = "wo\\0rld"; $h = "hello\\0world"; $a = "bar"; $e = ""; ' +
        'print((strcontains("hello world", $n), strcontains($h, $n), strcontains("foo", $a), strcontains("foobar", $a), strcontains("", $a), strcontains("abc", $e), strcontains($h, "o\\0x"))); exit(); }',
    );
    expect(r.stdout).toBe('(true, false, false, true, false, true, true)\n\n\n');
  });

  it('compares buffers by length and bytes, and picks values with ternaries and if-expressions', () => {
    const r = run(
      'begin { $a = buf("hi", 2); $b = buf("bye", 3); printf("equal=%d, unequal=%d\\n", $a == $a, $a != $b); ' +
        'nsecs ? printf("yes\\n") : printf("no\\n"); $c = nsecs ? buf("hi", 2) : buf("bye", 3); print($c); ' +
        'let $x = 1; let $y = 0; print(if ($x) { if ($y) { 10 } else { 20 } } else { 30 }); exit(); }',
    );
    expect(r.stdout).toBe('equal=1, unequal=1\nyes\nhi\n20\n\n\n');
  });

  it('indexes tuples with constant expressions and converts tuple keys to the key\'s widths', () => {
    const r = run(
      'begin { $t = (1, "two", 3); print($t[1 + 1]); print($t[1]); @a[(int16)-1, ((int32)-2, 3)] = 10; $c = ((int8)-4, ((int16)-5, -6)); @a[$c] = 12; ' +
        '@b = (bool[2])(uint16)1; exit(); }',
    );
    expect(r.stdout).toBe('3\ntwo\n\n\n@a[-1, (-2, 3)]: 10\n@a[-4, (-5, -6)]: 12\n@b: [true,false]\n');
  });

  it('unrolls a positional parameter\'s count of times and warns about statements after exit()', () => {
    const r = bpfkit(tools, ['-e', 'begin { $a = 1; unroll ($1) { $a = $a + 1; } printf("a=%d\\n", $a); exit(); @x = 1; }', '10']);
    expect(r.stdout).toBe(
      'stdin:1:76-82: WARNING: Unreachable statement\n' +
        'begin { $a = 1; unroll ($1) { $a = $a + 1; } printf("a=%d\\n", $a); exit(); @x = 1; }\n' +
        '                                                                           ~~~~~~\n' +
        'a=11\n\n\n',
    );
  });

  it('reads positional parameters as text and in every base, config values, probetype, usermode and signal names', () => {
    const r = run(
      'begin { printf("-%s- %d %o 0x%x %s\\n", str($1), $1, $2, $3, str($4 + 1)); $x = str($4, 3); print($x); ' +
        'printf("%d %s %d %s %d\\n", config().max_strlen == __builtin_config.max_strlen, probetype, usermode, signal_name(2), __builtin_probetype == probetype()); ' +
        'print((signal_name(0), signal_name(1024), strerror(EPERM))); exit(); }',
      '123',
      '0775',
      '0x123',
      'hello',
    );
    expect(r.stdout).toBe('-123- 123 775 0x123 ello\nhe\n1 special 1 Interrupt 1\n(Unknown signal 0, N/A, Operation not permitted)\n\n\n');
  });

  // The workload opens with flags 0; the dynamic loader's own opens have O_CLOEXEC.
  it('reads max_strlen + 1 bytes so that a string that filled them prints with the trailer', () => {
    const r = bpfkit(tools, ['-q', '-e', 'tracepoint:syscalls:sys_enter_openat /pid == cpid && args.flags == 0/ { printf("P: %s\\n", str(args.filename)); exit(); }', '-c', `${tools.workload} open /tmp/abcdefgh 1`], {
      env: { BPFTRACE_MAX_STRLEN: '5' },
    });
    expect(r.stdout.split('\n')).toContain('P: /tmp/..');
  });

  it('scopes let-declared variables to their block, and aggregates a block\'s value', () => {
    const r = run('begin { $x = 1; if (1) { let $x = 2; print($x); } print($x); let $y; if (0) { $y = 3; } print($y); @ = { let $a = 100; avg($a) }; exit(); }');
    expect(r.stdout).toBe('2\n1\n0\n\n\n@: 100\n');
  });

  it('keys maps by a cast\'s own width and sign, and expands value macros where literals must stand', () => {
    const r = run('macro fmt() { "%d\\n" } begin { $x = 0xffffff9c; @[(int32)$x] = 1; @b[(uint8)-1] = 2; printf(fmt(), (int8)300); exit(); }');
    expect(r.stdout).toBe('44\n\n\n@[-100]: 1\n@b[255]: 2\n');
  });

  it('reads a non-PIE program\'s globals through uaddr()', () => {
    const bin = join(tools.dir, 'globals');
    const cc = spawnSync('gcc', ['-O0', '-no-pie', '-o', bin, join(ROOT, 'test/fixtures/runtime/globals.c')], { encoding: 'utf8' });
    expect(cc.status).toBe(0);
    const r = bpfkit(tools, ['-q', '-e', `uprobe:${bin}:read_globals { printf("0x%x -- 0x%x\\n", *uaddr("GLOBAL_A"), *uaddr("GLOBAL_C")); exit(); }`, '-c', bin]);
    expect(r.stdout).toBe('0x55555555 -- 0x33333333\n\n\n');
  });

  it('prints MAC addresses from traced memory in printf, map keys and values', () => {
    const bin = join(tools.dir, 'macaddr');
    const cc = spawnSync('gcc', ['-O0', '-o', bin, join(ROOT, 'test/fixtures/runtime/macaddr.c')], { encoding: 'utf8' });
    expect(cc.status).toBe(0);
    const r = bpfkit(tools, [
      '-q',
      '-e',
      `struct MyStruct { const char* ignore; char mac[6]; }; u:${bin}:func { $s = ((struct MyStruct *)arg0); printf("P: %s\\n", macaddr($s.mac)); @[macaddr($s.mac)] = 1; @v[1] = macaddr($s.mac); exit(); }`,
      '-c',
      bin,
    ]);
    expect(r.stdout).toBe('P: 05:04:03:02:01:02\n\n\n@[05:04:03:02:01:02]: 1\n@v[1]: 05:04:03:02:01:02\n');
  });

  it('evaluates a record literal\'s fields as written, stores them by name, and reads a tuple back through its address', () => {
    const r = run('begin { $a = (foo={ printf("hello"); 1 }, bar={ printf("world"); 2 }); $a = (bar={ printf("hello"); 1 }, foo={ printf("world\\n"); 2 }); print($a); $t = (1, "hello", 2); print(*(&$t)); exit(); }');
    expect(r.stdout).toBe('helloworldhelloworld\n{ .foo = 2, .bar = 1 }\n(1, hello, 2)\n\n\n');
  });

  it('refuses len() of a map without keys, write_user() without --unsafe and a tuple index that is not constant', () => {
    const r = run('begin { @ = 0; printf("%d\\n", len(@)); }');
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([1, 'stdin:1:31-37: ERROR: call to len() expects a map with explicit keys (non-scalar map)']);
    const w = run('tracepoint:syscalls:sys_enter_openat { write_user(args.filename, "x", 1); }');
    expect([w.code, w.stderr.split('\n')[0]]).toEqual([1, 'stdin:1:40-73: ERROR: write_user() is unsafe. To use you need the --unsafe flag']);
    const t = run('begin { $t = (1, 2); $i = 1; print($t[$i]); }');
    expect([t.code, t.stderr.split('\n')[0]]).toEqual([1, 'stdin:1:39-41: ERROR: Tuple index must be a constant integer expression']);
  });

  it('reads execve\'s argv as pointers to user strings, indexed and through pointer arithmetic', () => {
    const r = bpfkit(tools, ['-q', '-e', 'tracepoint:syscalls:sys_enter_execve /pid == cpid/ { printf("%s|%s|%s\\n", str(args.argv[1]), str(*(args.argv + 2)), str(args.filename)); }', '-c', '/bin/echo first-arg second-arg']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('first-arg second-arg\nfirst-arg|second-arg|/bin/echo\n\n\n');
  });
});
