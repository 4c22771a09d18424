import { describe, expect, it } from 'vitest';
import { FoldedParser, parseFolded, parseFoldedLine } from './folded.js';

describe('parseFoldedLine', () => {
  it('splits the stack from a trailing count', () => {
    expect(parseFoldedLine('a;b;c 12')).toEqual({ stack: 'a;b;c', count: 12 });
    expect(parseFoldedLine('a b;c d 3.5')).toEqual({ stack: 'a b;c d', count: 3.5 });
    expect(parseFoldedLine('a;b 7\r')).toEqual({ stack: 'a;b', count: 7 });
  });

  it('reads a differential line as before and after', () => {
    expect(parseFoldedLine('a;b 3 9')).toEqual({ stack: 'a;b', count: 9, before: 3 });
  });

  it('rejects lines without a count', () => {
    expect(parseFoldedLine('a;b')).toBeUndefined();
    expect(parseFoldedLine('a;b x3')).toBeUndefined();
    expect(parseFoldedLine('a;b 1.2.3')).toBeUndefined();
    expect(parseFoldedLine('12')).toBeUndefined();
  });
});

describe('FoldedParser', () => {
  it('joins lines split across chunks and counts bad lines', () => {
    const p = new FoldedParser();
    p.push('b;c 2\na;');
    p.push('x 1\nnot a stack\n\n');
    p.push('a;y 4');
    const profile = p.finish();
    expect(profile.lines).toEqual(['a;x 1', 'a;y 4', 'b;c 2']);
    expect(profile.total).toBe(7);
    expect(profile.ignoredLines).toBe(1);
    expect(profile.differential).toBe(false);
  });

  it('keeps input order for a flame chart and reverses stacks for --reverse', () => {
    expect(parseFolded('b 1\na 2\n', { flamechart: true }).lines).toEqual(['b 1', 'a 2']);
    expect(parseFolded('a;b;c 1\n', { reverse: true }).lines).toEqual(['c;b;a 1']);
  });

  it('marks frames after a -- separator as wakers for the chain palette', () => {
    expect(parseFolded('a;b;--;c;d 1\n', { chain: true }).lines).toEqual(['a;b;--;c_[w];d_[w] 1']);
  });

  it('tracks the largest change of a differential', () => {
    const profile = parseFolded('a 10 4\nb 2 9\n');
    expect(profile.differential).toBe(true);
    expect(profile.maxDelta).toBe(7);
    expect(profile.total).toBe(13);
  });
});
