// bpfkit side by side with Debian's bpftrace (0.17, /usr/bin/bpftrace; installed with apt when missing):
//   1. startup: wall time of `-e 'BEGIN { exit(); }'`, median of N alternating runs (target: bpfkit <= 0.5x);
//   2. in-kernel cost per event (kernel.bpf_stats_enabled: run_time_ns / run_cnt, read with bpftool) of a
//      count(), a hist() and a printf() program on tracepoint:syscalls:sys_enter_getpid under the same load,
//      a tight getpid loop from test/fixtures/runtime/workload.c (target: <= 1.0x);
//   3. printf events delivered (and lost) for a 3-second getpid loop, events/s (target: >= bpftrace's rate);
//   4. peak RSS (VmHWM) of each tracer.
// Run as root: node scripts/run-ts.mjs bench/bpftrace-vs.ts [--runs N] [--events N] [--rounds N]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// scripts/run-ts.mjs puts this file's own path in argv[1] (the bundle it runs lives elsewhere).
const ROOT = resolve(process.argv[1] ?? 'bench/bpftrace-vs.ts', '../..');
const BPFTRACE = '/usr/bin/bpftrace';
const BPFKIT = join(ROOT, 'bin/bpfkit.js');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('--runs', 15);
const EVENTS = arg('--events', 1_000_000);
// In-kernel cost varies by several percent from run to run (cache state, other programs on the machine), so each
// program is traced this many times, the tracers alternating, and the medians are compared.
const ROUNDS = arg('--rounds', 5);

