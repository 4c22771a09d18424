// Golden tests of the printed output: each case builds map snapshots and values the way the
// reader will, renders them through the text and JSON outputs, and compares with
// test/runtime/golden/<name>. The expected files come from the reference, not from this code:
// each case says where (see also golden/README.md). UPDATE_GOLDEN=1 rewrites the files from the
// current output; review the diff against the reference before keeping it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  JsonOutput,
  StringSink,
  TextOutput,
  bool,
  buffer,
  formatMap,
  formatMapForPrint,
  histBucketCount,
  histBucketIndex,
  int,
  lhistBucketCount,
  lhistBucketIndex,
  parseFormat,
  formatPrintf,
  primitive,
  printMapsAtExit,
  record,
  str,
  tuple,
  uint,
  type Aggregate,
  type MapEntry,
  type MapSnapshot,
  type MapValue,
  type Output,
  type Value,
} from '../../src/runtime/index.js';

// Time series rows print local time; the expected files are for UTC.
process.env['TZ'] = 'UTC';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

// Builders that fill aggregations the way the kernel side does: one sample at a time into the
// bucket the generated code would pick.
function hist(values: readonly number[], bits = 0): Aggregate {
  const buckets = new Array<bigint>(histBucketCount(bits)).fill(0n);
  for (const v of values) buckets[histBucketIndex(BigInt(v), bits)]! += 1n;
  return { kind: 'hist', bits, buckets };
}

function lhist(values: readonly number[], min: number, max: number, step: number): Aggregate {
  const buckets = new Array<bigint>(lhistBucketCount(min, max, step)).fill(0n);
  for (const v of values) buckets[lhistBucketIndex(BigInt(v), min, max, step)]! += 1n;
  return { kind: 'lhist', min, max, step, buckets };
}

function count(n: number): Aggregate {
  return { kind: 'count', value: BigInt(n) };
}

function sum(values: readonly number[]): Aggregate {
  return { kind: 'sum', value: values.reduce((a, b) => a + BigInt(b), 0n), signed: true };
}

function stats(kind: 'avg' | 'stats', values: readonly number[]): Aggregate {
  return { kind, total: values.reduce((a, b) => a + BigInt(b), 0n), count: BigInt(values.length), signed: true };
}

function minmax(kind: 'min' | 'max', values: readonly number[]): Aggregate {
  const v = values.map(BigInt);
  const best = v.reduce((a, b) => (kind === 'min' ? (b < a ? b : a) : b > a ? b : a));
  return { kind, value: best, signed: true, isSet: true };
}

function tseries(points: readonly (readonly [number, number])[], numIntervals: number): Aggregate {
  return {
    kind: 'tseries',
    intervalNs: 100_000_000n,
    numIntervals,
    agg: 'none',
    signed: true,
    points: new Map(points.map(([e, v]) => [BigInt(e), BigInt(v)])),
  };
}

const zigzag = [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4];

function scalar(name: string, value: MapValue): MapSnapshot {
  return { name, scalar: true, entries: [{ key: tuple(), value }] };
}

function keyed(name: string, entries: readonly (readonly [Value, MapValue])[]): MapSnapshot {
  return { name, scalar: false, entries: entries.map(([key, value]): MapEntry => ({ key, value })) };
}

const exitDump = printMapsAtExit;

type Render = (out: Output) => void;

interface GoldenCase {
  readonly name: string;
  /** Where the expected output comes from. */
  readonly source: string;
  readonly text?: Render;
  readonly json?: Render;
}

// The script each 0.17 case ran is in golden/README.md under the case's name.
const histValues = [5, 100, -1, 0, 1, 1500, 1500];
const lhistValues = [3, 55, 55, -5, 250];

