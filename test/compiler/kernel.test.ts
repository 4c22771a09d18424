// Compiled scripts run in the real kernel: each test compiles a script, loads and attaches it, makes its own
// system calls (getpgid with values it chooses, filtered by this process's pid) and checks what the programs
// computed in their maps and ring-buffer records.
import { afterEach, describe, expect, it } from 'vitest';
import { openSync, closeSync } from 'node:fs';
import koffi from 'koffi';
import { histBucketIndex, lhistBucketIndex } from '../../src/runtime/value/index.js';
import { structLayout, type CompiledArtifact } from '../../src/lang/index.js';
import { compileOk, getpgid, getpid, load, sumPerCpu, u64Key, type Loaded } from './harness.js';

const PID = process.pid;
// Values no real process id reaches, so that only this test's calls match `args->pid >= BASE`.
const BASE = 0x3fff0000;
let loaded: Loaded | undefined;

afterEach(() => {
  loaded?.close();
  loaded = undefined;
});

function run(source: string, work: () => void, options: Parameters<typeof compileOk>[1] = {}): Loaded {
  const art = compileOk(source.replaceAll('PID', String(PID)).replaceAll('BASE', String(BASE)), options);
  loaded = load(art);
  loaded.fire('begin');
  work();
  return loaded;
}

function perCpu(l: Loaded, map: string, key: Uint8Array): Uint8Array[] {
  return l.maps.get(map)!.lookupPerCpu(key) ?? [];
}

/** A keyless map's key: u32 0 for the per-CPU arrays of keyless aggregations, else u64 0. */
function zeroKey(l: Loaded, map: string): Uint8Array {
  return new Uint8Array(l.maps.get(map)!.spec.keySize);
}

function scalar(l: Loaded, map: string, key: Uint8Array = zeroKey(l, map)): bigint {
  const m = l.maps.get(map)!;
  if (m.isPerCpu) return sumPerCpu(perCpu(l, map, key));
  const v = m.lookup(key);
  if (v === undefined) return -1n;
  const d = new DataView(v.buffer, v.byteOffset);
  return v.length >= 8 ? d.getBigInt64(0, true) : v.length >= 4 ? BigInt(d.getInt32(0, true)) : BigInt(v[0]!);
}

function text(bytes: Uint8Array, off: number, size: number): string {
  const s = Buffer.from(bytes.subarray(off, off + size));
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? s.length : nul).toString();
}

function event(art: CompiledArtifact, rec: { id: number; bytes: Uint8Array }, i: number): bigint {
  const f = art.events[rec.id]!.args[i]!;
  return new DataView(rec.bytes.buffer, rec.bytes.byteOffset).getBigInt64(f.offset, true);
}

const calls = (values: number[]) => () => values.forEach((v) => getpgid(v));
const FILTER = '/pid == PID && args->pid >= BASE/';

describe('begin and events', () => {
  it('prints and exits from BEGIN: a printf record then an exit record', () => {
    const l = run('BEGIN { printf("hello %d\\n", 5); exit(); }', () => {});
    const recs = l.drain();
    expect(recs.map((r) => l.artifact.events[r.id]!.kind)).toEqual(['printf', 'exit']);
    expect(event(l.artifact, recs[0]!, 0)).toBe(5n);
    expect(event(l.artifact, recs[1]!, 0)).toBe(0n);
  });

  it('exit() stops the probe and carries its code', () => {
    const l = run('BEGIN { exit(3); printf("not reached\\n"); }', () => {});
    const recs = l.drain();
    expect(recs.map((r) => l.artifact.events[r.id]!.kind)).toEqual(['exit']);
    expect(event(l.artifact, recs[0]!, 0)).toBe(3n);
  });

  it('lays out printf string and integer arguments as the artifact says', () => {
    const l = run(`tracepoint:syscalls:sys_enter_getpgid ${FILTER} { printf("%s %d %s\\n", comm, args->pid - BASE, "lit"); }`, calls([BASE + 7]));
    const recs = l.drain();
    expect(recs).toHaveLength(1);
    const ev = l.artifact.events[recs[0]!.id]!;
    expect(text(recs[0]!.bytes, ev.args[0]!.offset, 16)).toBe('node');
    expect(new DataView(recs[0]!.bytes.buffer).getBigInt64(ev.args[1]!.offset, true)).toBe(7n);
    expect(text(recs[0]!.bytes, ev.args[2]!.offset, 4)).toBe('lit');
  });
});

