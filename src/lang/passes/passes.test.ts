// Kernel-free tests of the semantic passes: a fake tracepoint catalogue, errors with bpftrace's wording and
// source ranges, probe expansion, types of maps and variables, and resource layouts.
import { describe, expect, it } from 'vitest';
import { parseEventFormat } from '../../tracefs/index.js';
import { compile } from '../compile.js';
import { formatDiagnostics } from '../diagnostics.js';
import { typeName } from '../types.js';
import { MapType } from '../../sys/uapi.js';
import type { TracepointCatalog } from './context.js';

const FORMATS: Record<string, string> = {
  'syscalls:sys_enter_openat': `name: sys_enter_openat
ID: 700
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;
\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;
\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;
\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;
`,
  'syscalls:sys_enter_open': `name: sys_enter_open
ID: 701
format:
\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;
\tfield:const char * filename;\toffset:16;\tsize:8;\tsigned:0;
`,
  'syscalls:sys_exit_openat': `name: sys_exit_openat
ID: 702
format:
\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;
\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;
`,
  'sched:sched_switch': `name: sched_switch
ID: 800
format:
\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:__data_loc char[] name;\toffset:28;\tsize:4;\tsigned:0;
`,
};

const fake: TracepointCatalog = {
  categories: () => [...new Set(Object.keys(FORMATS).map((k) => k.split(':')[0]!))].sort(),
  events: (c) => Object.keys(FORMATS).filter((k) => k.startsWith(`${c}:`)).map((k) => k.split(':')[1]!).sort(),
  format: (c, n) => parseEventFormat(FORMATS[`${c}:${n}`]!),
};

function check(source: string, options: Parameters<typeof compile>[2] = {}) {
  return compile(source, 'stdin', { tracepoints: fake, btf: () => undefined, cpus: 2, stopAfter: 'resources', ...options });
}

function errors(source: string): string {
  return formatDiagnostics(check(source).diagnostics);
}

describe('probe expansion', () => {
  it('expands wildcards against the catalogue in its order', () => {
    const r = check('tracepoint:syscalls:sys_enter_open* { @[probe] = count(); }');
    expect(r.diagnostics.ok).toBe(true);
    expect(r.context!.probes.map((p) => p.name)).toEqual(['tracepoint:syscalls:sys_enter_open', 'tracepoint:syscalls:sys_enter_openat']);
  });

  it('expands category wildcards and short provider names', () => {
    const r = check('t:*:sys_exit_* {}');
    expect(r.context!.probes.map((p) => p.name)).toEqual(['tracepoint:syscalls:sys_exit_openat']);
  });

  it('reports an unknown tracepoint with near names as a hint', () => {
    expect(errors('tracepoint:syscalls:sys_enter_opena {}')).toBe(
      'stdin:1:1-36: ERROR: No matches for tracepoint syscalls:sys_enter_opena.\n' +
        'tracepoint:syscalls:sys_enter_opena {}\n' +
        '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n' +
        'HINT: Did you mean: tracepoint:syscalls:sys_enter_open, tracepoint:syscalls:sys_enter_openat?\n',
    );
  });

  it('skips missing tracepoints with a warning when config says missing_probes = warn', () => {
    const r = check('config = { missing_probes = warn } tracepoint:syscalls:nope, tracepoint:syscalls:sys_enter_open {}');
    expect(r.diagnostics.ok).toBe(true);
    expect(r.diagnostics.warnings.map((w) => w.message)).toEqual(['No matches for tracepoint syscalls:nope. Skipping.']);
    expect(r.context!.probes.map((p) => p.name)).toEqual(['tracepoint:syscalls:sys_enter_open']);
  });

  it('accepts interval, profile, software and hardware probes and names them', () => {
    const r = check('interval:s:1 {} profile:hz:99 {} software:cpu-clock:1000 {} hardware:cycles {} interval:ms:100 {}');
    expect(r.diagnostics.ok).toBe(true);
    expect(r.context!.probes.map((p) => p.target)).toEqual([
      { kind: 'interval', unit: 's', value: 1, periodNs: 1e9, hz: undefined },
      { kind: 'profile', unit: 'hz', value: 99, periodNs: undefined, hz: 99 },
      { kind: 'software', event: 'cpu-clock', count: 1000 },
      { kind: 'hardware', event: 'cycles', count: undefined },
      { kind: 'interval', unit: 'ms', value: 100, periodNs: 1e8, hz: undefined },
    ]);
  });

  it('rejects bad units and unknown software events', () => {
    expect(errors('interval:parsec:1 {}')).toContain('ERROR: parsec is not an accepted unit of time');
    expect(errors('software:nope {}')).toContain('ERROR: nope is not a software probe');
  });

  it('substitutes positional parameters in attach points', () => {
    const r = check('interval:ms:$1 {}', { positional: ['250'] });
    expect(r.context!.probes[0]!.name).toBe('interval:ms:250');
  });
});