const cases: GoldenCase[] = [
  {
    name: 'hist-log2',
    source: 'bpftrace 0.17 run (README: hist-log2), map header without the trailing space per master tests/runtime/outputs/hist.txt; JSON hist separator "," per master src/output/json.cpp',
    text: (o) => exitDump(o, [scalar('@h', hist(histValues))]),
    json: (o) => exitDump(o, [scalar('@h', hist(histValues))]),
  },
  {
    name: 'hist-negative-and-gaps',
    source: 'master tests/runtime/call "hist" (EXPECT_FILE outputs/hist.txt), values -1 2 3 7 20',
    text: (o) => exitDump(o, [scalar('@', hist([-1, 2, 3, 7, 20]))]),
  },
  {
    name: 'hist-two-values',
    source: 'master tests/runtime/call "hist_2_values" (EXPECT_FILE outputs/hist_2_values.txt)',
    text: (o) => exitDump(o, [scalar('@', hist([3, 20]))]),
  },
  {
    name: 'hist-bits',
    source: 'master tests/runtime/outputs/hist_2args.json (hist($i, 3) for 0..1023): the buckets it lists for 0..40',
    json: (o) => exitDump(o, [scalar('@', hist(Array.from({ length: 41 }, (_, i) => i), 3))]),
  },
  {
    name: 'hist-keyed-top',
    source: 'master tests/runtime/json-output "print_hist_with_top_arg" and "print_hist_with_large_top_arg" (EXPECT lines)',
    json: (o) => {
      const m = keyed('@', [
        [int(1), hist([10])],
        [int(2), hist([20])],
        [int(3), hist([30])],
      ]);
      o.map(m.name, formatMapForPrint(m, { top: 2 }));
      o.map(m.name, formatMapForPrint(m, { top: 10 }));
    },
  },
  {
    name: 'hist-empty-after-zero',
    source: 'master tests/runtime/json-output "histogram zero" (outputs/hist_zero.json) and text.cpp (name line, no rows, blank line)',
    text: (o) => exitDump(o, [scalar('@hist', { kind: 'hist', bits: 0, buckets: [0n, 0n, 0n, 0n] })]),
    json: (o) => exitDump(o, [scalar('@hist', { kind: 'hist', bits: 0, buckets: [0n, 0n, 0n, 0n] })]),
  },
  {
    name: 'lhist',
    source: 'bpftrace 0.17 run (README: lhist), header without trailing space per master; JSON per master separators',
    text: (o) => exitDump(o, [scalar('@l', lhist(lhistValues, 0, 100, 10))]),
    json: (o) => exitDump(o, [scalar('@l', lhist(lhistValues, 0, 100, 10))]),
  },
  {
    name: 'lhist-under-and-overflow',
    source: 'master tests/runtime/call "lhist" (EXPECT_FILE outputs/lhist.txt)',
    text: (o) => exitDump(o, [scalar('@', lhist([2, 3, 7, -1, 11], 0, 10, 2))]),
  },
  {
    name: 'lhist-suffixes',
    source: 'master tests/output.cpp TextOutput.lhist_suffix, lhist_no_suffix, lhist_overflow_only, lhist_underflow_only',
    text: (o) => {
      o.map('@a', formatMap(scalar('@a', lhist([0, 1024, 2048, 3072, 4096], 0, 5 * 1024, 1024))));
      o.map('@b', formatMap(scalar('@b', lhist([610000, 620000, 630000, 640000, 650000, 660000], 610000, 670000, 10000))));
      o.map('@c', formatMap(scalar('@c', lhist([100], 0, 100, 10))));
      o.map('@d', formatMap(scalar('@d', lhist([5], 10, 110, 10))));
    },
  },
  {
    name: 'count-sum-sorted',
    source: 'bpftrace 0.17 run (README: count-sum-sorted); JSON: 0.17 -f json run, same schema as master',
    text: (o) =>
      exitDump(o, [
        keyed('@c', [
          [str('b'), count(1)],
          [str('a'), count(2)],
          [str('z'), count(3)],
        ]),
        keyed('@s', [
          [int(1), sum([10])],
          [int(2), sum([-3])],
          [int(3), sum([7])],
        ]),
      ]),
    json: (o) =>
      exitDump(o, [
        keyed('@c', [
          [str('z'), count(3)],
          [str('b'), count(1)],
          [str('a'), count(2)],
        ]),
        keyed('@s', [
          [int(3), sum([7])],
          [int(1), sum([10])],
          [int(2), sum([-3])],
        ]),
      ]),
  },
  {
    name: 'stats-avg-min-max',
    source: 'bpftrace 0.17 run (README: stats-avg-min-max) with master\'s stats record form ({ .count = 3, ... }, master tests/runtime/call "stats") and no blank line after stats maps (master src/output/text.cpp); JSON from the 0.17 -f json run',
    text: (o) => exitDump(o, statsMaps()),
    json: (o) => exitDump(o, statsMaps()),
  },
  {
    name: 'signed-stats',
    source: 'master tests/runtime/signed_ints "stats with negative values", "avg with negative values", "sum with negative value"',
    text: (o) => {
      o.map('@', formatMap(scalar('@', stats('stats', [-10, -5, 5]))));
      o.map('@', formatMap(scalar('@', stats('avg', [-30, -10]))));
      o.map('@', formatMap(scalar('@', sum([10, -20]))));
    },
  },
  {
    name: 'multi-key-tuples',
    source: 'bpftrace 0.17 run (README: multi-key-tuples) re-ordered by master\'s sort_by_key (src/types_format.cpp: int key fields as signed, string fields bytewise)',
    text: (o) =>
      exitDump(o, [
        keyed('@m', [
          [tuple(int(2), str('b')), int(1)],
          [tuple(int(1), str('z')), int(2)],
          [tuple(int(1), str('a')), int(3)],
        ]),
        keyed('@n', [
          [int(3), str('c')],
          [int(10), str('b')],
          [int(-1), str('a')],
        ]),
        keyed('@str', [
          [str('k2'), str('v2')],
          [str('k1'), str('v1')],
        ]),
        scalar('@t', tuple(int(1), str('two'), tuple(int(3), int(4)))),
      ]),
    json: (o) =>
      exitDump(o, [
        keyed('@m', [[tuple(int(1), str('q')), int(7)]]),
        scalar('@t', tuple(int(1), str('s'), tuple(int(2), int(3)))),
      ]),
  },
  {
    name: 'print-top-div',
    source: 'bpftrace 0.17 run (README: print-top-div); same in master per tests/runtime/call "print_avg_map_args"',
    text: (o) => {
      const m = keyed('@', [
        [int(1), int(5)],
        [int(2), int(50)],
        [int(3), int(500)],
        [int(4), int(7)],
      ]);
      o.map(m.name, formatMapForPrint(m, { top: 2 }));
      o.map(m.name, formatMapForPrint(m, { top: 0, div: 10 }));
    },
  },
  {
    name: 'print-avg-top-div',
    source: 'master tests/runtime/call "print_avg_map_args" (outputs/print_avg_map_args.txt) and json-output "print_avg_map_args", "print_avg_map_with_large_top"',
    text: (o) => o.map('@', formatMapForPrint(avgMap(), { top: 2, div: 10 })),
    json: (o) => {
      o.map('@', formatMapForPrint(avgMap(), { top: 2, div: 10 }));
      o.map('@', formatMapForPrint(avgMap(), { top: 10, div: 10 }));
    },
  },
  {
    name: 'print-empty-scalar',
    source: 'master tests/runtime/call "print_empty_scalar_map", "print_empty_scalar_stats_map", "print_empty_scalar_record_map"',
    text: (o) => {
      o.map('@', formatMapForPrint({ name: '@', scalar: true, entries: [], zeroValue: int(0) }));
      o.map('@', formatMapForPrint(scalar('@', int(1))));
      const zeroStats: Aggregate = { kind: 'stats', total: 0n, count: 0n, signed: true };
      o.map('@', formatMapForPrint({ name: '@', scalar: true, entries: [], zeroValue: zeroStats }));
      o.map('@', formatMapForPrint(scalar('@', stats('stats', [1]))));
      const zeroRecord = record({ a: int(0), b: tuple(int(0), str('')) });
      o.map('@', formatMapForPrint({ name: '@', scalar: true, entries: [], zeroValue: zeroRecord }));
      o.map('@', formatMapForPrint(scalar('@', record({ a: int(1), b: tuple(int(2), str('hi')) }))));
    },
  },
  {
    name: 'print-values',
    source: 'bpftrace 0.17 run (README: print-values); master tests/runtime/call "print_non_map_tuple", "print_non_map_struct", bool "bool values"',
    text: (o) => {
      o.value(primitive(int(1)));
      o.value(primitive(str('str')));
      o.value(primitive(tuple(int(1), str('a'))));
      o.map('@x', formatMapForPrint(scalar('@x', int(5))));
      o.value(primitive(record({ m: int(2), n: int(3) })));
      o.value(primitive(tuple(bool(true), bool(false))));
    },
    json: (o) => {
      o.value(primitive(int(5)));
      o.value(primitive(str('bpftrace')));
      o.value(primitive(tuple(int(1), int(2), str('string'))));
      o.value(primitive(record({ m: int(2), n: int(3) })));
      o.value(primitive(tuple(bool(true), bool(false))));
    },
  },
  {
    name: 'json-values',
    source: 'master tests/runtime/json-output "tuple", "tuple_with_escaped_string", "record", "scalar_str" (outputs/scalar_str.json), "complex" (outputs/complex.json), "map" (outputs/map.json)',
    json: (o) => {
      o.map('@', formatMap(scalar('@', tuple(int(1), int(2), str('string'), tuple(int(4), int(5))))));
      o.map('@', formatMap(scalar('@', tuple(int(1), int(2), str('string with "quotes"')))));
      const v = record({ x: int(1), y: int(2) });
      o.map('@a', formatMap(scalar('@a', record({ a: int(0), b: int(1), c: str('str'), d: tuple(int(5), int(6)), e: v }))));
      o.map('@scalar_str', formatMap(scalar('@scalar_str', str('a b \n d e'))));
      o.map('@complex', formatMap(keyed('@complex', [[tuple(str('bpftrace'), int(2)), int(5)]])));
      o.map('@map', formatMap(keyed('@map', [[str('key1'), int(2)], [str('key2'), int(3)]])));
    },
  },
  {
    name: 'buffers',
    source: 'master tests/runtime/call "buf_map_key", "buf_map_multikey", "buf_hist_map_key", "buf_map_value", "buf_no_ascii", "buf_no_ascii_no_escaping"',
    text: (o) => {
      const ok = (s: string): Value => buffer(new Uint8Array(Buffer.from(s, 'latin1')));
      o.map('@', formatMap(keyed('@', [[ok('ok_key'), int(1)]])));
      o.map('@', formatMap(keyed('@', [[tuple(ok('ok_key\0'), int(1)), hist([1])]])));
      o.map('@', formatMap(keyed('@', [[ok('ok_key\0'), hist([1])]])));
      o.map('@', formatMap(scalar('@', ok('ok_value'))));
      o.printf(formatPrintf(parseFormat('%rx'), [ok('Hello\0')]) + '\n');
      o.printf(formatPrintf(parseFormat('%rh'), [ok('Hello\0')]) + '\n');
    },
  },
  {
    name: 'bool-and-u64',
    source: 'master tests/runtime/bool "bool as map keys and values", map "uint64 key"; JSON number-or-string rule of master src/output/json.cpp',
    text: (o) => {
      o.map('@a', formatMap(keyed('@a', [[bool(true), bool(false)]])));
      o.map('@a', formatMap(keyed('@a', [[uint(18446744073709551615n), int(0)]])));
    },
    json: (o) => {
      o.map('@big', formatMap(scalar('@big', uint(18446744073709551615n))));
      o.map('@small', formatMap(scalar('@small', uint(9007199254740992n))));
    },
  },
  {
    name: 'events',
    source: 'master tests/runtime/json-output "printf", "printf_escaping", "attached probes", "helper_error"; call "errorf", "warnf"; src/output/text.cpp (Attached/Lost lines)',
    text: (o) => {
      o.attachedProbes(1);
      o.attachedProbes(3);
      o.printf(formatPrintf(parseFormat('test %d'), [int(5)]));
      o.printf('\n');
      const loc = { location: 'stdin:1:9-62', filename: 'stdin', line: 1, column: 9 };
      o.printf(formatPrintf(parseFormat('Something bad with args: %d, %s'), [int(10), str('arg2')]), 'error', [loc]);
      o.printf('Something kinda bad', 'warning', [{ ...loc, location: 'stdin:1:9-67' }]);
      o.lostEvents(12);
    },
    json: (o) => {
      o.attachedProbes(1);
      o.printf(formatPrintf(parseFormat('test %d'), [int(5)]));
      o.printf('test \r \n \t \\ " bar');
      o.lostEvents(12);
      o.runtimeError({
        kind: 'helper',
        helper: 'probe_read_user',
        retcode: -14,
        locations: [{ location: 'stdin:1:87-105', filename: 'stdin', line: 1, column: 87 }],
      });
    },
  },
];

