// Differential input: two folded profiles joined into `stack before after` lines.
import { parseFoldedLine } from './folded.js';

export interface DiffOptions {
  /** Scale the first profile's counts so both totals match. */
  normalize?: boolean;
  /** Replace hex addresses with 0x... so the same code at different addresses lines up. */
  stripHex?: boolean;
}

function totals(text: string, stripHex: boolean, into: Map<string, [number, number]>, slot: 0 | 1): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const parsed = parseFoldedLine(line);
    if (parsed === undefined) continue;
    const stack = stripHex ? parsed.stack.replace(/0x[0-9a-fA-F]+/g, '0x...') : parsed.stack;
    let counts = into.get(stack);
    if (counts === undefined) {
      counts = [0, 0];
      into.set(stack, counts);
    }
    counts[slot] += parsed.count;
    total += parsed.count;
  }
  return total;
}

/** The two-count folded text a differential flame graph reads: width from `after`, colour from the change. */
export function diffFolded(before: string, after: string, options: DiffOptions = {}): string {
  const stacks = new Map<string, [number, number]>();
  const total1 = totals(before, options.stripHex === true, stacks, 0);
  const total2 = totals(after, options.stripHex === true, stacks, 1);
  const out: string[] = [];
  for (const stack of [...stacks.keys()].sort()) {
    const counts = stacks.get(stack) as [number, number];
    let first = counts[0];
    if (options.normalize && total1 !== total2 && total1 > 0) first = Math.trunc((first * total2) / total1);
    out.push(`${stack} ${first} ${counts[1]}\n`);
  }
  return out.join('');
}
