// Parses every whole-program example in a bpftrace checkout (tools/*.bt and the docs' code blocks and
// `bpftrace -e '...'` one-liners) and reports how many parse: `node scripts/run-ts.mjs scripts/parse-examples.ts [DIR]`.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, formatDiagnostics } from '../src/lang/index.js';

interface Example {
  readonly where: string;
  readonly program: string;
}

const dir = process.argv[2] ?? '/tmp/bt-src';
if (!existsSync(join(dir, 'tools'))) {
  process.stderr.write(`ERROR: no bpftrace checkout at ${dir}\n`);
  process.exit(1);
}

// Single-quoted shell arguments after -e, with '\'' joins undone.
function oneLiners(text: string): string[] {
  const out: string[] = [];
  const re = /bpftrace\b[^\n']*?(?:-e|--)\s*'((?:[^']|'\\'')*)'/g;
  for (const m of text.matchAll(re)) out.push(m[1]!.replace(/'\\''/g, "'"));
  // Double-quoted -e arguments are rarer; undo the shell escapes that matter.
  const dq = /bpftrace\b[^\n"]*?-e\s*"((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(dq)) out.push(m[1]!.replace(/\\(["\\$`])/g, '$1'));
  return out;
}

// A fenced block is a whole program when it has a probe with a body, or a preamble/config.
function looksWhole(code: string): boolean {
  const stripped = code.replace(/\/\/.*$/gm, '').trim();
  if (stripped === '') return false;
  if (/^(#\s*)?bpftrace\b|^\$ |^# /m.test(stripped)) return false;
  return /^[A-Za-z_*][\w*.:/+\-,"$@=]*(\s*,\s*[\w*.:/+\-"$@=]+)*\s*(\/.*\/)?\s*\{/m.test(stripped);
}

function docExamples(path: string): Example[] {
  const text = readFileSync(path, 'utf8');
  const name = path.slice(dir.length + 1);
  const out: Example[] = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```/gm;
  for (const m of text.matchAll(fence)) {
    const line = text.slice(0, m.index).split('\n').length + 1;
    // Output listings (diagnostics, probe lists) are not programs.
    if (/^stdin:\d|^\S+:\d+:\d+-\d+: (ERROR|WARNING)/m.test(m[2]!)) continue;
    const body = m[2]!;
    const lang = m[1]!.trim();
    for (const p of oneLiners(body)) out.push({ where: `${name}#L${line}(one-liner)`, program: p });
    if ((lang === '' || lang === 'bpftrace' || lang === 'c') && looksWhole(body)) {
      out.push({ where: `${name}#L${line}`, program: body });
    }
  }
  // One-liners in prose and tables outside fences.
  const outside = text.replace(fence, '');
  for (const p of oneLiners(outside)) out.push({ where: `${name} (prose one-liner)`, program: p });
  return out;
}

function run(label: string, examples: Example[]): { ok: number; total: number } {
  let ok = 0;
  const failures: string[] = [];
  for (const ex of examples) {
    const { diagnostics } = parse(ex.program, ex.where);
    if (diagnostics.ok) ok++;
    else failures.push(`--- ${ex.where}\n${formatDiagnostics(diagnostics, { warnings: false })}`);
  }
  process.stdout.write(`${label}: ${ok}/${examples.length} parse\n`);
  for (const f of failures) process.stdout.write(f);
  return { ok, total: examples.length };
}

const tools = readdirSync(join(dir, 'tools'))
  .filter((f) => f.endsWith('.bt'))
  .sort()
  .map((f) => ({ where: `tools/${f}`, program: readFileSync(join(dir, 'tools', f), 'utf8') }));
const docs: Example[] = [];
for (const f of readdirSync(join(dir, 'docs')).filter((f) => f.endsWith('.md')).sort()) docs.push(...docExamples(join(dir, 'docs', f)));
const man = join(dir, 'man/adoc/bpftrace.adoc');
if (existsSync(man)) {
  const text = readFileSync(man, 'utf8');
  for (const p of oneLiners(text)) docs.push({ where: 'man/adoc/bpftrace.adoc (one-liner)', program: p });
}

// Beyond the issue's two corpora: the other .bt files (stdlib macros, tests, old tools) and the runtime tests' programs.
function btFiles(sub: string): Example[] {
  const out: Example[] = [];
  const walkDir = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walkDir(p);
      else if (e.name.endsWith('.bt')) out.push({ where: p.slice(dir.length + 1), program: readFileSync(p, 'utf8') });
    }
  };
  walkDir(join(dir, sub));
  return out;
}
const otherBt = [...btFiles('tools/old'), ...btFiles('src/stdlib'), ...btFiles('tests')];
const runtime: Example[] = [];
const runtimeDir = join(dir, 'tests/runtime');
if (existsSync(runtimeDir)) {
  for (const f of readdirSync(runtimeDir, { withFileTypes: true })) {
    if (!f.isFile()) continue;
    const text = readFileSync(join(runtimeDir, f.name), 'utf8');
    for (const block of text.split(/^NAME /m).slice(1)) {
      const m = /^PROG (.*)$/m.exec(block);
      if (m) runtime.push({ where: `tests/runtime/${f.name}: ${block.split('\n')[0]}`, program: m[1]! });
    }
  }
}

const t = run('tools/*.bt', tools);
const d = run('docs examples', docs);
run('other .bt files (tools/old, src/stdlib, tests)', otherBt);
run('tests/runtime programs', runtime);
process.exitCode = t.ok === t.total && d.ok === d.total ? 0 : 1;