describe('types', () => {
  it('types tracepoint args from the format file', () => {
    const r = check('tracepoint:syscalls:sys_enter_openat { @f = args->flags; @s[str(args->filename)] = 1; } tracepoint:sched:sched_switch { @c = args->prev_comm; @n = args.name; @p = args.prev_pid; }');
    expect(r.diagnostics.ok).toBe(true);
    const v = r.context!.types.mapValues;
    expect(typeName(v.get('@f')!)).toBe('uint64');
    expect(typeName(v.get('@c')!)).toBe('string[16]');
    expect(typeName(v.get('@n')!)).toBe('string[1024]');
    expect(typeName(v.get('@p')!)).toBe('int32');
    expect(r.context!.types.mapKeys.get('@s')!.map(typeName)).toEqual(['string[1024]']);
  });

  it('settles map types across probes and promotes integers and strings', () => {
    const r = check('BEGIN { @x = (uint8)1; @k["ab"] = 1; } END { @x = (int32)-1; @k["abcdef"] = 2; }');
    expect(r.diagnostics.ok).toBe(true);
    expect(typeName(r.context!.types.mapValues.get('@x')!)).toBe('int32');
    expect(r.context!.types.mapKeys.get('@k')!.map(typeName)).toEqual(['string[7]']);
  });

  it('gives builtins bpftrace types', () => {
    const r = check('BEGIN { @a = pid; @b = nsecs; @c = comm; @d = cpu; @e = (pid, comm); @f = uid; @g = elapsed; }');
    const v = r.context!.types.mapValues;
    expect(['@a', '@b', '@c', '@d', '@e', '@f', '@g'].map((m) => typeName(v.get(m)!))).toEqual([
      'uint32', 'uint64', 'string[16]', 'uint32', '(uint32,string[16])', 'uint32', 'uint64',
    ]);
  });

  it('reports mismatched assignments with both types', () => {
    expect(errors('BEGIN { @x = 1; @x = "str"; }')).toBe(
      "stdin:1:17-27: ERROR: Type mismatch for @x: trying to assign value of type 'string[4]' when map already has a type 'int64'\n" +
        'BEGIN { @x = 1; @x = "str"; }\n' +
        '                ~~~~~~~~~~\n',
    );
    expect(errors('BEGIN { $x = 1; $x = "a"; }')).toContain("ERROR: Type mismatch for $x: trying to assign value of type 'string[2]' when variable already has a type 'int64'");
  });

  it('reports map key mismatches and mixed aggregations', () => {
    expect(errors('BEGIN { @m[1] = 2; @m["a"] = 3; }')).toContain("ERROR: Argument mismatch for @m: trying to access with arguments: 'string[2]' when map expects arguments: 'int64'");
    expect(errors('BEGIN { @q = count(); @q = sum(1); }')).toContain("ERROR: Type mismatch for @q: trying to assign value of type 'sum_t' when map already has a type 'count_t'");
  });

  it('checks printf arguments against the format', () => {
    expect(errors('BEGIN { printf("%d %s\\n", 1); }')).toContain('ERROR: printf: not enough arguments for format string (1 supplied, 2 expected)');
    expect(errors('BEGIN { printf("%d\\n", 1, 2); }')).toContain('ERROR: printf: too many arguments for format string (2 supplied, 1 expected)');
    expect(errors('BEGIN { printf("%d\\n", comm); }')).toContain("ERROR: printf: unsupported format specifier for type 'string[16]': d");
    expect(errors('BEGIN { $f = "x"; printf($f); }')).toContain('ERROR: printf() expects a string literal as the first argument');
    expect(check('BEGIN { printf("%s %5d %-3x %% %c\\n", comm, 1, 2, 65); }').diagnostics.ok).toBe(true);
  });

  it('reports unknown identifiers, functions, variables and fields', () => {
    expect(errors('BEGIN { @x = nosuch; }')).toContain("ERROR: Unknown identifier: 'nosuch'");
    expect(errors('BEGIN { foo(); }')).toContain("ERROR: Unknown function: 'foo'");
    expect(errors('BEGIN { @x = $y; }')).toContain('ERROR: Undefined or undeclared variable: $y');
    expect(errors('tracepoint:syscalls:sys_enter_open { @x = args.nosuch; }')).toContain(
      "ERROR: Struct/union of type 'struct _tracepoint_syscalls_sys_enter_open' does not contain a field named 'nosuch'",
    );
    expect(errors('BEGIN { @x = args.a; }')).toContain('ERROR: The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (begin used here)');
  });

  it('checks aggregation use and argument counts', () => {
    expect(errors('BEGIN { $a = count(); }')).toContain('ERROR: count() must be assigned directly to a map');
    expect(errors('BEGIN { @a = sum(); }')).toContain('ERROR: sum() requires one argument (0 provided)');
    expect(errors('BEGIN { @a = hist(1, 2, 3); }')).toContain('ERROR: hist() takes up to 2 arguments (3 provided)');
    expect(errors('BEGIN { @a = sum(comm); }')).toContain('ERROR: sum() only supports integer arguments (string[16] provided)');
    expect(errors('BEGIN { @a = lhist(1, 10, 0, 1); }')).toContain('ERROR: lhist() min must be less than max');
  });

  it('keeps system() and signal() for --unsafe', () => {
    expect(errors('BEGIN { system("ls"); }')).toContain('ERROR: system() is an unsafe function being used in safe mode');
    expect(check('BEGIN { system("ls"); }', { unsafe: true }).diagnostics.ok).toBe(true);
  });

  it('rejects break outside loops and checks string comparisons', () => {
    expect(errors('BEGIN { break; }')).toContain("ERROR: 'break' statement is not allowed outside of a loop");
    expect(errors('BEGIN { if (comm == 1) {} }')).toContain("ERROR: Type mismatch for '==': comparing string[16] with int64");
  });
});