describe('aggregations', () => {
  it('counts by comm in a per-CPU hash', () => {
    const l = run(`tracepoint:syscalls:sys_enter_getpgid ${FILTER} { @[comm] = count(); }`, calls([BASE, BASE, BASE]));
    const key = new Uint8Array(16);
    key.set(Buffer.from('node'));
    expect(sumPerCpu(perCpu(l, '@', key))).toBe(3n);
  });

  it('computes count, sum, min, max, avg, stats as bpftrace stores them', () => {
    const vals = [BASE + 5, BASE + 1, BASE + 9];
    const l = run(
      `tracepoint:syscalls:sys_enter_getpgid ${FILTER} { $v = args->pid - BASE; @c = count(); @s = sum($v); @mn = min($v); @mx = max($v); @a = avg($v); @st = stats($v); @two = sum(2); }`,
      calls(vals),
    );
    expect(scalar(l, '@c')).toBe(3n);
    expect(scalar(l, '@s')).toBe(15n);
    expect(scalar(l, '@two')).toBe(6n);
    const slots = (m: string) => perCpu(l, m, zeroKey(l, m)).map((b) => {
      const d = new DataView(b.buffer, b.byteOffset);
      return [d.getBigInt64(0, true), d.getBigUint64(8, true)] as const;
    });
    const set = (m: string) => slots(m).filter(([, isSet]) => isSet !== 0n).map(([v]) => v);
    expect(Math.min(...set('@mn').map(Number))).toBe(1);
    expect(Math.max(...set('@mx').map(Number))).toBe(9);
    const total = slots('@a').reduce((a, [t]) => a + t, 0n);
    const count = slots('@a').reduce((a, [, c]) => a + c, 0n);
    expect([total, count]).toEqual([15n, 3n]);
    expect(slots('@st').reduce((a, [, c]) => a + c, 0n)).toBe(3n);
  });

  it('puts hist and lhist values in the buckets the runtime numbers', () => {
    const vals = [0, 1, 2, 3, 4, 7, 8, 100, 1000, 123456];
    const l = run(
      `tracepoint:syscalls:sys_enter_getpgid ${FILTER} { $v = args->pid - BASE; @h = hist($v); @h2 = hist($v, 2); @l = lhist($v, 0, 100, 10); }`,
      calls(vals.map((v) => BASE + v)),
    );
    const buckets = (m: string) => {
      const out = new Map<number, bigint>();
      for (const k of l.maps.get(m)!.keys()) {
        const b = Number(new DataView(k.buffer, k.byteOffset).getBigUint64(8, true));
        out.set(b, sumPerCpu(perCpu(l, m, k)));
      }
      return out;
    };
    const expected = (index: (v: number) => number) => {
      const out = new Map<number, bigint>();
      for (const v of vals) out.set(index(v), (out.get(index(v)) ?? 0n) + 1n);
      return out;
    };
    expect(buckets('@h')).toEqual(expected((v) => histBucketIndex(BigInt(v), 0)));
    expect(buckets('@h2')).toEqual(expected((v) => histBucketIndex(BigInt(v), 2)));
    expect(buckets('@l')).toEqual(expected((v) => lhistBucketIndex(BigInt(v), 0, 100, 10)));
  });
});

