import { describe, expect, it } from 'vitest';
import * as A from './ast/index.js';
import { formatDiagnostics } from './diagnostics.js';
import { parse } from './parser.js';
import { collect } from './walk.js';

function body(src: string): A.Statement[] {
  const { program, diagnostics } = parse(src);
  expect(formatDiagnostics(diagnostics, { warnings: false })).toBe('');
  return program.probes[0]!.body.statements;
}

function expr(src: string): A.Expression {
  const s = body(`begin { ${src}; }`)[0]!;
  if (s.kind !== 'ExprStatement') throw new Error(`not an expression: ${s.kind}`);
  return s.expr;
}

// A compact rendering of an expression tree with explicit grouping.
function sexpr(e: A.Node): string {
  switch (e.kind) {
    case 'Binary': {
      const b = e as A.Binary;
      return `(${sexpr(b.left)} ${b.op} ${sexpr(b.right)})`;
    }
    case 'Unary': {
      const u = e as A.Unary;
      return u.postfix ? `(${sexpr(u.operand)}${u.op})` : `(${u.op}${sexpr(u.operand)})`;
    }
    case 'Ternary': {
      const t = e as A.Ternary;
      return `(${sexpr(t.cond)} ? ${t.then ? sexpr(t.then) : ''} : ${sexpr(t.otherwise)})`;
    }
    case 'IntegerLiteral':
      return (e as A.IntegerLiteral).raw;
    case 'Variable':
      return (e as A.Variable).name;
    case 'Cast':
      return `cast(${sexpr((e as A.Cast).expr)})`;
    case 'Identifier':
    case 'Builtin':
      return (e as A.Identifier).name;
    case 'FieldAccess':
      return `${sexpr((e as A.FieldAccess).object)}.${(e as A.FieldAccess).field}`;
    case 'Call':
      return `${(e as A.Call).name}(${(e as A.Call).args.map(sexpr).join(', ')})`;
    default:
      return e.kind;
  }
}

describe('expressions', () => {
  it('follows C precedence and left associativity', () => {
    expect(sexpr(expr('1 + 2 * 3 - 4'))).toBe('((1 + (2 * 3)) - 4)');
    expect(sexpr(expr('1 - 2 - 3'))).toBe('((1 - 2) - 3)');
    expect(sexpr(expr('$a || $b && $c | $d ^ $e & $f == 1 < 2 << 3 + 4 * 5'))).toBe(
      '($a || ($b && ($c | ($d ^ ($e & ($f == (1 < (2 << (3 + (4 * 5))))))))))',
    );
    expect(sexpr(expr('-$a * !$b'))).toBe('((-$a) * (!$b))');
    expect(sexpr(expr('$a ? 1 : $b ? 2 : 3'))).toBe('($a ? 1 : ($b ? 2 : 3))');
    expect(sexpr(expr('$a ?: 3'))).toBe('($a ?  : 3)');
  });

  it('tells casts from parenthesised expressions as bpftrace does', () => {
    expect(sexpr(expr('(myident)'))).toBe('myident');
    expect(sexpr(expr('(myident)*$a'))).toBe('cast((*$a))');
    expect(sexpr(expr('(pid)*tid'))).toBe('(pid * tid)');
    expect(expr('(struct task_struct *)curtask').kind).toBe('Cast');
    expect(expr('(uint8[4])$a').kind).toBe('Cast');
    expect(expr('(1, 2)').kind).toBe('Tuple');
    expect(expr('(a = 1, b = 2)').kind).toBe('RecordLiteral');
  });

  it('parses the legacy args->field like args.field, as a field access on the args builtin', () => {
    const arrow = expr('args->filename') as A.FieldAccess;
    expect([arrow.kind, arrow.arrow, arrow.field, arrow.object.kind]).toEqual(['FieldAccess', true, 'filename', 'Builtin']);
  });

  it('keeps positional parameters as nodes', () => {
    expect(expr('$1').kind).toBe('PositionalParameter');
    expect(expr('$#').kind).toBe('PositionalParameterCount');
  });

  it('records source ranges', () => {
    const src = 'begin { @x[pid] = 1 + 2; }';
    const s = body(src)[0] as A.Assignment;
    expect(src.slice(s.range.start, s.range.end)).toBe('@x[pid] = 1 + 2');
    expect(src.slice(s.value.range.start, s.value.range.end)).toBe('1 + 2');
    expect(src.slice(s.target.range.start, s.target.range.end)).toBe('@x[pid]');
  });
});

