import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openElf } from '../elf/index.js';
import { LineTable } from './dwarf-line.js';
import { instructionAddresses, scratchDir } from './dwarf-testkit.js';

const FIXTURE = resolve(import.meta.dirname, '../../test/fixtures/stacks/frames.c');

const dir = scratchDir('bpfkit-dwarf-line-');

describe.each([
  ['DWARF 5', ['-gdwarf-5']],
  ['DWARF 4', ['-gdwarf-4']],
  ['DWARF 5, compressed sections', ['-gdwarf-5', '-gz=zlib']],
])('LineTable of a %s binary', (label, flags) => {
  it('agrees with addr2line on every instruction of the program', () => {
    const binary = join(dir(), `frames-${label.replace(/\W+/g, '-')}`);
    execFileSync('gcc', ['-O1', ...flags, '-o', binary, FIXTURE]);
    const table = LineTable.fromElf(openElf(binary));
    expect(table).toBeDefined();
    const addresses = instructionAddresses(binary, ['leaf', 'middle', 'outer', 'main']);
    expect(addresses.length).toBeGreaterThan(10);
    const expected = execFileSync('addr2line', ['-e', binary, ...addresses.map((a) => `0x${a.toString(16)}`)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.replace(/ \(discriminator \d+\)$/, ''));
    const got = addresses.map((a) => {
      const hit = table!.lookup(a);
      return hit ? `${hit.dir}/${hit.file}:${hit.line}` : '??:0';
    });
    expect(got).toEqual(expected);
  });
});

describe('LineTable edge cases', () => {
  it('has no table for a binary built without -g, and no line outside any sequence', () => {
    const binary = join(dir(), 'frames-nodebug');
    execFileSync('gcc', ['-O1', '-g0', '-o', binary, FIXTURE]);
    expect(LineTable.fromElf(openElf(binary))).toBeUndefined();
    const table = LineTable.parse(Buffer.alloc(0));
    expect(table.lookup(0x401000n)).toBeUndefined();
  });
});