interface Tracer {
  readonly name: string;
  readonly argv: readonly string[];
}
const tracers: Tracer[] = [
  // Run as users run it: the file itself, whose sh line starts node the fast way.
  { name: 'bpfkit', argv: [BPFKIT] },
  { name: 'bpftrace', argv: [BPFTRACE] },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function ensureBpftrace(): void {
  if (existsSync(BPFTRACE)) return;
  console.log('installing bpftrace (Debian package) for the comparison ...');
  const r = spawnSync('apt-get', ['install', '-y', 'bpftrace'], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(BPFTRACE)) throw new Error('Cannot install bpftrace: apt-get install -y bpftrace failed');
}

function buildWorkload(dir: string): string {
  const out = join(dir, 'workload');
  const r = spawnSync('gcc', ['-O2', '-o', out, join(ROOT, 'test/fixtures/runtime/workload.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Cannot build the workload: ${r.stderr}`);
  return out;
}

// ---- 1. startup ----

// NODE_EXTRA_CA_CERTS makes Node read and parse a certificate bundle before running anything (about 50 ms
// here); it is set in some sandboxes for npm and has nothing to do with tracing, so startup is measured both
// with the environment as it is and without that variable.
function startup(env: NodeJS.ProcessEnv, label: string): void {
  const times: Record<string, number[]> = { bpfkit: [], bpftrace: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const t of i % 2 === 0 ? tracers : [...tracers].reverse()) {
      const start = process.hrtime.bigint();
      const r = spawnSync(t.argv[0]!, [...t.argv.slice(1), '-e', 'BEGIN { exit(); }'], { encoding: 'utf8', env });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 0) throw new Error(`${t.name} failed to start: ${r.stderr}`);
      times[t.name]!.push(ms);
    }
  }
  const a = median(times['bpfkit']!);
  const b = median(times['bpftrace']!);
  console.log(`startup ${label} (median of ${RUNS}): bpfkit ${a.toFixed(1)} ms, bpftrace ${b.toFixed(1)} ms, ratio ${(a / b).toFixed(2)}x (target <= 0.5x)`);
}

// ---- 2-4. a traced workload ----

interface ProgStat {
  readonly id: number;
  readonly type: string;
  readonly pids: readonly number[];
  readonly runCnt: number;
  readonly runTimeNs: number;
}

function programs(): ProgStat[] {
  const r = spawnSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bpftool prog show failed: ${r.stderr}`);
  const list = JSON.parse(r.stdout) as { id: number; type: string; run_cnt?: number; run_time_ns?: number; pids?: { pid: number }[] }[];
  return list.map((p) => ({ id: p.id, type: p.type, pids: (p.pids ?? []).map((o) => o.pid), runCnt: p.run_cnt ?? 0, runTimeNs: p.run_time_ns ?? 0 }));
}

function vmHwmKb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

interface TraceResult {
  readonly nsPerEvent: number;
  readonly runCnt: number;
  readonly lines: number;
  readonly lost: number;
  readonly seconds: number;
  readonly rssKb: number;
}

async function trace(t: Tracer, program: string, workload: string, load: readonly string[]): Promise<TraceResult> {
  const before = new Set(programs().map((p) => p.id));
  const child = spawn(t.argv[0]!, [...t.argv.slice(1), '-e', program], {
    env: { ...process.env, __BPFTRACE_NOTIFY_PROBES_ATTACHED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lines = 0;
  let lastLine = 0n;
  let stderr = '';
  let stdoutTail = '';
  let attached!: () => void;
  const ready = new Promise<void>((r) => (attached = r));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    const text = stdoutTail + d;
    const parts = text.split('\n');
    stdoutTail = parts.pop()!;
    for (const p of parts) {
      if (p === '__BPFTRACE_NOTIFY_PROBES_ATTACHED') attached();
      else if (p.startsWith('ev ')) {
        lines++;
        lastLine = process.hrtime.bigint();
      } else if (/Lost \d+ events/.test(p)) stderr += `${p}\n`;
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  await Promise.race([ready, new Promise((r) => setTimeout(r, 15_000))]);
  const start = process.hrtime.bigint();
  await new Promise<void>((r) => spawn(workload, load, { stdio: 'ignore' }).on('close', () => r()));
  // Until the tracer has printed everything it is going to (no new line for 500 ms, 20 s at most).
  for (let waited = 0, seen = -1; waited < 20_000 && seen !== lines; waited += 500) {
    seen = lines;
    await new Promise((r) => setTimeout(r, 500));
  }
  const seconds = Number((lastLine > start ? lastLine : process.hrtime.bigint()) - start) / 1e9;
  const rssKb = vmHwmKb(child.pid!);
  // Other tracers may be running: only the programs this tracer's process holds count, where bpftool can tell
  // (its pid lookup is itself a BPF iterator, which some kernels refuse; then run the bench on a quiet machine).
  const mine = programs().filter((p) => !before.has(p.id) && p.type === 'tracepoint' && (p.pids.length === 0 || p.pids.includes(child.pid!)));
  child.kill('SIGINT');
  await exited;
  const runCnt = mine.reduce((s, p) => s + p.runCnt, 0);
  const runTime = mine.reduce((s, p) => s + p.runTimeNs, 0);
  let lost = 0;
  for (const m of stderr.matchAll(/Lost (\d+) events/g)) lost += Number(m[1]);
  return { nsPerEvent: runCnt ? runTime / runCnt : NaN, runCnt, lines, lost, seconds, rssKb };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('Run the bench as root (it loads BPF programs and sets kernel.bpf_stats_enabled)');
  ensureBpftrace();
  spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'bpfkit-bench-'));
  const previous = readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();
  // Ctrl-C must not leave statistics on (they cost every BPF program on the machine a little).
  const restore = (): never => {
    writeFileSync('/proc/sys/kernel/bpf_stats_enabled', previous);
    process.exit(130);
  };
  process.once('SIGINT', restore);
  process.once('SIGTERM', restore);
  try {
    const workload = buildWorkload(dir);
    const clean = { ...process.env };
    delete clean['NODE_EXTRA_CA_CERTS'];
    if (process.env['NODE_EXTRA_CA_CERTS'] !== undefined) startup(process.env, 'with NODE_EXTRA_CA_CERTS');
    startup(clean, 'without NODE_EXTRA_CA_CERTS');
    writeFileSync('/proc/sys/kernel/bpf_stats_enabled', '1');
    const cases: [string, string][] = [
      ['count()', 'tracepoint:syscalls:sys_enter_getpid { @ = count(); }'],
      ['hist()', 'tracepoint:syscalls:sys_enter_getpid { @ = hist(pid); }'],
      ['printf()', 'tracepoint:syscalls:sys_enter_getpid /comm == "workload"/ { printf("ev %d\\n", pid); }'],
    ];
    for (const [label, program] of cases) {
      // A fixed number of calls for the per-event cost; a 3-second loop for the printf delivery rate.
      const load = label === 'printf()' ? ['spin', '3'] : ['getpid', String(EVENTS)];
      const rounds = label === 'printf()' ? 1 : ROUNDS;
      const all: Record<string, TraceResult[]> = { bpfkit: [], bpftrace: [] };
      for (let i = 0; i < rounds; i++) {
        for (const t of i % 2 === 0 ? tracers : [...tracers].reverse()) all[t.name]!.push(await trace(t, program, workload, load));
      }
      const a = all['bpfkit']!.at(-1)!;
      const b = all['bpftrace']!.at(-1)!;
      const ns = (name: string): number => median(all[name]!.map((r) => r.nsPerEvent));
      const spread = (name: string): string => all[name]!.map((r) => r.nsPerEvent.toFixed(1)).join(' ');
      console.log(
        `${label.padEnd(9)} in-kernel ns/event, median of ${rounds}: bpfkit ${ns('bpfkit').toFixed(1)} [${spread('bpfkit')}], ` +
          `bpftrace ${ns('bpftrace').toFixed(1)} [${spread('bpftrace')}] (${a.runCnt} runs each), ` +
          `ratio ${(ns('bpfkit') / ns('bpftrace')).toFixed(2)}x (target <= 1.0x); peak RSS bpfkit ${(Math.max(...all['bpfkit']!.map((r) => r.rssKb)) / 1024).toFixed(1)} MiB, ` +
          `bpftrace ${(Math.max(...all['bpftrace']!.map((r) => r.rssKb)) / 1024).toFixed(1)} MiB`,
      );
      if (label === 'printf()') {
        const rate = (r: TraceResult): number => r.lines / r.seconds;
        console.log(
          `printf delivery, 3 s getpid loop: bpfkit ${a.lines} printed, ${a.lost} lost (${rate(a).toFixed(0)} events/s); ` +
            `bpftrace ${b.lines} printed, ${b.lost} lost (${rate(b).toFixed(0)} events/s); ratio ${(rate(a) / rate(b)).toFixed(2)}x (target >= 1.0x)`,
        );
      }
    }
  } finally {
    writeFileSync('/proc/sys/kernel/bpf_stats_enabled', previous);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
