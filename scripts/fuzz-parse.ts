// The long parser fuzz run: `node scripts/run-ts.mjs scripts/fuzz-parse.ts [N] [SEED]` (default 1,000,000 inputs).
// Seeds are the golden programs and, when present, the tools of a bpftrace checkout at /tmp/bt-src.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostics, parse, printAst } from '../src/lang/index.js';
import { fuzzInput, prng } from '../test/lang/fuzz-gen.js';

const n = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const seeds: string[] = [];
for (const d of ['test/lang/golden/ast', '/tmp/bt-src/tools']) {
  if (!existsSync(d)) continue;
  for (const f of readdirSync(d).filter((f) => f.endsWith('.bt'))) seeds.push(readFileSync(join(d, f), 'utf8'));
}
const rnd = prng(seed);
let crashes = 0;
let slow = 0;
let rejected = 0;
let worst = 0;
let worstInput = '';
const started = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  const input = fuzzInput(seeds, rnd);
  const t0 = process.hrtime.bigint();
  try {
    const { program, diagnostics } = parse(input);
    formatDiagnostics(diagnostics);
    printAst(program);
    if (!diagnostics.ok) rejected++;
  } catch (e) {
    crashes++;
    if (crashes <= 10) process.stdout.write(`CRASH at input ${i}: ${e instanceof Error ? e.stack : String(e)}\n${JSON.stringify(input.slice(0, 500))}\n`);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms > worst) {
    worst = ms;
    worstInput = input;
  }
  if (ms > 1000) {
    slow++;
    if (slow <= 10) process.stdout.write(`SLOW (${ms.toFixed(0)} ms) at input ${i}: ${JSON.stringify(input.slice(0, 300))}\n`);
  }
  if ((i + 1) % 100_000 === 0) process.stdout.write(`${i + 1} inputs, ${crashes} crashes, ${slow} over 1 s\n`);
}
const secs = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `fuzz: ${n} inputs (seed ${seed}, ${seeds.length} seed programs) in ${secs.toFixed(1)} s: ${crashes} crashes, ` +
    `${slow} over 1 s (slowest ${worst.toFixed(1)} ms), ${rejected} rejected with diagnostics\n`,
);
process.stdout.write(`slowest input (${worstInput.length} chars): ${JSON.stringify(worstInput.slice(0, 300))}\n`);
process.exitCode = crashes > 0 || slow > 0 ? 1 : 0;
