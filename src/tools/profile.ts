// profile: samples stacks on every CPU at a fixed rate and counts them, from a perf cpu-clock event.
import { PID, TID } from './common.js';
import { predicate } from './program.js';
import type { ToolSpec } from './tool.js';
import { STACK_GRAPH_OPTIONS, stackGraphPrelude } from './stack-graph.js';
import { ToolUsageError } from './errors.js';

export const profile: ToolSpec = {
  name: 'profile',
  summary: 'Sample stack traces at a fixed rate and count them',
  category: 'processes',
  needs: [{ kind: 'profile' }],
  options: [
    PID,
    TID,
    { key: 'user', short: 'U', long: 'user-stacks-only', help: 'user stacks only' },
    { key: 'kernel', short: 'K', long: 'kernel-stacks-only', help: 'kernel stacks only' },
    { key: 'frequency', short: 'F', long: 'frequency', value: 'int', metavar: 'HZ', help: 'samples per second per CPU (default 49)' },
    ...STACK_GRAPH_OPTIONS,
  ],
  positionals: [{ key: 'duration', help: 'stop after this many seconds' }],
  examples: [
    ['', 'profile all CPUs until Ctrl-C'],
    ['-F 99 -p 185 10', 'PID 185 at 99 Hz for ten seconds'],
    ['-K', 'kernel stacks only'],
  ],
  stackGraph(args) {
    return { map: '@', title: 'CPU Flame Graph', countName: 'samples', colors: 'hot', kernelFirst: !args.flag('user') };
  },
  program(args) {
    const pid = args.int('pid');
    const tid = args.int('tid');
    const hz = args.int('frequency') ?? 49;
    if (hz <= 0) throw new ToolUsageError('profile', `Invalid frequency ${hz}: it must be positive`);
    const user = !args.flag('kernel');
    const kernel = !args.flag('user');
    const key = [...(kernel ? ['kstack'] : []), ...(user ? ['ustack'] : []), 'comm'].join(', ');
    const duration = args.int('duration');
    return `${stackGraphPrelude(args)}BEGIN
{
  printf("Sampling at ${hz} Hertz of all threads by ${[user && 'user', kernel && 'kernel'].filter(Boolean).join(' + ')} stack... Hit Ctrl-C to end.\\n");
}

profile:hz:${hz}
${predicate(pid !== undefined && `pid == ${pid}`, tid !== undefined && `tid == ${tid}`)}
{
  @[${key}] = count();
}
${duration !== undefined ? `\ninterval:s:${duration} { exit(); }\n` : ''}`;
  },
};
