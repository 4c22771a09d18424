import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseFolded } from './folded.js';
import { buildModel, walkModel, type FrameNode } from './model.js';

function find(node: FrameNode, path: string[]): FrameNode {
  let n = node;
  for (const name of path) {
    const next = n.children.find((c) => c.name === name);
    if (!next) throw new Error(`no frame ${name}`);
    n = next;
  }
  return n;
}

describe('buildModel', () => {
  it('merges common prefixes and sums values', () => {
    const model = buildModel(parseFolded('a;b;c 5\na;b 3\na;d 2\nx;y 10\n'));
    expect(model.root.value).toBe(20);
    expect(model.root.children.map((c) => c.name)).toEqual(['a', 'x']);
    const a = find(model.root, ['a']);
    expect(a.value).toBe(10);
    expect(a.children.map((c) => [c.name, c.value, c.self])).toEqual([
      ['b', 8, 3],
      ['d', 2, 2],
    ]);
    // A parent's own samples sit at its left: b's self (3) comes before c.
    expect(find(model.root, ['a', 'b', 'c']).offset).toBe(3);
    expect(find(model.root, ['a', 'd']).offset).toBe(8);
    expect(find(model.root, ['x']).offset).toBe(10);
  });

  it('gives every frame a width that sums from its children and its own samples', () => {
    const text = readFileSync(new URL('../../test/flamegraph/fixtures/cpu.folded', import.meta.url), 'utf8');
    const model = buildModel(parseFolded(text));
    let frames = 0;
    walkModel(model, (node) => {
      frames++;
      const sum = node.children.reduce((s, c) => s + c.value, 0);
      expect(node.value).toBe(node.self + sum);
      // Children are laid side by side inside their parent.
      let end = 0;
      for (const c of node.children) {
        expect(c.offset).toBeGreaterThanOrEqual(end);
        end = c.offset + c.value;
      }
      expect(end).toBeLessThanOrEqual(node.value);
    });
    expect(frames).toBeGreaterThan(60);
    expect(model.root.value).toBe(327);
  });

  it('orders siblings as flamegraph.pl sorts lines', () => {
    const model = buildModel(parseFolded('r;foo_bar 1\nr;foo;x 1\nr;Zed 1\nr;foo 1\n'));
    expect(find(model.root, ['r']).children.map((c) => c.name)).toEqual(['Zed', 'foo', 'foo_bar']);
  });

  it('merges only consecutive stacks in a flame chart', () => {
    const model = buildModel(parseFolded('a;b 1\na;c 1\na;b 1\n', { flamechart: true }));
    const a = find(model.root, ['a']);
    expect(a.children.map((c) => [c.name, c.offset])).toEqual([
      ['b', 0],
      ['c', 1],
      ['b', 2],
    ]);
  });

  it('drops frames below the minimum value with what is above them', () => {
    const model = buildModel(parseFolded('a;b 50\na;c;d 1\ne 49\n'), { minValue: 2 });
    expect(find(model.root, ['a']).children.map((c) => c.name)).toEqual(['b']);
    expect(find(model.root, ['a']).value).toBe(51);
    expect(model.root.children.map((c) => c.name)).toEqual(['a', 'e']);
  });

  it('keeps the self change of each stack for differentials', () => {
    const model = buildModel(parseFolded('a;b 10 4\na 2 5\n'));
    expect(model.differential).toBe(true);
    expect(find(model.root, ['a', 'b']).delta).toBe(-6);
    expect(find(model.root, ['a']).delta).toBe(3);
    expect(find(model.root, ['a']).value).toBe(9);
  });
});
