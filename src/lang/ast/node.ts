// The base of every AST node: a kind tag for switches and the source range it came from.
import type { Range } from '../source.js';

export abstract class Node {
  abstract readonly kind: string;
  declare range: Range;
  constructor(range: Range) {
    this.range = range;
  }
  // Direct children in source order; the walker and the printer rely on it.
  abstract children(): Node[];
}

export function compact(items: (Node | undefined)[]): Node[] {
  return items.filter((n): n is Node => n !== undefined);
}
