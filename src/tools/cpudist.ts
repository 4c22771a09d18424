// cpudist: how long tasks run on a CPU each time they are scheduled, as a histogram (or off-CPU time with -O).
import { PID } from './common.js';
import { intervalBlock, intervalConfig } from './program.js';
import type { ToolSpec } from './tool.js';

export const cpudist: ToolSpec = {
  name: 'cpudist',
  summary: 'Summarize on-CPU time per scheduling as a histogram',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'sched:sched_switch' },
    { kind: 'tracepoint', event: 'sched:sched_process_free' },
  ],
  options: [
    { key: 'ms', short: 'm', long: 'milliseconds', help: 'histogram in milliseconds' },
    { key: 'offcpu', short: 'O', long: 'offcpu', help: 'measure off-CPU time instead' },
    PID,
    { key: 'pids', short: 'P', long: 'pids', help: 'a histogram per process id' },
    { key: 'tids', short: 'L', long: 'tids', help: 'a histogram per thread id' },
  ],
  positionals: [
    { key: 'interval', help: 'print every this many seconds' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [
    ['', 'on-CPU time histogram at Ctrl-C'],
    ['-O -p 185', 'off-CPU time of PID 185'],
  ],
  program(args) {
    const unit = args.flag('ms') ? 'msecs' : 'usecs';
    const div = args.flag('ms') ? 1000000 : 1000;
    const pid = args.int('pid');
    const key = args.flag('tids') ? '[tid]' : args.flag('pids') ? '[pid]' : '';
    const interval = args.int('interval');
    // At sched_switch the current task is the one leaving the CPU: its tid and pid are the builtins. The
    // task coming in is known only by its tid (args.next_pid), which is all the start times are keyed by.
    const body = args.flag('offcpu')
      ? `  // Off-CPU: from leaving the CPU to coming back; the sample is taken on the next switch-out, in its context.
  if (@back[tid]) {
    ${pid !== undefined ? `if (pid == ${pid}) {\n      ` : ''}@${unit}${key} = hist(@back[tid] / ${div});${pid !== undefined ? '\n    }' : ''}
    delete(@back[tid]);
  }
  @left[tid] = nsecs;
  $l = @left[args.next_pid];
  if ($l) {
    @back[args.next_pid] = nsecs - $l;
    delete(@left[args.next_pid]);
  }`
      : `  $on = @oncpu[tid];
  if ($on${pid !== undefined ? ` && pid == ${pid}` : ''}) {
    @${unit}${key} = hist((nsecs - $on) / ${div});
  }
  delete(@oncpu[tid]);
  @oncpu[args.next_pid] = nsecs;`;
    return `${intervalConfig(interval, args.int('count'))}BEGIN
{
  printf("Tracing ${args.flag('offcpu') ? 'off' : 'on'}-CPU time... Hit Ctrl-C to end.\\n");
}

tracepoint:sched:sched_switch
{
${body}
}
${args.flag('offcpu') ? `
// A task's last switch-out comes after its exit; forget it when it is freed.
tracepoint:sched:sched_process_free
{
  delete(@left[args.pid]);
  delete(@back[args.pid]);
}
` : ''}
${intervalBlock(interval, args.int('count'), `printf("\\n");\nprint(@${unit});\nclear(@${unit});`)}END
{
  ${args.flag('offcpu') ? 'clear(@left);\n  clear(@back);' : 'clear(@oncpu);'}${interval !== undefined ? `\n  clear(@${unit});` : ''}
}
`;
  },
};