describe('resources', () => {
  it('lays out maps per aggregation kind and events with their wire fields', () => {
    const r = check('BEGIN { @c = count(); @h[comm] = hist(1); @m = min(1); @v[1, "a"] = (1, "xy"); printf("%s %d\\n", comm, 5); exit(); }');
    expect(r.diagnostics.ok).toBe(true);
    const maps = r.context!.resources!.maps;
    const by = (n: string) => maps.find((m) => m.name === n)!;
    // Keyless aggregations: one-slot per-CPU arrays (u32 key), each CPU's value followed by its written flag.
    expect([by('@c').type, by('@c').keySize, by('@c').valueSize, by('@c').user!.aggregation, by('@c').user!.presentOffset]).toEqual([
      MapType.PERCPU_ARRAY,
      4,
      16,
      'count',
      8,
    ]);
    expect([by('@h').type, by('@h').keySize, by('@h').valueSize]).toEqual([MapType.PERCPU_HASH, 24, 8]);
    expect([by('@m').valueSize, by('@m').user!.presentOffset]).toEqual([24, 16]);
    expect([by('@v').keySize, by('@v').valueSize, by('@v').user!.aggregation]).toEqual([16, 16, 'value']);
    const events = r.context!.resources!.events;
    expect(events.map((e) => e.kind)).toEqual(['printf', 'exit']);
    expect(events[0]!.args.map((a) => [typeName(a.type), a.offset])).toEqual([
      ['string[16]', 8],
      ['int64', 24],
    ]);
    expect(events[0]!.size).toBe(32);
  });

  it('reads config from the script, with the environment\'s settings (the options) winning as in bpftrace', () => {
    const r = check('config = { max_strlen = 64; stack_mode = perf } BEGIN { @s = str(0); }', { config: { max_strlen: 32 } });
    expect(r.context!.config.maxStrlen).toBe(32);
    expect(r.context!.config.stackMode).toBe('perf');
    expect(typeName(r.context!.types.mapValues.get('@s')!)).toBe('string[32]');
  });

  it('names unknown, environment-only, renamed and deprecated config options as bpftrace does', () => {
    const r = check('config = { bad_config = 1; btf = 1; strlen = 16; unstable_map_decl = 1 } BEGIN { }');
    expect(r.diagnostics.errors.map((d) => d.message)).toEqual(['bad_config: not a known configuration option', 'btf: can only be set as an environment variable']);
    expect(r.diagnostics.warnings.map((d) => d.message)).toEqual(['strlen has been renamed, please use max_strlen', 'unstable_map_decl is deprecated and has no effect']);
  });
});
