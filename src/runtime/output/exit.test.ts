import { describe, expect, it } from 'vitest';
import { int, tuple } from '../value/index.js';
import { exitMapOrder, formatJoin, printMapsAtExit } from './exit.js';
import { StringSink } from './output.js';
import { JsonOutput } from './json.js';
import { TextOutput } from './text.js';

describe('exit', () => {
  it('orders maps by name bytes', () => {
    expect(exitMapOrder([{ name: '@b' }, { name: '@' }, { name: '@B' }, { name: '@a' }]).map((m) => m.name)).toEqual([
      '@', '@B', '@a', '@b',
    ]);
  });

  it('prints two newlines before the maps in text and nothing extra in JSON (master src/output/*.cpp end())', () => {
    const maps = [
      { name: '@x', scalar: true, entries: [{ key: tuple(), value: int(1) }] },
      { name: '@empty', scalar: false, entries: [] },
    ];
    const text = new StringSink();
    printMapsAtExit(new TextOutput(text), maps);
    expect(text.stdoutText).toBe('\n\n@x: 1\n');
    const json = new StringSink();
    printMapsAtExit(new JsonOutput(json), maps);
    expect(json.stdoutText).toBe('{"type": "map", "data": {"@x": 1}}\n');
  });

  // master src/async_action.cpp join(): arguments up to the first empty one, joined by the
  // delimiter; src/output/json.cpp join() emits it as a "join" string with the usual escapes.
  it('joins up to the first empty string', () => {
    expect(formatJoin(['/bin/true', '-l', '--color=never', '/tmp', '', 'ignored'])).toBe('/bin/true -l --color=never /tmp');
    const sink = new StringSink();
    new JsonOutput(sink).join(formatJoin(['/bin/true', '-c', 'x"y'], ','));
    expect(sink.stdoutText).toBe('{"type": "join", "data": "/bin/true,-c,x\\"y"}\n');
  });
});

describe('empty maps at exit (master src/types_format.cpp format(map), src/output/json.cpp map())', () => {
  it('print an empty avg map as an empty stats object in JSON and as nothing in text', () => {
    const maps = [{ name: '@x', scalar: false, entries: [], zeroValue: { kind: 'avg' as const, total: 0n, count: 0n, signed: true } }];
    const json = new StringSink();
    printMapsAtExit(new JsonOutput(json), maps);
    expect(json.stdoutText).toBe('{"type": "stats", "data": {"@x": {}}}\n');
    const text = new StringSink();
    printMapsAtExit(new TextOutput(text), maps);
    expect(text.stdoutText).toBe('\n\n');
  });
});
