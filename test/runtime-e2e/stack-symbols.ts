// What the stack tests check frames against: a fixture's text symbols from nm (not bpfkit's own ELF reader) and
// the tagged sections a test program prints its stacks between.
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

export interface TextSymbol {
  address: bigint;
  name: string;
}

/** Text symbols of a binary by address, from nm. */
export function nmSymbols(binary: string): TextSymbol[] {
  const r = spawnSync('nm', ['-n', binary], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nm failed: ${r.stderr}`);
  const out: TextSymbol[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-f]+) [tTwW] (\S+)$/.exec(line);
    if (m) out.push({ address: BigInt(`0x${m[1]}`), name: m[2]! });
  }
  return out;
}

/** `name+decimal offset` of the nearest symbol at or below an address. */
export function symbolPlusOffset(symbols: readonly TextSymbol[], address: bigint): { name: string; offset: bigint } {
  let best: TextSymbol | undefined;
  for (const s of symbols) if (s.address <= address && (!best || s.address >= best.address)) best = s;
  if (!best) throw new Error(`no symbol covers 0x${address.toString(16)}`);
  return { name: best.name, offset: address - best.address };
}

/** The lines between <tag> and </tag>, without the stack's leading and trailing empty lines. */
export function section(stdout: string, tag: string): string[] {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(stdout);
  if (!m) throw new Error(`no <${tag}> in output:\n${stdout}`);
  const lines = m[1]!.split('\n');
  expect(lines[0]).toBe('');
  expect(lines[lines.length - 1]).toBe('');
  return lines.slice(1, -1);
}
