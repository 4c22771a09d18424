import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openElf } from '../elf/index.js';
import { InlineInfo } from './dwarf-inline.js';
import { LineTable } from './dwarf-line.js';
import { instructionAddresses, scratchDir } from './dwarf-testkit.js';

const FIXTURE = resolve(import.meta.dirname, '../../test/fixtures/stacks/inlined.c');

const dir = scratchDir('bpfkit-dwarf-inline-');

describe.each([
  ['-O0 DWARF 5', ['-O0', '-gdwarf-5']],
  ['-O2 DWARF 5', ['-O2', '-gdwarf-5']],
  ['-O2 DWARF 4', ['-O2', '-gdwarf-4']],
  ['-O2 DWARF 5, split ranges', ['-O2', '-gdwarf-5', '-freorder-blocks-and-partition']],
])('InlineInfo of a %s binary', (label, flags) => {
  it('gives the inlined calls addr2line -i gives, with their call sites', () => {
    const binary = join(dir(), `inlined-${label.replace(/\W+/g, '-')}`);
    execFileSync('gcc', [...flags, '-fno-omit-frame-pointer', '-o', binary, FIXTURE]);
    const elf = openElf(binary);
    const info = InlineInfo.fromElf(elf);
    const lines = LineTable.fromElf(elf);
    expect(info).toBeDefined();
    const addresses = instructionAddresses(binary, ['real_fn', 'main']);
    const text = execFileSync('addr2line', ['-i', '-f', '-a', '-e', binary, ...addresses.map((a) => `0x${a.toString(16)}`)], { encoding: 'utf8' });
    // addr2line -a prints each address, then (function, file:line) pairs innermost first; the last pair is the real function.
    const blocks = text.split(/^0x[0-9a-f]+\n/m).slice(1);
    let inlinedSeen = 0;
    addresses.forEach((address, i) => {
      const pairs = blocks[i]!.trim().split('\n');
      const want: string[] = [];
      for (let k = 0; k + 1 < pairs.length - 1; k += 2) want.push(`${pairs[k]} called at ${pairs[k + 3]!.replace(/ \(discriminator \d+\)$/, '')}`);
      const got = info!
        .at(address)
        .reverse()
        .map((c) => {
          const file = lines!.fileName(c.lineUnit!, c.callFile!);
          return `${c.name} called at ${file!.dir}/${file!.file}:${c.callLine}`;
        });
      expect(got, `at 0x${address.toString(16)}`).toEqual(want);
      inlinedSeen += got.length;
    });
    expect(inlinedSeen).toBeGreaterThan(0);
  });
});
