import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkXml } from '../../test/flamegraph/xml-check.js';
import { renderFlameGraph } from './render.js';
import { FlameGraphOptionError } from './errors.js';

const cpu = readFileSync(new URL('../../test/flamegraph/fixtures/cpu.folded', import.meta.url), 'utf8');

interface Rect {
  title: string;
  x: number;
  y: number;
  width: number;
}

function frames(svg: string): Rect[] {
  const re = /<g><title>([^<]*)<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g;
  return [...svg.matchAll(re)].map((m) => ({ title: m[1]!, x: Number(m[2]), y: Number(m[3]), width: Number(m[4]) }));
}

describe('renderFlameGraph', () => {
  it('writes a well-formed SVG with one <g> per frame', () => {
    const svg = renderFlameGraph(cpu);
    const check = checkXml(svg);
    expect(check.errors).toEqual([]);
    expect(check.elements.get('svg')).toBe(1);
    expect(check.elements.get('g')).toBe(frames(svg).length + 1);
    expect(svg).toContain('&lt;html&gt;&amp;&quot;quotes&quot;');
  });

  it('draws the same layout as flamegraph.pl for a small profile', () => {
    const svg = renderFlameGraph('a;b;c 5\na;b 3\na;d 2\nx;y_[k] 10\n');
    // Rectangles flamegraph.pl drew for this input.
    expect(frames(svg).map((f) => `${f.title} ${f.x} ${f.y} ${f.width}`)).toEqual([
      'all (20 samples, 100%) 10 85 1180',
      'a (10 samples, 50.00%) 10 69 590',
      'b (8 samples, 40.00%) 10 53 472',
      'c (5 samples, 25.00%) 187 37 295',
      'd (2 samples, 10.00%) 482 53 118',
      'x (10 samples, 50.00%) 600 69 590',
      'y (10 samples, 50.00%) 600 53 590',
    ]);
  });

  it('nests every frame inside its parent, the root spanning the width', () => {
    const svg = renderFlameGraph(cpu, { width: 1000 });
    const fs = frames(svg);
    expect(fs[0]!.width).toBe(980);
    for (const f of fs.slice(1)) {
      const parents = fs.filter((p) => p.y === f.y + 16 && p.x <= f.x + 0.05 && p.x + p.width >= f.x + f.width - 0.15);
      expect(parents.length, f.title).toBe(1);
    }
  });

  it('grows downwards when inverted and titles it an icicle graph', () => {
    const svg = renderFlameGraph('a;b 1\n', { inverted: true });
    const fs = frames(svg);
    expect(fs.map((f) => f.y)).toEqual([36, 52, 68]);
    expect(svg).toContain('>Icicle Graph</text>');
  });

  it('prunes frames narrower than minwidth', () => {
    const text = 'a;b 1000\na;c 1\n';
    expect(frames(renderFlameGraph(text)).map((f) => f.title.split(' ')[0])).toEqual(['all', 'a', 'b', 'c']);
    expect(frames(renderFlameGraph(text, { minWidth: 2 })).map((f) => f.title.split(' ')[0])).toEqual(['all', 'a', 'b']);
    expect(frames(renderFlameGraph(text, { minWidth: '1%' })).map((f) => f.title.split(' ')[0])).toEqual(['all', 'a', 'b']);
  });

  it('labels differential frames with their change', () => {
    const svg = renderFlameGraph('a;b 10 4\na 2 5\n');
    expect(svg).toContain('<title>b (4 samples, 44.44%; -66.67%)</title>');
    // b shrank by the largest change (blue at full strength); a grew by half of it.
    expect(svg).toMatch(/<title>b [^<]*<\/title><rect [^>]*fill="rgb\(0,0,255\)"/);
    expect(svg).toMatch(/<title>a [^<]*<\/title><rect [^>]*fill="rgb\(255,105,105\)"/);
  });

  it('draws a message when there are no stacks', () => {
    const svg = renderFlameGraph('');
    expect(checkXml(svg).errors).toEqual([]);
    expect(svg).toContain('No valid input');
  });

  it('rejects unusable options', () => {
    expect(() => renderFlameGraph('a 1\n', { minWidth: 'wide' })).toThrow(FlameGraphOptionError);
    expect(() => renderFlameGraph('a 1\n', { notes: 'a <b>' })).toThrow(/notes/);
    expect(() => renderFlameGraph('a 1\n', { width: -5 })).toThrow(/width/);
  });
});
