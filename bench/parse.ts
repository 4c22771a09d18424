// Parse speed: a 5,000-line script built from real tool bodies, parsed repeatedly; prints the median time.
// `node scripts/run-ts.mjs bench/parse.ts [TOOLS_DIR]` (defaults to /tmp/bt-src/tools, else the golden programs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../src/lang/index.js';

const dir = process.argv[2] ?? (existsSync('/tmp/bt-src/tools') ? '/tmp/bt-src/tools' : 'test/lang/golden/ast');
// Probe bodies only: preambles must come first in a script, so keep them out of the repeated part.
const bodies: string[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.bt')).sort()) {
  const text = readFileSync(join(dir, f), 'utf8');
  const { program, diagnostics } = parse(text, f);
  if (!diagnostics.ok) continue;
  for (const item of program.items) bodies.push(text.slice(item.range.start, findBlockEnd(text, item.range.start)));
}

function findBlockEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = text.indexOf('{', from); i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i + 1;
  }
  return text.length;
}

// Whole probe bodies until the script reaches 5,000 lines.
const lines: string[] = [];
for (let i = 0; lines.length < 5000; i++) lines.push(...bodies[i % bodies.length]!.split('\n'));
const script = lines.join('\n');
const check = parse(script, 'bench.bt');
if (!check.diagnostics.ok) process.stdout.write(`note: the assembled script has ${check.diagnostics.errorCount} errors\n`);

for (let i = 0; i < 10; i++) parse(script);
const times: number[] = [];
for (let i = 0; i < 30; i++) {
  const t0 = process.hrtime.bigint();
  parse(script);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
process.stdout.write(
  `parse: ${script.split('\n').length} lines, ${script.length} bytes, ${check.program.probes.length} probes: ` +
    `median ${median.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms over ${times.length} runs (target < 50 ms)\n`,
);
