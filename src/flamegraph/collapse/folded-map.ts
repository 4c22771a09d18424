// What every collapser produces: counts per folded stack, printed sorted like the stackcollapse scripts.

/** Counts per stack; the key is the frames, root first, joined by ';'. */
export type FoldedCounts = Map<string, number>;

export function addStack(counts: FoldedCounts, stack: string, count: number): void {
  counts.set(stack, (counts.get(stack) ?? 0) + count);
}

/** A frame name that cannot break the folded format: ';' separates frames and a line ends the stack. */
export function foldedFrame(name: string): string {
  return name.replace(/;/g, ':').replace(/[\r\n]/g, ' ');
}

export function formatFolded(counts: FoldedCounts): string {
  const stacks = [...counts.keys()].sort();
  return stacks.map((stack) => `${stack} ${counts.get(stack) ?? 0}\n`).join('');
}
