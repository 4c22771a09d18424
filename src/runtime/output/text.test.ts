import { describe, expect, it } from 'vitest';
import { buffer, int, record, stack, str, symbol, tuple, uint } from '../value/index.js';
import { buildLinearHistogram } from './hist.js';
import { JsonOutput, jsonOutputValue, jsonValue } from './json.js';
import { primitive } from './model.js';
import { StringSink } from './output.js';
import { stackText } from './primitive-text.js';
import { TextOutput, histogramText } from './text.js';

describe('text details', () => {
  it('writes a one-value lhist bucket as [n] (master src/output/text.cpp single_value)', () => {
    const h = buildLinearHistogram([0n, 2n, 1n, 0n], 0, 2, 1);
    expect(histogramText(h).split('\n')[0]!.slice(0, 16)).toBe('[0]             ');
    expect(histogramText(h).split('\n')[1]!.slice(0, 16)).toBe('[1]             ');
  });

  it('scales bars in single precision and truncates', () => {
    const text = histogramText({ kind: 'histogram', lowerBound: int(0), labels: [int(1), int(2)], counts: [1n, 3n] });
    expect(text.split('\n')[0]).toBe('[0]                    1 |' + '@'.repeat(17) + ' '.repeat(35) + '|');
  });

  it('prints stacks as bpftrace does: newline first, indented frames (master src/bpftrace.cpp get_stack)', () => {
    expect(stackText(stack([0xffffffff81000010n, 0x20n], { frames: [['do_nanosleep+16'], ['a', 'b']] }))).toBe(
      '\n        do_nanosleep+16\n        a\n        b\n',
    );
    expect(stackText(stack([0x10n], { mode: 'perf', frames: [['main+4 (/bin/x)']] }))).toBe('\n\t10 main+4 (/bin/x)\n');
    expect(stackText(stack([0x10n, 0xffffffffffffffffn, 0x30n], { mode: 'raw' }))).toBe('\n10\n        <unwind failure>\n');
  });

  // master src/output/text.cpp printf(): the first location gets "LOCATION: ERROR: msg" without
  // context; each further location "LOCATION: ERROR: expanded from" followed by its context
  // lines (src/log.cpp writes each on its own line).
  it('prints errorf expansions with their source lines', () => {
    const sink = new StringSink();
    new TextOutput(sink).printf('queue 4 overflowed', 'error', [
      { location: 'stdin:1:22-53', filename: 'stdin', line: 1, column: 22 },
      {
        location: 'stdin:3:3-10',
        filename: 'stdin',
        line: 3,
        column: 3,
        context: ['  check();', '  ~~~~~~~'],
      },
    ]);
    expect(sink.stderrText).toBe(
      'stdin:1:22-53: ERROR: queue 4 overflowed\n' +
        'stdin:3:3-10: ERROR: expanded from\n' +
        '  check();\n' +
        '  ~~~~~~~\n',
    );
  });

  it('words helper errors as bpftrace does (master src/output/text.cpp runtime_error)', () => {
    const sink = new StringSink();
    new TextOutput(sink).runtimeError({
      kind: 'helper',
      helper: 'map_update_elem',
      retcode: -7,
      locations: [{ location: 'stdin:1:30-40', filename: 'stdin', line: 1, column: 30 }],
    });
    expect(sink.stderrText).toBe(
      "stdin:1:30-40: WARNING: Map full; can't update element. Try increasing max_map_keys config or manually " +
        'setting the max entries in a map declaration e.g. `let @a = hash(5000)`\n' +
        'Additional Info - helper: map_update_elem, retcode: -7\n',
    );
  });
});

describe('JSON details (master src/output/json.cpp)', () => {
  it('writes buffers as signed bytes, symbols as numbers, stacks as text', () => {
    expect(jsonValue(buffer(new Uint8Array([104, 0, 200])))).toBe('[104,0,-56]');
    expect(jsonValue(symbol('do_sys_open', 0xffffffff81234567n))).toBe(`"${0xffffffff81234567n}"`);
    expect(jsonValue(symbol('WRITE', 2))).toBe('2');
    expect(jsonValue(stack([0x10n], { frames: [['f+1']] }))).toBe('"\\n        f+1\\n"');
  });

  it('writes integers beyond 2^53 as strings', () => {
    expect(jsonValue(uint(9007199254740993n))).toBe('"9007199254740993"');
    expect(jsonValue(int(-9007199254740992n))).toBe('-9007199254740992');
  });

  it('strips tuple parentheses and all spaces from map keys', () => {
    const v = jsonOutputValue({
      kind: 'ordered-map',
      entries: [
        [str('a b'), primitive(int(1))],
        [tuple(str('x y'), int(2)), primitive(int(2))],
      ],
    });
    expect(v).toBe('{"ab": 1, "xy,2": 2}');
  });

  it('writes errorf/warnf with the call location only', () => {
    const sink = new StringSink();
    new JsonOutput(sink).printf('retry 3 of "sync" failed', 'error', [
      { location: 'stdin:4:5-48', filename: 'stdin', line: 4, column: 5 },
      { location: 'stdin:9:1-8', filename: 'stdin', line: 9, column: 1 },
    ]);
    expect(sink.stdoutText).toBe(
      '{"type": "errorf", "msg": "retry 3 of \\"sync\\" failed", "filename": "stdin", "line": 4, "col": 5}\n',
    );
  });

  it('escapes control characters in strings', () => {
    expect(jsonValue(str('a\u0001b\u001f'))).toBe('"a\\u0001b\\u001f"');
    expect(jsonValue(record({}))).toBe('{}');
  });
});