cases.push(
  {
    name: 'tseries',
    source: 'master tests/runtime/call "tseries" (outputs/tseries.txt, %H as 00 for UTC) and json-output "time series" (outputs/tseries.json)',
    text: (o) => o.map('@a', formatMap(scalar('@a', tseries([5, 6, 7, 8, 9].map((e) => [e, 9]), 5)))),
    json: (o) => o.map('@a', formatMap(scalar('@a', tseries([5, 6, 7, 8, 9].map((e) => [e, 9]), 5)))),
  },
  {
    name: 'tseries-multiple',
    source: 'master tests/runtime/call "tseries multiple" (outputs/tseries_multiple.txt) and json-output "multiple time series" (outputs/tseries_multiple.json)',
    text: (o) => o.map('@a', formatMap(tseriesKeyed())),
    json: (o) => o.map('@a', formatMap(tseriesKeyed())),
  },
  {
    name: 'tseries-zigzag',
    source: 'master tests/runtime/call "tseries zigzag" (outputs/tseries_zigzag.txt)',
    text: (o) => o.map('@', formatMap(scalar('@', tseries(zigzag.map((v, i) => [i + 1, v]), 20)))),
  },
);

function tseriesKeyed(): MapSnapshot {
  return keyed('@a', [
    [str('two'), tseries([5, 6, 7, 8, 9].map((e) => [e, 4]), 10)],
    [str('one'), tseries([[0, 0], [1, 5], [2, 5], [3, 5], [4, 5]], 10)],
  ]);
}

