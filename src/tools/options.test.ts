import { describe, expect, it } from 'vitest';
import { ToolUsageError } from './errors.js';
import { parseToolArgs, toolUsage } from './options.js';
import type { ToolSpec } from './tool.js';

const tool: ToolSpec = {
  name: 'demo',
  summary: 'A tool for the parser tests',
  category: 'processes',
  needs: [],
  options: [
    { key: 'timestamp', short: 'T', long: 'timestamp', help: 'print a time column' },
    { key: 'failed', short: 'x', long: 'failed', help: 'failures only' },
    { key: 'pid', short: 'p', long: 'pid', value: 'int', metavar: 'PID', help: 'this process only' },
    { key: 'name', short: 'n', long: 'name', value: 'string', metavar: 'NAME', help: 'tasks with this name only' },
  ],
  positionals: [
    { key: 'interval', help: 'seconds between prints' },
    { key: 'count', help: 'number of prints' },
  ],
  examples: [['-p 1', 'only init']],
  program: () => '',
};

describe('parseToolArgs', () => {
  it('combines short flags and takes values attached or separate', () => {
    const a = parseToolArgs(tool, ['-Tx', '-p123', '-n', 'cat']);
    expect([a.flag('timestamp'), a.flag('failed'), a.int('pid'), a.str('name')]).toEqual([true, true, 123, 'cat']);
  });

  it('takes a flag followed by an option with its value in one word', () => {
    const a = parseToolArgs(tool, ['-xp', '9']);
    expect([a.flag('failed'), a.int('pid')]).toEqual([true, 9]);
  });

  it('takes long options with = or a separate value', () => {
    const a = parseToolArgs(tool, ['--pid=7', '--name', 'sh', '--failed']);
    expect([a.int('pid'), a.str('name'), a.flag('failed'), a.flag('timestamp')]).toEqual([7, 'sh', true, false]);
  });

  it('reads interval and count positionals', () => {
    const a = parseToolArgs(tool, ['-T', '5', '3']);
    expect([a.int('interval'), a.int('count')]).toEqual([5, 3]);
  });

  it('takes a digit as a flag where the tool has one (-4, -6), and as a number elsewhere', () => {
    const digits: ToolSpec = { ...tool, options: [{ key: 'ipv4', short: '4', long: 'ipv4', help: 'IPv4 only' }, ...tool.options] };
    const a = parseToolArgs(digits, ['-4', '5']);
    expect([a.flag('ipv4'), a.int('interval')]).toEqual([true, 5]);
    expect(() => parseToolArgs(tool, ['-4'])).toThrow(new ToolUsageError('demo', 'Invalid interval: -4 is not a whole number'));
  });

  it('sees -h and --help', () => {
    expect(parseToolArgs(tool, ['-h']).help).toBe(true);
    expect(parseToolArgs(tool, ['--help']).help).toBe(true);
    expect(parseToolArgs(tool, []).help).toBe(false);
  });

  it.each([
    [['-q'], 'Unknown option: -q'],
    [['--nope'], 'Unknown option: --nope'],
    [['-p'], 'Option -p needs a value'],
    [['-p', 'abc'], 'Invalid value for -p: abc is not an integer'],
    [['--failed=1'], 'Option --failed takes no value'],
    [['1', '2', '3'], 'Unexpected argument: 3'],
    [['0'], 'Invalid interval: it must be at least 1'],
    [['x'], 'Invalid interval: x is not a whole number'],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parseToolArgs(tool, argv)).toThrow(new ToolUsageError('demo', message));
  });
});

describe('toolUsage', () => {
  it('lists the options, positionals and examples', () => {
    expect(toolUsage(tool)).toBe(
      [
        'usage: bpfkit tools demo [options] [interval] [count]',
        '',
        'A tool for the parser tests',
        '',
        'options:',
        '  -T, --timestamp  print a time column',
        '  -x, --failed     failures only',
        '  -p, --pid PID    this process only',
        '  -n, --name NAME  tasks with this name only',
        '  -h, --help       show this help and exit',
        '      --program    print the bpftrace program instead of running it',
        '  interval         seconds between prints',
        '  count            number of prints',
        '',
        'examples:',
        '  bpfkit tools demo -p 1   # only init',
        '',
      ].join('\n'),
    );
  });
});