describe('language', () => {
  it('does signed and unsigned arithmetic as bpftrace', () => {
    const l = run(
      'BEGIN { @div = -7 / 2; @mod = -7 % 3; @shr = -16 >> 2; @ushr = (uint64)0xf0 >> 4; @mul = 6 * 7; @bits = (0xff & ~0x0f) | 0x100 ^ 1; @neg = -(3 - 5); @lt = (-1 < 1); @c8 = (uint8)0x1ff; @s8 = (int8)0xff; }',
      () => {},
    );
    expect(scalar(l, '@div')).toBe(-3n);
    expect(scalar(l, '@mod')).toBe(-1n);
    expect(scalar(l, '@shr')).toBe(-4n);
    expect(scalar(l, '@ushr')).toBe(0xfn);
    expect(scalar(l, '@mul')).toBe(42n);
    expect(scalar(l, '@bits')).toBe(BigInt((0xff & ~0x0f) | (0x100 ^ 1)));
    expect(scalar(l, '@neg')).toBe(2n);
    expect(scalar(l, '@lt') & 0xffn).toBe(1n);
    expect(scalar(l, '@c8') & 0xffn).toBe(0xffn);
  });

  it('runs if/else, ternary, while, for over a range, unroll, break and continue', () => {
    const l = run(
      `BEGIN {
        $i = 0; $sum = 0;
        while ($i < 10) { $i++; if ($i == 3) { continue; } if ($i > 8) { break; } $sum += $i; }
        @while = $sum;
        $t = 0; for ($j : 0..5) { $t = $t + $j; } @for = $t;
        $u = 1; unroll (4) { $u = $u * 2; } @unroll = $u;
        @tern = $sum > 100 ? 1 : 2;
        if ($sum == 33) { @branch = 1; } else if ($sum == 0) { @branch = 2; } else { @branch = 3; }
        @and = (1 && 0) + (0 || 5 > 2) * 10;
      }`,
      () => {},
    );
    expect(scalar(l, '@while')).toBe(BigInt(1 + 2 + 4 + 5 + 6 + 7 + 8));
    expect(scalar(l, '@for')).toBe(10n);
    expect(scalar(l, '@unroll')).toBe(16n);
    expect(scalar(l, '@tern')).toBe(2n);
    expect(scalar(l, '@branch')).toBe(1n);
    expect(scalar(l, '@and')).toBe(10n);
  });

  it('keys maps by several values and by tuples, with has_key and delete', () => {
    const l = run(
      `tracepoint:syscalls:sys_enter_getpgid ${FILTER} { $v = args->pid - BASE; @m[$v, "k"] = $v * 2; @seen[$v] = 1; if (has_key(@seen, 2)) { @had = 1; } delete(@seen, 1); }`,
      calls([BASE + 1, BASE + 2, BASE + 3]),
    );
    const keyTypes = l.artifact.maps.find((m) => m.name === '@m')!.user!.keyTypes;
    const layout = structLayout(keyTypes);
    const key = new Uint8Array(layout.size);
    new DataView(key.buffer).setBigInt64(layout.offsets[0]!, 3n, true);
    key[layout.offsets[1]!] = 'k'.charCodeAt(0);
    expect(scalar(l, '@m', key)).toBe(6n);
    expect(scalar(l, '@had')).toBe(1n);
    expect(l.maps.get('@seen')!.lookup(u64Key(1))).toBeUndefined();
    expect(l.maps.get('@seen')!.lookup(u64Key(3))).toBeDefined();
  });

  it('compares strings, stores them in variables and reads str() from user memory', () => {
    const path = `/tmp/bpfkit-compiler-${PID}-marker`;
    const l = run(
      `tracepoint:syscalls:sys_enter_openat /pid == PID/ { $f = str(args->filename); if ($f == "${path}") { @hits[$f] = count(); @isnode = comm == "node" ? 1 : 0; @ncmp = strncmp($f, "/tmp/bpfkit", 11); } }`,
      () => {
        try {
          closeSync(openSync(path, 'r'));
        } catch {
          // ENOENT is fine: the syscall was made.
        }
      },
    );
    const m = l.maps.get('@hits')!;
    const keys = [...m.keys()].map((k) => text(k, 0, k.length));
    expect(keys).toEqual([path]);
    expect(scalar(l, '@isnode')).toBe(1n);
    expect(scalar(l, '@ncmp')).toBe(0n);
  });

  it('folds positional parameters and $# into the program', () => {
    const l = run('BEGIN { @p = $1 + $2; @n = $#; }', () => {}, { positional: ['40', '2'] });
    expect(scalar(l, '@p')).toBe(42n);
    expect(scalar(l, '@n')).toBe(2n);
  });

  it('expands tracepoint wildcards, one program per match, with the probe builtin', () => {
    const l = run(`tracepoint:syscalls:sys_enter_getpgi* ${FILTER} { @[probe] = count(); }`, calls([BASE]));
    expect(l.artifact.probes.map((p) => p.probe)).toEqual(['tracepoint:syscalls:sys_enter_getpgid']);
    const [k] = [...l.maps.get('@')!.keys()];
    expect(text(k!, 0, k!.length)).toBe('tracepoint:syscalls:sys_enter_getpgid');
  });

  it('reads raw tracepoint arguments', () => {
    // sys_enter(struct pt_regs *regs, long id): id 121 is getpgid on x86-64.
    const l = run(`rawtracepoint:sys_enter /pid == PID && args.id == 121/ { @n = count(); }`, calls([BASE]));
    expect(scalar(l, '@n')).toBeGreaterThanOrEqual(1n);
  });
});

