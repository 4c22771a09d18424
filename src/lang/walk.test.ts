import { describe, expect, it } from 'vitest';
import { parse } from './parser.js';
import { walk } from './walk.js';

describe('walk', () => {
  it('visits nodes in source order, entering before and leaving after children', () => {
    const { program } = parse('begin { @x = 1 + $y; }');
    const events: string[] = [];
    walk(program, {
      enter(n) {
        events.push(`+${n.kind}`);
      },
      leave(n) {
        events.push(`-${n.kind}`);
      },
    });
    expect(events).toEqual([
      '+Program', '+Probe', '+AttachPoint', '-AttachPoint', '+BlockExpr', '+Assignment', '+MapRef', '-MapRef',
      '+Binary', '+IntegerLiteral', '-IntegerLiteral', '+Variable', '-Variable', '-Binary', '-Assignment', '-BlockExpr',
      '-Probe', '-Program',
    ]);
  });

  it('skips the children of a node when enter returns false', () => {
    const { program } = parse('begin { print(1 + 2); } end { exit(); }');
    const calls: string[] = [];
    walk(program, {
      enter(n) {
        if (n.kind === 'Call') calls.push((n as { name?: string }).name ?? '');
        return n.kind !== 'Probe' || calls.length === 0;
      },
    });
    expect(calls).toEqual(['print']);
  });
});
