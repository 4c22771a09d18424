// funccount: counts the events of the probes a pattern names, by probe: tracepoints (wildcards allowed),
// user functions and kernel functions, in BCC's pattern forms.
import { PID } from './common.js';
import { ToolUsageError } from './errors.js';
import type { ToolArgs } from './options.js';
import { intervalBlock, intervalConfig, predicate } from './program.js';
import type { ProbeNeed, ToolSpec } from './tool.js';

interface Target {
  readonly probe: string;
  readonly need: ProbeNeed;
}

/** t:CATEGORY:EVENT (a tracepoint), u:LIBRARY:FUNCTION (a user function), or [p:]FUNCTION (a kernel function). */
function target(pattern: string): Target {
  const parts = pattern.split(':');
  if (parts[0] === 't' && parts.length === 3 && parts[1] && parts[2]) {
    return { probe: `tracepoint:${parts[1]}:${parts[2]}`, need: { kind: 'tracepoint', event: `${parts[1]}:${parts[2]}` } };
  }
  if (parts[0] === 'u' && parts.length === 3 && parts[1] && parts[2]) {
    if (/[*?[]/.test(parts[2])) throw new ToolUsageError('funccount', `Invalid pattern ${pattern}: wildcards in user function names are not supported yet`);
    return { probe: `uprobe:${parts[1]}:${parts[2]}`, need: { kind: 'uprobe', binary: parts[1], symbol: parts[2] } };
  }
  const func = parts[0] === 'p' && parts.length === 2 ? parts[1]! : parts.length === 1 ? parts[0]! : '';
  if (func === '' || !/^[\w*?]+$/.test(func)) throw new ToolUsageError('funccount', `Invalid pattern ${pattern}: expected t:CATEGORY:EVENT, u:LIBRARY:FUNCTION or [p:]FUNCTION`);
  return { probe: `kprobe:${func}`, need: { kind: 'kprobe', func } };
}

function patternOf(args: ToolArgs): string {
  const pattern = args.str('pattern');
  if (pattern === undefined) throw new ToolUsageError('funccount', 'A pattern is required, e.g. t:syscalls:sys_enter_open*');
  return pattern;
}

// Tracepoint wildcards are checked once expanded, by the compiler; the check here covers what it names exactly.
function needsOf(t: Target): readonly ProbeNeed[] {
  return t.need.kind === 'tracepoint' && /[*?[]/.test(t.need.event) ? [{ kind: 'interval' }] : [t.need];
}

export const funccount: ToolSpec = {
  name: 'funccount',
  summary: 'Count events of tracepoints or functions by probe',
  category: 'processes',
  needs: [{ kind: 'interval' }],
  needsFor: (args) => needsOf(target(patternOf(args))),
  options: [
    PID,
    { key: 'interval', short: 'i', long: 'interval', value: 'int', metavar: 'SECS', help: 'print every this many seconds' },
    { key: 'duration', short: 'd', long: 'duration', value: 'int', metavar: 'SECS', help: 'stop after this many seconds' },
  ],
  positionals: [{ key: 'pattern', help: 't:CAT:EVENT, u:LIB:FUNC or [p:]FUNC' }],
  examples: [
    ["'t:syscalls:sys_enter_open*'", 'count the open syscalls by tracepoint'],
    ['-p 185 u:libc:malloc', 'malloc() calls of PID 185'],
    ['-d 5 vfs_read', 'kernel vfs_read() calls for five seconds'],
  ],
  program(args) {
    const t = target(patternOf(args));
    const pid = args.int('pid');
    const interval = args.int('interval');
    const duration = args.int('duration');
    let every = interval;
    let stopAfter: number | undefined;
    if (duration !== undefined) {
      if (every === undefined) every = duration;
      stopAfter = Math.max(1, Math.floor(duration / every));
    }
    const report = 'time("%H:%M:%S\\n");\nprint(@);\nclear(@);';
    return `${intervalConfig(every, stopAfter)}BEGIN
{
  printf("Tracing ${t.probe}... Hit Ctrl-C to end.\\n");
}

${t.probe}
${predicate(pid !== undefined && `pid == ${pid}`)}
{
  @[probe] = count();
}

${intervalBlock(every, stopAfter, report)}${every !== undefined ? 'END\n{\n  clear(@);\n}\n' : ''}`;
  },
};
