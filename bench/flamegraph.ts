// Side by side: flamegraph.pl and `bpfkit flamegraph` on the same generated 200,000-stack folded file.
// FLAMEGRAPH_PL points at flamegraph.pl (default /tmp/flamegraph-src/flamegraph.pl); STACKS changes the line count.
// Run `npm run build` first: this times bin/bpfkit.js, the command users run.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const flamegraphPl = process.env['FLAMEGRAPH_PL'] ?? '/tmp/flamegraph-src/flamegraph.pl';
const stackCount = Number(process.env['STACKS'] ?? 200_000);

// A small deterministic generator (mulberry32) so every run draws the same picture.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const prefixes = ['', 'do_', '__x64_sys_', 'tcp_', 'ext4_', 'vfs_', 'mem_', 'sched_', 'java_lang_', 'v8_internal_', 'Py'];
const words = ['read', 'write', 'poll', 'alloc', 'free', 'lookup', 'insert', 'flush', 'wait', 'wake', 'send', 'recv',
  'open', 'close', 'map', 'unmap', 'fault', 'copy', 'hash', 'parse', 'eval', 'run', 'loop', 'dispatch', 'handle',
  'queue', 'lock', 'unlock', 'spin', 'yield', 'tick', 'timer', 'irq', 'softirq', 'page', 'inode', 'dentry', 'block'];

// Names of letters and '_' only, so no name is another's prefix followed by a character that sorts before ';'
// (flamegraph.pl would then split one frame in two, and the frame counts would differ for a reason unrelated to speed).
function makeNames(random: () => number, n: number): string[] {
  const names = new Set<string>();
  while (names.size < n) {
    const p = prefixes[Math.floor(random() * prefixes.length)] as string;
    const a = words[Math.floor(random() * words.length)] as string;
    const b = words[Math.floor(random() * words.length)] as string;
    names.add(random() < 0.5 ? `${p}${a}_${b}` : `${p}${a}`);
  }
  return [...names];
}

function generateFolded(lines: number, seed = 42): string {
  const random = rng(seed);
  const names = makeNames(random, 3000);
  const pick = (): string => names[Math.floor(random() * names.length)] as string;
  // Shared prefixes: a few hundred "entry paths" that most stacks start from, then per-path hot callees.
  const bases: string[][] = [];
  for (let i = 0; i < 300; i++) {
    const depth = 4 + Math.floor(random() * 12);
    const base = i < 30 ? [] : [...(bases[Math.floor(random() * 30)] as string[])];
    while (base.length < depth) base.push(pick());
    bases.push(base);
  }
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const base = bases[Math.floor(Math.pow(random(), 2) * bases.length)] as string[];
    const depth = 10 + Math.floor(random() * 51);
    const frames = base.slice(0, depth);
    // Callees drawn from a narrow band of names for the first levels past the base, so subtrees are shared.
    while (frames.length < depth) {
      const level = frames.length;
      const band = level < base.length + 6 ? 8 : names.length;
      frames.push(names[(level * 97 + Math.floor(random() * band)) % names.length] as string);
    }
    out.push(`${frames.join(';')} ${1 + Math.floor(random() * 5)}\n`);
  }
  return out.join('');
}

const gnuTime = '/usr/bin/time';

// Wall time from here; CPU time (user + system) from GNU time when installed, since a busy machine stretches wall time.
function timeRun(cmd: string, args: string[], outFile: string): { seconds: number; cpu?: number; status: number | null; stderr: string } {
  const fd = openSync(outFile, 'w');
  const withTime = existsSync(gnuTime);
  const start = process.hrtime.bigint();
  const r = withTime
    ? spawnSync(gnuTime, ['-f', 'cpu %U %S', cmd, ...args], { stdio: ['ignore', fd, 'pipe'], maxBuffer: 64 << 20 })
    : spawnSync(cmd, args, { stdio: ['ignore', fd, 'pipe'], maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(fd);
  const stderr = r.stderr.toString();
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  return m ? { seconds, cpu: Number(m[1]) + Number(m[2]), status: r.status, stderr } : { seconds, status: r.status, stderr };
}

function describeTime(t: { seconds: number; cpu?: number }): string {
  return `${t.seconds.toFixed(2)} s wall${t.cpu !== undefined ? `, ${t.cpu.toFixed(2)} s CPU` : ''}`;
}

// Frames are the <g> elements inside the frames group; the group itself is one more <g>.
function countFrames(svgFile: string): number {
  const svg = readFileSync(svgFile, 'utf8');
  const all = svg.match(/<g[\s>]/g)?.length ?? 0;
  return all - 1;
}

function main(): void {
  if (!existsSync('bin/bpfkit.js') || !existsSync('dist/cli.cjs')) {
    console.log('bench/flamegraph: skipped: run `npm run build` first (needs dist/cli.cjs)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bpfkit-fg-bench-'));
  try {
    const input = join(dir, 'stacks.folded');
    const text = generateFolded(stackCount);
    writeFileSync(input, text);
    console.log(`input: ${stackCount} stacks, ${(text.length / 1e6).toFixed(1)} MB`);

    const ours = timeRun(process.execPath, ['bin/bpfkit.js', 'flamegraph', input], join(dir, 'bpfkit.svg'));
    if (ours.status !== 0) throw new Error(`bpfkit flamegraph failed: ${ours.stderr}`);
    const ourFrames = countFrames(join(dir, 'bpfkit.svg'));
    console.log(`bpfkit flamegraph: ${describeTime(ours)}, ${ourFrames} frames`);

    if (!existsSync(flamegraphPl)) {
      console.log(`flamegraph.pl: skipped: not found at ${flamegraphPl} (set FLAMEGRAPH_PL; get it from FlameGraph's public repository)`);
      return;
    }
    const perl = timeRun('perl', [flamegraphPl, input], join(dir, 'perl.svg'));
    if (perl.status !== 0) throw new Error(`flamegraph.pl failed: ${perl.stderr}`);
    const perlFrames = countFrames(join(dir, 'perl.svg'));
    console.log(`flamegraph.pl:     ${describeTime(perl)}, ${perlFrames} frames`);
    console.log(`speedup: ${(perl.seconds / ours.seconds).toFixed(1)}x wall (target >= 5x)`);
    if (perl.cpu !== undefined && ours.cpu !== undefined) console.log(`speedup: ${(perl.cpu / ours.cpu).toFixed(1)}x CPU`);
    console.log(`frames drawn: ${ourFrames === perlFrames ? 'equal' : 'DIFFERENT'} (${ourFrames} vs ${perlFrames})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
