import { describe, expect, it } from 'vitest';
import { backgroundStops, deltaColor, formatPaletteMap, frameColor, parsePaletteMap } from './palette.js';

// Expected colours are the ones flamegraph.pl drew for the same names (its default, name-seeded colours).
describe('frameColor', () => {
  it('matches flamegraph.pl for the hot palette', () => {
    expect(frameColor('hot', '')).toBe('rgb(213,39,9)');
    expect(frameColor('hot', 'a')).toBe('rgb(236,146,35)');
    expect(frameColor('hot', 'c')).toBe('rgb(224,87,20)');
    expect(frameColor('hot', 'y_[k]')).toBe('rgb(238,153,36)');
  });

  it('colours kernel frames orange and JIT frames green in the java palette', () => {
    expect(frameColor('java', 'do_syscall_64_[k]')).toMatch(/^rgb\(\d+,\d+,0\)$/);
    const [r, g, b] = /rgb\((\d+),(\d+),(\d+)\)/.exec(frameColor('java', 'Interpreter_[j]'))!.slice(1).map(Number);
    expect(g).toBeGreaterThanOrEqual(200);
    expect(r).toBe(b);
  });

  it('is the same for the same name', () => {
    expect(frameColor('mem', 'malloc')).toBe(frameColor('mem', 'malloc'));
    expect(frameColor('io', 'read', 'hash')).toBe(frameColor('io', 'read', 'hash'));
  });
});

describe('deltaColor', () => {
  it('is red for growth, blue for shrinkage and white for none', () => {
    expect(deltaColor(10, 10, false)).toBe('rgb(255,0,0)');
    expect(deltaColor(-5, 10, false)).toBe('rgb(105,105,255)');
    expect(deltaColor(0, 10, false)).toBe('rgb(255,255,255)');
    expect(deltaColor(10, 10, true)).toBe('rgb(0,0,255)');
  });
});

describe('backgrounds and palette files', () => {
  it('picks the background from the palette', () => {
    expect(backgroundStops('hot', undefined)).toEqual(['#eeeeee', '#eeeeb0']);
    expect(backgroundStops('mem', undefined)).toEqual(['#eef2ee', '#e0ffe0']);
    expect(backgroundStops('io', '')).toEqual(['#eeeeee', '#e0e0ff']);
    expect(backgroundStops('red', undefined)).toEqual(['#f8f8f8', '#e8e8e8']);
    expect(backgroundStops('hot', '#123456')).toEqual(['#123456', '#123456']);
    expect(backgroundStops('hot', 'pink')).toBeUndefined();
  });

  it('round-trips a palette map', () => {
    const text = 'a->rgb(1,2,3)\nb->rgb(4,5,6)\n';
    expect(formatPaletteMap(parsePaletteMap(text))).toBe(text);
  });
});
