// Layers import only downward, and no module imports itself through a cycle.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const rank: Record<string, number> = {
  sys: 0, isa: 1, btf: 2, elf: 2, symbols: 2, tracefs: 2, kernel: 3, lang: 4, runtime: 5, tools: 6, flamegraph: 6, cli: 7,
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

function layerOf(file: string): string | undefined {
  const parts = relative('src', file).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    out.push(normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return out;
}

describe('layers', () => {
  const files = sources('src');

  it('import only from earlier layers', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      if (from === undefined || !(from in rank)) continue;
      for (const target of importsOf(f)) {
        const to = layerOf(target);
        if (to !== undefined && to in rank && rank[to]! > rank[from]!) bad.push(`${f} imports ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('have no import cycles between files', () => {
    // Dynamic imports (the CLI's lazy subcommands) are not part of module initialisation, so they cannot cycle.
    const graph = new Map<string, string[]>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const deps: string[] = [];
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^'"]*?from\s*['"](\.[^'"]+)['"]/g)) {
        deps.push(normalize(join(dirname(f), m[1]!)).replace(/\.js$/, '.ts'));
      }
      graph.set(normalize(f), deps);
    }
    const state = new Map<string, number>();
    const cycles: string[] = [];
    const visit = (node: string, stack: string[]): void => {
      state.set(node, 1);
      for (const dep of graph.get(node) ?? []) {
        if (state.get(dep) === 1) cycles.push([...stack.slice(stack.indexOf(dep)), dep].join(' -> '));
        else if (!state.has(dep) && graph.has(dep)) visit(dep, [...stack, dep]);
      }
      state.set(node, 2);
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node, [node]);
    expect(cycles).toEqual([]);
  });
});
