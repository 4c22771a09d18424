// Whole programs through the compiler and the kernel's verifier: bpfkit's bundled tools with their default
// options, and (when bpftrace's sources are unpacked at /tmp/bt-src) bpftrace's own tools/*.bt.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allTools, missing, parseToolArgs } from '../../src/tools/index.js';
import { compile, formatDiagnostics } from '../../src/lang/index.js';
import { load } from './harness.js';

/** Compiles and loads (without attaching) every program; returns the failures as text. */
function compileAndLoad(name: string, source: string): string | undefined {
  const r = compile(source, name, {});
  if (!r.artifact) return `${name}: ${formatDiagnostics(r.diagnostics).split('\n')[0]}`;
  // fentry/fexit loads are refused on this machine's kernel (EPERM from a security module).
  if (r.artifact.probes.some((p) => p.target.kind === 'fentry')) return undefined;
  try {
    load(r.artifact, { attach: false }).close();
    return undefined;
  } catch (err) {
    return `${name}: ${(err as Error).message.split('\n')[0]}`;
  }
}

describe('whole programs', () => {
  it("compiles and loads every bundled tool's default program", () => {
    const failures: string[] = [];
    let tried = 0;
    for (const tool of allTools()) {
      let source: string;
      try {
        source = tool.program(parseToolArgs(tool, []));
      } catch {
        continue; // tools that need an option such as -p PID
      }
      // A kernel variable read by address (loads: avenrun) resolves at compile time, so a kernel that does not
      // list it cannot compile the tool; the tool itself refuses with that reason, tested in test/tools.
      const absent = tool.needs.filter((n) => n.kind === 'ksym').map(missing).find((r) => r !== undefined);
      if (absent !== undefined) {
        console.log(`not compiling ${tool.name}: ${absent}`);
        continue;
      }
      tried++;
      const f = compileAndLoad(`${tool.name}.bt`, source);
      if (f) failures.push(f);
    }
    expect(tried).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });

  const btTools = '/tmp/bt-src/tools';
  const haveBt = existsSync(btTools);
  if (!haveBt) console.warn(`skipping bpftrace's tools: ${btTools} is not here`);
  it.skipIf(!haveBt)("compiles and loads bpftrace's tools/*.bt", () => {
    const failures: string[] = [];
    const files = readdirSync(btTools).filter((f) => f.endsWith('.bt'));
    for (const f of files) {
      const e = compileAndLoad(f, readFileSync(`${btTools}/${f}`, 'utf8'));
      if (e) failures.push(e);
    }
    // loads.bt reads `avenrun`, which this kernel's kallsyms does not list (no CONFIG_KALLSYMS_ALL).
    expect(failures.filter((f) => !f.startsWith('loads.bt'))).toEqual([]);
    expect(files.length - failures.length).toBeGreaterThanOrEqual(38);
  });
});

describe("bpftrace's runtime test programs", () => {
  const dir = '/tmp/bt-src/tests/runtime';
  const have = existsSync(dir);
  if (!have) console.warn(`skipping bpftrace's runtime test programs: ${dir} is not here`);
  // Probe types this machine cannot load or the compiler does not have yet.
  const skip = /uprobe|usdt|kfunc|kretfunc|fentry|fexit|watchpoint|iter:|dwarf|self:|bench:|test:/;

  it.skipIf(!have)('compiles most PROG lines and every compiled one passes the verifier', () => {
    let total = 0;
    let compiled = 0;
    const refused: string[] = [];
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      if (!f.isFile()) continue;
      for (const line of readFileSync(`${dir}/${f.name}`, 'utf8').split('\n')) {
        if (!line.startsWith('PROG ') || skip.test(line)) continue;
        total++;
        const r = compile(line.slice(5), 'prog.bt', { positional: ['1', '2', '3'] });
        if (!r.artifact) continue;
        compiled++;
        try {
          load(r.artifact, { attach: false }).close();
        } catch (err) {
          refused.push(`${f.name}: ${line.slice(5, 120)}: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    }
    console.log(`bpftrace runtime programs: ${compiled}/${total} compiled, ${compiled - refused.length} verified`);
    expect(refused).toEqual([]);
    // Some of the rest are meant to fail (they test error messages); the figure guards against regressions.
    expect(compiled).toBeGreaterThanOrEqual(420);
  });
});
