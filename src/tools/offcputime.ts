// offcputime: time spent blocked, summed by the stack where each task went off-CPU. The stack is taken at
// switch-out (in the blocking task's context) and the time counted when the task runs again.
import { PID, TID } from './common.js';
import type { ToolSpec } from './tool.js';
import { STACK_GRAPH_OPTIONS, stackGraphPrelude } from './stack-graph.js';

export const offcputime: ToolSpec = {
  name: 'offcputime',
  summary: 'Summarize off-CPU time by stack trace',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'sched:sched_switch' },
    { kind: 'tracepoint', event: 'sched:sched_process_free' },
  ],
  options: [
    PID,
    TID,
    { key: 'user', short: 'U', long: 'user-stacks-only', help: 'user stacks only' },
    { key: 'kernel', short: 'K', long: 'kernel-stacks-only', help: 'kernel stacks only' },
    { key: 'minBlock', short: 'm', long: 'min-block-time', value: 'int', metavar: 'USECS', help: 'ignore blocks shorter than this' },
    { key: 'maxBlock', short: 'M', long: 'max-block-time', value: 'int', metavar: 'USECS', help: 'ignore blocks longer than this' },
    ...STACK_GRAPH_OPTIONS,
  ],
  positionals: [{ key: 'duration', help: 'stop after this many seconds' }],
  examples: [
    ['', 'off-CPU stacks at Ctrl-C'],
    ['-p 185 5', 'PID 185 for five seconds'],
    ['-K -m 1000', 'kernel stacks of blocks of 1 ms or more'],
  ],
  stackGraph(args) {
    return { map: '@us', title: 'Off-CPU Time Flame Graph', countName: 'us', colors: 'io', kernelFirst: !args.flag('user') };
  },
  program(args) {
    const pid = args.int('pid');
    const tid = args.int('tid');
    const user = !args.flag('kernel');
    const kernel = !args.flag('user');
    const min = args.int('minBlock');
    const max = args.int('maxBlock');
    const keyParts = [...(kernel ? ['@kst[args.next_pid]'] : []), ...(user ? ['@ust[args.next_pid]'] : []), 'args.next_comm'];
    const duration = args.int('duration');
    const limits = [
      min !== undefined && `$us >= ${min}`,
      max !== undefined && `$us <= ${max}`,
    ].filter((c): c is string => typeof c === 'string');
    return `${stackGraphPrelude(args)}BEGIN
{
  printf("Tracing off-CPU time (us) by stack... Hit Ctrl-C to end.\\n");
}

tracepoint:sched:sched_switch
{
  if (${['1', pid !== undefined && `pid == ${pid}`, tid !== undefined && `tid == ${tid}`].filter((c) => typeof c === 'string').join(' && ')}) {
    @start[tid] = nsecs;${kernel ? '\n    @kst[tid] = kstack;' : ''}${user ? '\n    @ust[tid] = ustack;' : ''}
  }
  $s = @start[args.next_pid];
  if ($s) {
    $us = (nsecs - $s) / 1000;
    ${limits.length > 0 ? `if (${limits.join(' && ')}) {\n      ` : ''}@us[${keyParts.join(', ')}] = sum($us);${limits.length > 0 ? '\n    }' : ''}
    delete(@start[args.next_pid]);${kernel ? '\n    delete(@kst[args.next_pid]);' : ''}${user ? '\n    delete(@ust[args.next_pid]);' : ''}
  }
}

// A task's last switch-out comes after its exit; forget it when it is freed.
tracepoint:sched:sched_process_free
{
  delete(@start[args.pid]);${kernel ? '\n  delete(@kst[args.pid]);' : ''}${user ? '\n  delete(@ust[args.pid]);' : ''}
}

${duration !== undefined ? `interval:s:${duration} { exit(); }\n\n` : ''}END
{
  clear(@start);${kernel ? '\n  clear(@kst);' : ''}${user ? '\n  clear(@ust);' : ''}
}
`;
  },
};
