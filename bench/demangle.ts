// Demangling speed on the exported _Z symbols of libstdc++ (names/s), beside c++filt on the same list.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { demangle } from '../src/symbols/demangle/index.js';

const lib = process.argv[2] ?? '/usr/lib/x86_64-linux-gnu/libstdc++.so.6';
if (!existsSync(lib)) {
  process.stderr.write(`bench/demangle: ${lib} not found\n`);
  process.exit(1);
}
const names = [
  ...new Set(
    execFileSync('nm', ['-D', '--defined-only', lib], { maxBuffer: 1 << 28 })
      .toString()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).pop()?.replace(/@.*$/, '') ?? '')
      .filter((name) => name.startsWith('_Z')),
  ),
];
const chars = names.reduce((n, s) => n + s.length, 0);

// Warm up the JIT, then time several passes and keep the best.
for (let i = 0; i < 3; i++) for (const name of names) demangle(name);
const passes = 10;
let best = Infinity;
let total = 0;
for (let i = 0; i < passes; i++) {
  const t0 = performance.now();
  let out = 0;
  for (const name of names) out += demangle(name).length;
  const ms = performance.now() - t0;
  total += ms;
  best = Math.min(best, ms);
  if (out === 0) throw new Error('nothing demangled');
}

let cxxfiltMs = NaN;
try {
  const input = names.join('\n') + '\n';
  const t0 = performance.now();
  execFileSync('c++filt', { input, maxBuffer: 1 << 28 });
  cxxfiltMs = performance.now() - t0;
} catch {
  // c++filt is optional for the benchmark.
}

const rate = (ms: number): string => `${Math.round((names.length / ms) * 1000).toLocaleString('en-US')} names/s`;
console.log(`library:        ${lib}`);
console.log(`names:          ${names.length} (${chars.toLocaleString('en-US')} chars)`);
console.log(`bpfkit best:    ${best.toFixed(1)} ms  ${rate(best)}`);
console.log(`bpfkit mean:    ${(total / passes).toFixed(1)} ms  ${rate(total / passes)}`);
if (!Number.isNaN(cxxfiltMs)) {
  console.log(`c++filt (process, one pass): ${cxxfiltMs.toFixed(1)} ms  ${rate(cxxfiltMs)}`);
  console.log(`ratio bpfkit/c++filt time:   ${(best / cxxfiltMs).toFixed(2)}`);
}
