// Test support for the DWARF reader tests (kept out of the library's index): a scratch directory for the
// binaries they compile, and the instruction addresses objdump finds, to ask addr2line and the readers about.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A directory made before a test file's tests and removed after them; the result gives its path inside a test. */
export function scratchDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** Instruction addresses of the named functions of a binary, from objdump. */
export function instructionAddresses(binary: string, functions: readonly string[]): bigint[] {
  const out = execFileSync('objdump', ['-d', '--no-show-raw-insn', binary], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const addresses: bigint[] = [];
  let inside = false;
  for (const line of out.split('\n')) {
    const fn = /^[0-9a-f]+ <(\w+)>:$/.exec(line);
    if (fn) inside = functions.includes(fn[1]!);
    const insn = /^\s+([0-9a-f]+):/.exec(line);
    if (inside && insn) addresses.push(BigInt(`0x${insn[1]}`));
  }
  return addresses;
}