function statsMaps(): MapSnapshot[] {
  return [
    scalar('@st', stats('stats', [10, 3, -2])),
    scalar('@a', stats('avg', [7, 8])),
    scalar('@mn', minmax('min', [5, -4])),
    scalar('@mx', minmax('max', [5, 9])),
    keyed('@k', [
      [str('x'), stats('stats', [4])],
      [str('y'), stats('stats', [1])],
    ]),
  ];
}

function avgMap(): MapSnapshot {
  return keyed('@', [
    [str('a'), stats('avg', [10])],
    [str('b'), stats('avg', [20])],
    [str('c'), stats('avg', [30])],
    [str('d'), stats('avg', [40])],
  ]);
}

function render(r: Render, format: 'text' | 'json'): string {
  const sink = new StringSink();
  const out = format === 'text' ? new TextOutput(sink) : new JsonOutput(sink);
  r(out);
  // stderr lines (Attached, errorf, Lost) are part of what a user sees; keep them apart.
  return sink.stderrText.length > 0 ? `${sink.stdoutText}--- stderr ---\n${sink.stderrText}` : sink.stdoutText;
}

describe('golden output', () => {
  for (const c of cases) {
    for (const format of ['text', 'json'] as const) {
      const r = c[format];
      if (!r) continue;
      const file = join(GOLDEN_DIR, `${c.name}.${format === 'text' ? 'txt' : 'json'}`);
      it(`${c.name} (${format})`, () => {
        const actual = render(r, format);
        if (UPDATE || !existsSync(file)) {
          if (!UPDATE) throw new Error(`Missing golden file: ${file} (from ${c.source})`);
          mkdirSync(GOLDEN_DIR, { recursive: true });
          writeFileSync(file, actual);
          return;
        }
        expect(actual).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