describe('statements and probes', () => {
  it('expands provider aliases, accepting BEGIN/END and kfunc as current bpftrace does', () => {
    const { program, diagnostics } = parse('BEGIN, END, kfunc:f, kretfunc:g, t:a:b, U:/x:p { }');
    expect(diagnostics.ok).toBe(true);
    expect(program.probes[0]!.attachPoints.map((a) => a.provider)).toEqual(['begin', 'end', 'fentry', 'fexit', 'tracepoint', 'usdt']);
  });

  it('ends a predicate at `/ {` and still parses division inside it', () => {
    const { program } = parse('kprobe:f /$a / 2 > 1/ { }');
    expect(sexpr(program.probes[0]!.predicate!)).toBe('(($a / 2) > 1)');
  });

  it('keeps paths, quotes and offsets inside attach points', () => {
    const { program, diagnostics } = parse('uprobe:/usr/lib/libc.so.6:malloc, uprobe:"/tmp/a b":f, kprobe:vfs_read+16 { }');
    expect(diagnostics.ok).toBe(true);
    expect(program.probes[0]!.attachPoints.map((a) => a.parts)).toEqual([
      ['/usr/lib/libc.so.6', 'malloc'],
      ['/tmp/a b', 'f'],
      ['vfs_read+16'],
    ]);
  });

  it('parses compound assignment, increments and for loops', () => {
    const s = body('begin { $a += 1; @m[1]++; for ($i : 0..10) { } for ($kv : @m) { } }');
    expect(s.map((x) => x.kind)).toEqual(['Assignment', 'ExprStatement', 'For', 'For']);
    expect((s[0] as A.Assignment).op).toBe('+=');
  });

  it('warns that while is deprecated, as bpftrace does', () => {
    const { diagnostics } = parse('begin { while (1) { break; } }');
    expect(diagnostics.ok).toBe(true);
    expect(diagnostics.warnings.map((w) => w.message)).toEqual(['While loops are deprecated and may be removed in the future.']);
  });
});

describe('errors', () => {
  it('reports errors from several statements and probes in one run', () => {
    const { program, diagnostics } = parse('a:b { $x = ; $y = 1; $z = ); }\nbegin { 1 +; }\nend { @ok = 1; }');
    expect(diagnostics.errors.map((d) => d.message)).toEqual([
      'Invalid probe type: a',
      "syntax: expected expression",
      "syntax: expected expression",
      "syntax: expected expression",
    ]);
    // The statements between the errors and the later probes are still parsed.
    expect(collect(program, 'Assignment')).toHaveLength(2);
    expect(program.probes).toHaveLength(3);
  });

  it('gives a diagnostic, not a crash, for 10,000 nested parentheses', () => {
    const src = `begin { $x = ${'('.repeat(10_000)}1${')'.repeat(10_000)}; }`;
    const { diagnostics } = parse(src);
    expect(diagnostics.errors.map((d) => d.message)).toEqual([
      'syntax: the program is nested too deeply (more than 1000 levels of expressions and blocks)',
    ]);
  });

  it('prints bpftrace-shaped diagnostics', () => {
    expect(formatDiagnostics(parse('kprobe:f { $0 }').diagnostics)).toBe(
      'stdin:1:12-14: ERROR: syntax: param $0 is out of integer range [1, 9223372036854775807]\nkprobe:f { $0 }\n           ~~\n',
    );
  });
});
