// Truncated and mutated ELF bytes must give ElfError: never another exception, a crash or a hang.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElfError, parseElf, parseLdCache, type ElfFile } from './index.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/elf');
const haveSdt = existsSync('/usr/include/x86_64-linux-gnu/sys/sdt.h') || existsSync('/usr/include/sys/sdt.h');
if (!haveSdt) console.log('ELF fuzz test skipped: <sys/sdt.h> is missing (install systemtap-sdt-dev)');

/** xorshift32, so a failure can be replayed from its seed */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function exercise(elf: ElfFile): void {
  elf.sections();
  elf.segments();
  const syms = elf.symbols();
  elf.findSymbols('*a*');
  for (const s of syms.slice(0, 20)) {
    try {
      elf.symbolFileOffset(s.name);
    } catch (err) {
      if (!(err instanceof ElfError)) throw err;
    }
  }
  elf.usdtNotes();
  elf.buildId();
  elf.debugLink();
  elf.notes();
}

function outcome(bytes: Uint8Array): 'ok' | 'ElfError' {
  try {
    exercise(parseElf(bytes, 'fuzz'));
    return 'ok';
  } catch (err) {
    if (err instanceof ElfError) return 'ElfError';
    throw err;
  }
}

describe.skipIf(!haveSdt)('ELF fuzz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfkit-elf-fuzz-'));
  const out = join(dir, 'prog');
  let original = new Uint8Array();
  try {
    execFileSync('gcc', ['-O2', '-o', out, join(FIXTURES, 'usdt_prog.c'), join(FIXTURES, 'usdt_sem.c')]);
    original = new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  it('reads the unmutated fixture', () => {
    expect(outcome(original)).toBe('ok');
  });

  it('gives ElfError for every truncation', () => {
    const random = rng(1);
    const counts = { ok: 0, ElfError: 0 };
    for (let i = 0; i < 400; i++) {
      const length = i < 128 ? i : Math.floor(random() * original.length);
      counts[outcome(original.slice(0, length))]++;
    }
    expect(counts.ElfError).toBeGreaterThan(0);
    expect(counts.ok + counts.ElfError).toBe(400);
  });

  it('gives ElfError or a result for random byte mutations', () => {
    const random = rng(42);
    const counts = { ok: 0, ElfError: 0 };
    // Headers, tables and notes are where mutations matter; aim most of them at the header and the section table.
    const header = 64;
    const view = new DataView(original.buffer, original.byteOffset);
    const shoff = Number(view.getBigUint64(40, true));
    const regions: Array<[number, number]> = [
      [0, header],
      [shoff, original.length],
      [0, original.length],
    ];
    for (let i = 0; i < 3000; i++) {
      const bytes = original.slice();
      const [from, to] = regions[i % regions.length] as [number, number];
      const flips = 1 + Math.floor(random() * 8);
      for (let f = 0; f < flips; f++) {
        const at = from + Math.floor(random() * (to - from));
        bytes[at] = random() < 0.3 ? 0xff : Math.floor(random() * 256);
      }
      counts[outcome(bytes)]++;
    }
    expect(counts.ElfError).toBeGreaterThan(0);
    expect(counts.ok).toBeGreaterThan(0);
  });
});

describe('ld.so cache fuzz', () => {
  it('gives ElfError or entries for truncated and mutated caches', () => {
    let original: Buffer;
    try {
      original = readFileSync('/etc/ld.so.cache');
    } catch {
      console.log('ld.so cache fuzz skipped: no /etc/ld.so.cache');
      return;
    }
    const random = rng(7);
    const counts = { ok: 0, ElfError: 0 };
    for (let i = 0; i < 1000; i++) {
      let bytes = Buffer.from(original);
      if (i % 2 === 0) bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
      else for (let f = 0; f < 4; f++) bytes[Math.floor(random() * Math.min(bytes.length, 4096))] = Math.floor(random() * 256);
      try {
        parseLdCache(bytes);
        counts.ok++;
      } catch (err) {
        if (!(err instanceof ElfError)) throw err;
        counts.ElfError++;
      }
    }
    expect(counts.ElfError).toBeGreaterThan(0);
    expect(counts.ok).toBeGreaterThan(0);
  });
});
