// tseries maps filled by real programs: a begin probe compiled by bpfkit runs in the kernel (BPF_PROG_TEST_RUN),
// the map is read back with readUserMap, and the printed text and JSON are compared with golden files.
//
// The programs read the kernel's TAI clock, so the interval they write is "now". The checks first make sure it
// is (the interval start is within a day of the wall clock), then shift every interval by the same amount so
// that the series starts at a fixed instant and the golden files stay byte-for-byte stable. UPDATE_GOLDEN=1
// rewrites the files; check the values against the comments in each case before keeping them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, userMaps } from '../../src/lang/index.js';
import {
  JsonOutput,
  StringSink,
  TextOutput,
  formatMap,
  loadScript,
  readUserMap,
  type LoadedScript,
  type MapEntry,
  type MapSnapshot,
  type Output,
  type TseriesAggregate,
} from '../../src/runtime/index.js';

// Rows print local time; the golden files are for UTC.
process.env['TZ'] = 'UTC';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const skip = process.getuid?.() !== 0 ? 'tseries kernel tests need root to load BPF programs' : false;
if (skip) console.log(`Skipping tseries kernel tests: ${skip}`);

/** Runs the script's begin probes once in the kernel, then `after` (what a clear/zero event would do), and reads every user map. */
function runBegin(source: string, after?: (maps: LoadedScript['maps']) => void): MapSnapshot[] {
  const { artifact, diagnostics } = compile(source, 'stdin');
  if (!artifact) throw new Error(`Compile failed: ${diagnostics.all.map((d) => d.message).join('; ')}`);
  const loaded = loadScript(artifact);
  try {
    for (const p of loaded.programs) if (p.def.target.kind === 'begin') p.program.testRun();
    after?.(loaded.maps);
    return userMaps(artifact).map((def) => readUserMap(def, loaded.maps.get(def.name)!));
  } finally {
    loaded.close();
  }
}

function seriesOf(snapshot: MapSnapshot): TseriesAggregate[] {
  return snapshot.entries.map((e) => e.value).filter((v): v is TseriesAggregate => v.kind === 'tseries');
}

/** Runs until every interval the programs wrote is the same one (a run can straddle an interval's end). */
function runInOneInterval(source: string, after?: (maps: LoadedScript['maps']) => void): MapSnapshot[] {
  for (let attempt = 0; attempt < 3; attempt++) {
    const maps = runBegin(source, after);
    const epochs = new Set(maps.flatMap((m) => seriesOf(m).flatMap((s) => [...s.points.keys()])));
    if (epochs.size === 1) return maps;
  }
  throw new Error('The begin probe straddled an interval boundary three times');
}

/** The snapshot with every interval moved by `shift`. */
function shifted(snapshot: MapSnapshot, shift: bigint): MapSnapshot {
  const entries = snapshot.entries.map((e): MapEntry => {
    if (e.value.kind !== 'tseries') return e;
    const points = new Map([...e.value.points].map(([epoch, v]) => [epoch + shift, v]));
    return { key: e.key, value: { ...e.value, points } };
  });
  return { ...snapshot, entries };
}

function render(snapshots: readonly MapSnapshot[], format: 'text' | 'json'): string {
  const sink = new StringSink();
  const out: Output = format === 'text' ? new TextOutput(sink) : new JsonOutput(sink);
  for (const s of snapshots) out.map(s.name, formatMap(s));
  return sink.stdoutText;
}

function golden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`Missing golden file: ${file}`);
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const INTERVAL_NS = 10_000_000_000n;
// Interval 100 of 10 s: 1970-01-01 00:16:40 UTC.
const FIXED_EPOCH = 100n;

describe.skipIf(skip !== false)('tseries maps written by the kernel', () => {
  // Per aggregation, the values one interval receives and what it reduces to:
  //   none ["a"]: 7 then -2, the last written wins: -2; none ["b"]: 5
  //   sum: 4 - 9 + 30 = 25; min: -9; max: 30; avg: (7 + 8 + 10) / 3 = 8 (truncated); unsigned u: 3
  const source = `BEGIN {
    @none["a"] = tseries(7, 10s, 3); @none["a"] = tseries(-2, 10s, 3); @none["b"] = tseries(5, 10s, 3);
    @sum = tseries(4, 10s, 3, "sum"); @sum = tseries(-9, 10s, 3, "sum"); @sum = tseries(30, 10s, 3, "sum");
    @min = tseries(4, 10s, 3, "min"); @min = tseries(-9, 10s, 3, "min"); @min = tseries(30, 10s, 3, "min");
    @max = tseries(4, 10s, 3, "max"); @max = tseries(-9, 10s, 3, "max"); @max = tseries(30, 10s, 3, "max");
    @avg = tseries(7, 10s, 3, "avg"); @avg = tseries(8, 10s, 3, "avg"); @avg = tseries(10, 10s, 3, "avg");
    @u = tseries((uint64)3, 10s, 3);
  }`;

  it('stores each value in the interval of the TAI clock and reduces it by its aggregation', () => {
    const maps = runInOneInterval(source);
    const byName = new Map(maps.map((m) => [m.name, m]));
    const [epoch] = seriesOf(maps[0]!)[0]!.points.keys();
    const startMs = Number((epoch! * INTERVAL_NS) / 1_000_000n);
    expect(Math.abs(startMs - Date.now())).toBeLessThan(86_400_000);
    const valuesOf = (name: string): bigint[] => seriesOf(byName.get(name)!).map((s) => s.points.get(epoch!)!);
    expect(valuesOf('@sum')).toEqual([25n]);
    expect(valuesOf('@min')).toEqual([-9n]);
    expect(valuesOf('@max')).toEqual([30n]);
    expect(valuesOf('@avg')).toEqual([8n]);
    expect(valuesOf('@u')).toEqual([3n]);
    expect(seriesOf(byName.get('@u')!)[0]!.signed).toBe(false);
    const none = byName.get('@none')!;
    expect(none.entries.map((e) => [e.key, e.value.kind === 'tseries' ? e.value.points.get(epoch!) : undefined])).toEqual(
      expect.arrayContaining([
        [{ kind: 'string', value: 'a', size: 2 }, -2n],
        [{ kind: 'string', value: 'b', size: 2 }, 5n],
      ]),
    );
  });

  it('prints the maps as bpftrace does (text and JSON golden files)', () => {
    const maps = runInOneInterval(source);
    const [epoch] = seriesOf(maps[0]!)[0]!.points.keys();
    const fixed = maps.map((m) => shifted(m, FIXED_EPOCH - epoch!));
    golden('tseries-kernel.txt', render(fixed, 'text'));
    golden('tseries-kernel.json', render(fixed, 'json'));
  });

  // zero() (done by user space when its event arrives) leaves every slot at interval 0: the series has no
  // interval in its window and prints no rows.
  it('prints a zeroed series as no data', () => {
    const maps = runInOneInterval('BEGIN { @z = tseries(6, 10s, 3); }', (m) => m.get('@z')!.zero());
    expect(render(maps, 'text')).toBe('@z:\n<no data>\n');
    expect(render(maps, 'json')).toBe('{"type": "tseries", "data": {"@z": []}}\n');
  });
});
