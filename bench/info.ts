// `bpfkit --info` wall time: the median of several runs of the built CLI (run `npm run build` first), next to a
// bare `node -e 0` so the probes' own cost can be read off.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const RUNS = Number(process.argv[2] ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function timeRuns(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    times.push(ms);
  }
  return median(times);
}

if (!existsSync('dist/cli.cjs')) {
  process.stderr.write('bench/info: dist/cli.cjs is missing: run `npm run build` first\n');
  process.exit(1);
}
const node = timeRuns(['-e', '0']);
const info = timeRuns(['bin/bpfkit.js', '--info']);
console.log(`node -e 0            median ${node.toFixed(0)} ms (${RUNS} runs)`);
console.log(`bpfkit --info        median ${info.toFixed(0)} ms (${RUNS} runs)`);
console.log(`probes and CLI cost  ${(info - node).toFixed(0)} ms over bare node (ratio ${(info / node).toFixed(2)}x)`);
