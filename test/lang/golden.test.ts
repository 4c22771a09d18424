// Golden tests: AST dumps of valid programs and diagnostics for malformed ones.
// Regenerate with UPDATE_GOLDEN=1 npx vitest run test/lang/golden.test.ts, then review the diff.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, parse, printAst } from '../../src/lang/index.js';

const root = join(import.meta.dirname, 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

function check(file: string, actual: string): void {
  if (update || !existsSync(file)) {
    writeFileSync(file, actual);
    if (!update) throw new Error(`Golden file was missing and has been written: ${file}`);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('AST goldens', () => {
  const dir = join(root, 'ast');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.bt')).sort()) {
    it(f, () => {
      const { program, diagnostics } = parse(readFileSync(join(dir, f), 'utf8'), f);
      expect(formatDiagnostics(diagnostics, { warnings: false })).toBe('');
      const warnings = formatDiagnostics(diagnostics);
      check(join(dir, f.replace(/\.bt$/, '.ast')), printAst(program) + (warnings === '' ? '' : `\n${warnings}`));
    });
  }
});

describe('diagnostic goldens', () => {
  const dir = join(root, 'errors');
  const files = readdirSync(dir).filter((f) => f.endsWith('.bt')).sort();
  it('has at least 40 malformed programs', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });
  for (const f of files) {
    it(f, () => {
      const { diagnostics } = parse(readFileSync(join(dir, f), 'utf8'));
      const text = formatDiagnostics(diagnostics);
      check(join(dir, f.replace(/\.bt$/, '.err')), text);
    });
  }
});