describe('more probes and patterns', () => {
  it('runs the issue slice: getpid with a pid predicate, count, sum and hist of the syscall number', () => {
    const l = run('tracepoint:syscalls:sys_enter_getpid /pid == PID/ { @c = count(); @s = sum(2); @h = hist(args->__syscall_nr); }', () => {
      for (let i = 0; i < 4; i++) getpid();
    });
    // Other threads of this process (test workers) call getpid too: stop counting before reading.
    l.detach();
    const c = scalar(l, '@c');
    expect(c).toBeGreaterThanOrEqual(4n);
    expect(scalar(l, '@s')).toBe(2n * c);
    const [k] = [...l.maps.get('@h')!.keys()];
    expect(Number(new DataView(k!.buffer, k!.byteOffset).getBigUint64(8, true))).toBe(histBucketIndex(39n, 0));
  });

  it('measures with a start map, reads it back and deletes the entry', () => {
    const l = run(
      `tracepoint:syscalls:sys_enter_getpgid ${FILTER} { @start[tid] = nsecs; @arg[tid] = args->pid - BASE; }
       tracepoint:syscalls:sys_exit_getpgid /@start[tid]/ { @lat = hist(nsecs - @start[tid]); @ret[@arg[tid]] = args->ret; delete(@start[tid]); delete(@arg[tid]); }`,
      calls([BASE + 1, BASE + 2]),
    );
    expect(l.maps.get('@start')!.readAll()).toEqual([]);
    let n = 0n;
    for (const k of l.maps.get('@lat')!.keys()) n += sumPerCpu(perCpu(l, '@lat', k));
    expect(n).toBe(2n);
    // getpgid of a pid that does not exist fails with ESRCH (3).
    expect(scalar(l, '@ret', u64Key(2))).toBe(-3n);
  });

  it('sends print, clear, zero and time requests as events', () => {
    const l = run('BEGIN { @x = count(); print(@x); print(@x, 5, 2); print(42); print(comm); clear(@x); zero(@x); time("%H\\n"); }', () => {});
    const recs = l.drain();
    const evs = recs.map((r) => l.artifact.events[r.id]!);
    expect(evs.map((e) => e.kind)).toEqual(['print_map', 'print_map', 'print_value', 'print_value', 'clear', 'zero', 'time']);
    expect([event(l.artifact, recs[1]!, 0), event(l.artifact, recs[1]!, 1)]).toEqual([5n, 2n]);
    expect(event(l.artifact, recs[2]!, 0)).toBe(42n);
    expect(text(recs[3]!.bytes, evs[3]!.args[0]!.offset, 16)).toBe('node');
  });

  it('counts page faults of this process with kernel stacks on a software event', () => {
    const l = run('software:page-faults:1 /pid == PID/ { @n = count(); @s[kstack] = count(); }', () => {
      const b = Buffer.alloc(8 << 20);
      for (let i = 0; i < b.length; i += 4096) b[i] = 1;
    });
    expect(scalar(l, '@n')).toBeGreaterThan(0n);
    const stacks = l.artifact.maps.filter((m) => m.name.startsWith('stack_k'));
    expect(stacks).toHaveLength(1);
    expect([...l.maps.get('@s')!.keys()].length).toBeGreaterThan(0);
  });

  it('fires interval probes', async () => {
    const l = run('interval:ms:10 { @ticks = count(); }', () => {});
    for (let i = 0; i < 200 && scalar(l, '@ticks') <= 0n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(scalar(l, '@ticks')).toBeGreaterThan(0n);
  });
});

describe('join', () => {
  it('reads an argv array from user memory into the join record', async () => {
    const { execFileSync } = await import('node:child_process');
    const l2 = run(`tracepoint:syscalls:sys_enter_execve { if (str(args.filename) == "/bin/echo") { join(args.argv, ","); } }`, () => {
      execFileSync('/bin/echo', ['alpha', 'beta', 'gamma']);
    });
    const recs = l2.drain().filter((r) => l2.artifact.events[r.id]!.kind === 'join');
    expect(recs.length).toBeGreaterThanOrEqual(1);
    const ev = l2.artifact.events[recs[0]!.id]!;
    const count = Number(new DataView(recs[0]!.bytes.buffer).getBigUint64(ev.args[0]!.offset, true));
    const strs = Array.from({ length: count }, (_, i) => text(recs[0]!.bytes, ev.args[1]!.offset + i * 1024, 1024));
    expect(strs).toEqual(['/bin/echo', 'alpha', 'beta', 'gamma']);
  });
});

describe('kernel structs from BTF', () => {
  it('reads curtask fields, nested fields and casts', () => {
    const l = run(
      `tracepoint:syscalls:sys_enter_getpgid ${FILTER} { @pid = curtask->tgid; @comm = curtask->comm; @ppid = curtask->real_parent->tgid; $t = (struct task_struct *)curtask; @same = $t->pid == tid; @prio = $t->se.load.weight > 0; }`,
      calls([BASE]),
    );
    expect(scalar(l, '@pid')).toBe(BigInt(PID));
    const c = l.maps.get('@comm')!.lookup(u64Key(0))!;
    expect(text(c, 0, 16)).toBe('node');
    expect(scalar(l, '@ppid')).toBe(BigInt(process.ppid));
    expect(scalar(l, '@same')).toBe(1n);
    expect(scalar(l, '@prio')).toBe(1n);
  });

  it('types raw tracepoint arguments from BTF and follows their pointers', () => {
    const l = run(`rawtracepoint:sched_switch /args.prev->tgid == PID/ { @switched = count(); @c = args.prev->comm; }`, () => {
      const end = Date.now() + 50;
      while (Date.now() < end) getpgid(BASE);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    });
    expect(scalar(l, '@switched')).toBeGreaterThan(0n);
  });
});

describe('uprobes', () => {
  it('reads arguments and the return value of a libc function this process calls', () => {
    const libc = '/lib/x86_64-linux-gnu/libc.so.6';
    const l = run(
      `uprobe:${libc}:getpgid /pid == PID && arg0 >= BASE/ { @arg = arg0 - BASE; @calls = count(); }
       uretprobe:${libc}:getpgid /pid == PID/ { @ret = (int32)retval; }`,
      calls([BASE + 9]),
    );
    expect(scalar(l, '@arg')).toBe(9n);
    expect(scalar(l, '@calls')).toBe(1n);
    expect(scalar(l, '@ret')).toBe(-1n);
  });
});

describe('for loops over maps', () => {
  it('visits every element with its key and value and reaches outer variables', () => {
    const l = run(
      `BEGIN { @m[1] = 10; @m[2] = 20; @m[3] = 30; @s["a", 2] = 5; @c[7] = count(); @c[7] = count();
         $total = 0; $keys = 0;
         for ($kv : @m) { $total += $kv.1; $keys += $kv.0; if ($kv.0 == 2) { @two = $kv.1; } }
         @total = $total; @keys = $keys;
         for ($kv : @s) { @skey = $kv.0.1; @sval = $kv.1; }
         for ($kv : @c) { @cnt = $kv.1; }
         $n = 0; for ($kv : @m) { $n++; if ($n == 2) { break; } } @stopped = $n; }`,
      () => {},
    );
    expect(scalar(l, '@total')).toBe(60n);
    expect(scalar(l, '@keys')).toBe(6n);
    expect(scalar(l, '@two')).toBe(20n);
    expect(scalar(l, '@skey')).toBe(2n);
    expect(scalar(l, '@sval')).toBe(5n);
    expect(scalar(l, '@cnt')).toBe(2n);
    expect(scalar(l, '@stopped')).toBe(2n);
  });
});

describe('strings, signals and aggregation reads', () => {
  it('finds substrings with strcontains', () => {
    const l = run('BEGIN { $s = "hello world"; @a = strcontains($s, "o w"); @b = strcontains($s, "wox"); @c = strcontains(comm, "od"); @d = strcontains($s, ""); }', () => {});
    expect([scalar(l, '@a'), scalar(l, '@b'), scalar(l, '@c'), scalar(l, '@d')]).toEqual([1n, 0n, 1n, 1n]);
  });

  it('reads count and sum maps as their total over all CPUs', () => {
    const l = run(`tracepoint:syscalls:sys_enter_getpgid ${FILTER} { @n = count(); @s = sum(3); @seen = @n; @tot = @s + 1; }`, calls([BASE, BASE, BASE]));
    expect(scalar(l, '@seen')).toBe(3n);
    expect(scalar(l, '@tot')).toBe(10n);
  });

  it('loads 64-bit constants and folds $1 strings', () => {
    const l = run('BEGIN { @big = 0x123456789abc; @neg = -0x100000000; @s = $1 == "abc"; }', () => {}, { positional: ['abc'] });
    expect(scalar(l, '@big')).toBe(0x123456789abcn);
    expect(scalar(l, '@neg')).toBe(-0x100000000n);
    expect(scalar(l, '@s')).toBe(1n);
  });

  it('sends a signal to the current task with --unsafe', async () => {
    let got = 0;
    const onSignal = () => got++;
    process.on('SIGUSR2', onSignal);
    try {
      run(`tracepoint:syscalls:sys_enter_getpgid ${FILTER} { signal("SIGUSR2"); }`, calls([BASE]), { unsafe: true });
      for (let i = 0; i < 100 && got === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(got).toBe(1);
    } finally {
      process.off('SIGUSR2', onSignal);
    }
  });
});

describe('kprobe programs', () => {
  it('compiles kprobe and kretprobe programs the verifier accepts (attaching needs CONFIG_KPROBES)', () => {
    const art = compileOk('kprobe:do_sys_openat2 { @[comm] = count(); @f[arg1] = 1; } kretprobe:do_sys_openat2 { @r = hist(retval); }');
    loaded = load(art, { attach: false });
    expect(loaded.programs).toHaveLength(2);
    expect(art.probes.map((p) => p.probe)).toEqual(['kprobe:do_sys_openat2', 'kretprobe:do_sys_openat2']);
  });
});

describe('constants', () => {
  it('resolves #define and kernel enum names and sizeof', () => {
    const l = run(
      `#define MY_VALUE 42
       #define OTHER (MY_VALUE)
       BEGIN { @d = OTHER; @e = BPF_MAP_TYPE_RINGBUF; @s = sizeof(uint32); @t = sizeof(struct task_struct) > 1000; @v = sizeof(comm); }`,
      () => {},
    );
    expect(scalar(l, '@d')).toBe(42n);
    expect(scalar(l, '@e')).toBe(27n);
    expect(scalar(l, '@s')).toBe(4n);
    expect(scalar(l, '@t')).toBe(1n);
    expect(scalar(l, '@v')).toBe(16n);
  });
});

describe('macros and standard-library functions', () => {
  it('expands user macros with expression, variable and map parameters', () => {
    const l = run(
      `macro one() { 1 }
       macro add_one(x) { x + 1 }
       macro bump($a, @b) { $a += 1; @b += 1; }
       macro twice(x) { add_one(x) + add_one(x) }
       BEGIN { $a = 10; @b = 5; bump($a, @b); @sum = $a + @b; @one = one; @call = one(); @t = twice(2); }`,
      () => {},
    );
    expect(scalar(l, '@sum')).toBe(17n);
    expect(scalar(l, '@one')).toBe(1n);
    expect(scalar(l, '@call')).toBe(1n);
    expect(scalar(l, '@t')).toBe(6n);
  });

  it('has ppid, comm(), strlen, string indexing, script enums and offsetof', () => {
    const l = run(
      `enum Color { RED = 3, GREEN, BLUE = 10 };
       tracepoint:syscalls:sys_enter_getpgid ${FILTER} { @ppid = ppid; @len = strlen(comm()); @c0 = comm[0]; @c9 = comm[9];
         @green = GREEN; @blue = BLUE; @off = offsetof(struct task_struct, pid) > 0; @user = username; }`,
      calls([BASE]),
    );
    expect(scalar(l, '@ppid')).toBe(BigInt(process.ppid));
    expect(scalar(l, '@len')).toBe(4n);
    expect(scalar(l, '@c0')).toBe(BigInt('n'.charCodeAt(0)));
    expect(scalar(l, '@c9')).toBe(0n);
    expect([scalar(l, '@green'), scalar(l, '@blue'), scalar(l, '@off')]).toEqual([4n, 10n, 1n]);
    expect(scalar(l, '@user')).toBe(BigInt(process.getuid!()));
  });

  it('builds ntop and buf values in their wire layout', () => {
    const l = run('BEGIN { @v4 = ntop(0x0100007f); @v6 = ntop(10, comm); @b = buf(comm, 3); }', () => {});
    const v4 = l.maps.get('@v4')!.lookup(u64Key(0))!;
    const d = new DataView(v4.buffer, v4.byteOffset);
    expect(d.getBigUint64(0, true)).toBe(2n);
    expect([...v4.subarray(8, 12)]).toEqual([127, 0, 0, 1]);
    const v6 = l.maps.get('@v6')!.lookup(u64Key(0))!;
    expect(new DataView(v6.buffer, v6.byteOffset).getBigUint64(0, true)).toBe(10n);
    expect(text(v6, 8, 16)).toBe('node');
    const b = l.maps.get('@b')!.lookup(u64Key(0))!;
    expect(new DataView(b.buffer, b.byteOffset).getUint32(0, true)).toBe(3);
    expect(Buffer.from(b.subarray(4, 7)).toString()).toBe('nod');
  });
});

describe('len', () => {
  it('counts the elements of a map in the kernel', () => {
    const l = run('BEGIN { @m[1] = 1; @m[2] = 2; @m[7] = 3; @n = len(@m); delete(@m, 2); @after = len(@m); }', () => {});
    expect(scalar(l, '@n')).toBe(3n);
    expect(scalar(l, '@after')).toBe(2n);
  });
});

describe('reading aggregations', () => {
  it('merges min, max and avg over CPUs when a probe reads them', () => {
    const l = run(
      `tracepoint:syscalls:sys_enter_getpgid ${FILTER} { $v = (int64)(args->pid - BASE) - 5; @mn = min($v); @mx = max($v); @a = avg($v); @rmn = @mn; @rmx = @mx; @ra = @a; }`,
      calls([BASE + 1, BASE + 9, BASE + 5]),
    );
    expect([scalar(l, '@rmn'), scalar(l, '@rmx'), scalar(l, '@ra')]).toEqual([-4n, 4n, 0n]);
  });
});

describe('structs declared in the script', () => {
  it('reads fields through a cast to a script struct, with C layout', () => {
    const l = run(
      `struct rec { unsigned short type; unsigned char flags; unsigned char preempt; int pid; int nr; long arg; };
       tracepoint:syscalls:sys_enter_getpgid ${FILTER} { $r = (struct rec *)ctx; @arg = $r->arg - BASE; @nr = $r->nr; @off = offsetof(struct rec, arg); @size = sizeof(struct rec); }`,
      calls([BASE + 11]),
    );
    expect(scalar(l, '@arg')).toBe(11n);
    // __syscall_nr: getpgid is 121 on x86-64.
    expect(scalar(l, '@nr')).toBe(121n);
    expect([scalar(l, '@off'), scalar(l, '@size')]).toEqual([16n, 24n]);
  });
});

describe('tseries', () => {
  it('writes the current interval slot with its epoch and aggregates within it', () => {
    const l = run('BEGIN { @t = tseries(5, 1s, 10); @s = tseries(3, 1000s, 4, "sum"); @s = tseries(4, 1000s, 4, "sum"); @m = tseries(9, 1000s, 4, "max"); @m = tseries(2, 1000s, 4, "max"); }', () => {});
    const slots = (m: string) => {
      const out: { bucket: bigint; value: bigint; meta: bigint; epoch: bigint }[] = [];
      for (const k of l.maps.get(m)!.keys()) {
        const bucket = new DataView(k.buffer, k.byteOffset).getBigUint64(8, true);
        for (const v of perCpu(l, m, k)) {
          const d = new DataView(v.buffer, v.byteOffset);
          if (d.getBigUint64(16, true) !== 0n) out.push({ bucket, value: d.getBigInt64(0, true), meta: d.getBigUint64(8, true), epoch: d.getBigUint64(16, true) });
        }
      }
      return out;
    };
    const [t] = slots('@t');
    expect(t!.value).toBe(5n);
    expect(t!.bucket).toBe(t!.epoch % 10n);
    // CLOCK_TAI is UTC plus the TAI offset (37 s when NTP has set it, else 0); the epoch is whole seconds of it.
    expect(Number(t!.epoch) - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(-1);
    expect(Number(t!.epoch) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(40);
    expect(slots('@s').map((s) => s.value)).toEqual([7n]);
    expect(slots('@m').map((s) => [s.value, s.meta])).toEqual([[9n, 1n]]);
  });
});

describe('uprobe strings', () => {
  it('reads a string argument of a libc function from user memory', () => {
    const libc = '/lib/x86_64-linux-gnu/libc.so.6';
    const path = `/tmp/bpfkit-uprobe-${PID}`;
    const l = run(`uprobe:${libc}:access /pid == PID/ { if (strcontains(str(arg0), "bpfkit-uprobe")) { @p = str(arg0); @mode = arg1; } }`, () => {
      koffi.load(libc).func('int access(const char *path, int mode)')(path, 4);
    });
    const v = l.maps.get('@p')!.lookup(u64Key(0))!;
    expect(text(v, 0, v.length)).toBe(path);
    expect(scalar(l, '@mode')).toBe(4n);
  });
});

describe('struct values', () => {
  it('copies a struct read through a pointer into a record, field by field', () => {
    const l = run(
      `struct rec { unsigned short type; unsigned char flags; unsigned char preempt; int pid; int nr; long arg; };
       tracepoint:syscalls:sys_enter_getpgid ${FILTER} { $r = *((struct rec *)ctx); @nr = $r.nr; @arg = $r.arg - BASE; @v = *((struct rec *)ctx); }`,
      calls([BASE + 3]),
    );
    expect(scalar(l, '@nr')).toBe(121n);
    expect(scalar(l, '@arg')).toBe(3n);
    const def = l.artifact.maps.find((m) => m.name === '@v')!;
    const rec = def.user!.valueType;
    if (rec.kind !== 'record') throw new Error(`@v is a ${rec.kind}, not a record`);
    const v = l.maps.get('@v')!.lookup(u64Key(0))!;
    const layout = structLayout(rec.fields.map((f) => f.type));
    const nrAt = layout.offsets[rec.fields.findIndex((f) => f.name === 'nr')]!;
    expect(new DataView(v.buffer, v.byteOffset).getInt32(nrAt, true)).toBe(121);
  });
});

describe('cgroups', () => {
  it('matches cgroup against cgroupid() of this process cgroup', async () => {
    const { readFileSync, statSync } = await import('node:fs');
    const rel = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').find((l) => l.startsWith('0::'))!.slice(3);
    const dir = `/sys/fs/cgroup${rel}`;
    const l = run(`tracepoint:syscalls:sys_enter_getpgid ${FILTER} { @same = cgroup == cgroupid("${dir}"); @id = cgroupid("${dir}"); }`, calls([BASE]));
    expect(scalar(l, '@id')).toBe(BigInt.asIntN(64, statSync(dir, { bigint: true }).ino));
    expect(scalar(l, '@same')).toBe(1n);
  });
});

describe('args as a value', () => {
  it('copies every tracepoint field into a record for print(args)', () => {
    const l = run(`tracepoint:syscalls:sys_enter_getpgid ${FILTER} { print(args); @a = args; }`, calls([BASE + 6]));
    const recs = l.drain();
    expect(recs.map((r) => l.artifact.events[r.id]!.kind)).toEqual(['print_value']);
    const rec = l.artifact.events[recs[0]!.id]!.args[0]!;
    if (rec.type.kind !== 'record') throw new Error(`args is a ${rec.type.kind}`);
    const layout = structLayout(rec.type.fields.map((f) => f.type));
    const i = rec.type.fields.findIndex((f) => f.name === 'pid');
    expect(new DataView(recs[0]!.bytes.buffer).getBigUint64(rec.offset + layout.offsets[i]!, true)).toBe(BigInt(BASE + 6));
    const j = rec.type.fields.findIndex((f) => f.name === '__syscall_nr');
    expect(new DataView(recs[0]!.bytes.buffer).getInt32(rec.offset + layout.offsets[j]!, true)).toBe(121);
  });
});

describe('usdt', () => {
  it('reads USDT arguments where the note says they are', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { gcc, startWorkload } = await import('../support/kernel-testkit.js');
    const dir = mkdtempSync(join(tmpdir(), 'bpfkit-compiler-usdt-'));
    try {
      const binary = join(dir, 'usdt');
      gcc(['-O2', '-o', binary, join(import.meta.dirname, '../fixtures/uprobe/usdt.c')]);
      const w = await startWorkload(binary, ['6']);
      const l = run(`usdt:${binary}:bpfkit:tick /pid == ${w.pid}/ { @n = count(); @sum = sum(arg0); @last = arg0; }`, () => {});
      const out = await w.go();
      expect(out).toBe('fired 6\n');
      expect(scalar(l, '@n')).toBe(6n);
      expect(scalar(l, '@sum')).toBe(5n * (0n + 1n + 2n + 3n + 4n + 5n));
      expect(scalar(l, '@last')).toBe(25n);
      expect(l.artifact.probes[0]!.probe).toBe(`usdt:${binary}:bpfkit:tick`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
