import { describe, expect, it } from 'vitest';
import { diffFolded } from './diff.js';

describe('diffFolded', () => {
  it('joins two profiles into before/after counts, zero where a stack is missing', () => {
    expect(diffFolded('a;b 3\na;c 1\n', 'a;b 5\nd 2\na;b 1\n')).toBe('a;b 3 6\na;c 1 0\nd 0 2\n');
  });

  it('normalizes the first profile to the second total', () => {
    expect(diffFolded('a 10\nb 10\n', 'a 5\nb 5\n', { normalize: true })).toBe('a 5 5\nb 5 5\n');
  });

  it('strips hex addresses so moved code lines up', () => {
    expect(diffFolded('f;0x7f00aa 2\n', 'f;0x7f11bb 3\n', { stripHex: true })).toBe('f;0x... 2 3\n');
  });
});
