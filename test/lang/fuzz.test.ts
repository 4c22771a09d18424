// A bounded fuzz run of the parser: random bytes and mutations of the golden programs must never throw.
// The long run is scripts/fuzz-parse.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, parse, printAst } from '../../src/lang/index.js';
import { fuzzInput, prng } from './fuzz-gen.js';

const dir = join(import.meta.dirname, 'golden', 'ast');
const seeds = readdirSync(dir)
  .filter((f) => f.endsWith('.bt'))
  .map((f) => readFileSync(join(dir, f), 'utf8'));

describe('parser fuzz (bounded)', () => {
  it('survives 3,000 random and mutated programs', () => {
    const rnd = prng(12345);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const input = fuzzInput(seeds, rnd);
      let result;
      try {
        result = parse(input);
        formatDiagnostics(result.diagnostics);
        printAst(result.program);
      } catch (e) {
        throw new Error(`input ${i} crashed the parser: ${JSON.stringify(input)}`, { cause: e });
      }
      if (!result.diagnostics.ok) rejected++;
    }
    // Most mutations break the program; if none did, the generator would be testing nothing.
    expect(rejected).toBeGreaterThan(1000);
  });

  it('rejects deep nesting of every kind with a diagnostic', () => {
    for (const open of ['(', '{', '-', '!', '*', '[']) {
      const { diagnostics } = parse(`begin { $x = ${open.repeat(10_000)}1; }`);
      expect(diagnostics.ok).toBe(false);
    }
  });
});
