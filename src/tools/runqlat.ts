// runqlat: how long runnable tasks wait for a CPU, from wakeup (or preemption) to running, as a histogram.
import { PID, TIMESTAMP } from './common.js';
import { intervalBlock, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const runqlat: ToolSpec = {
  name: 'runqlat',
  summary: 'Summarize CPU run queue latency as a histogram',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'sched:sched_wakeup' },
    { kind: 'tracepoint', event: 'sched:sched_wakeup_new' },
    { kind: 'tracepoint', event: 'sched:sched_switch' },
  ],
  options: [
    TIMESTAMP,
    { key: 'ms', short: 'm', long: 'milliseconds', help: 'histogram in milliseconds' },
    { ...PID, help: 'trace this process only' },
    { key: 'pids', short: 'P', long: 'pids', help: 'a histogram per process id' },
    { key: 'tids', short: 'L', long: 'tids', help: 'a histogram per thread id' },
  ],
  positionals: [
    { key: 'interval', help: 'print every this many seconds' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [
    ['', 'one histogram at Ctrl-C'],
    ['-m 5', 'milliseconds, every five seconds'],
    ['-p 185', 'only PID 185'],
  ],
  program(args) {
    const unit = args.flag('ms') ? 'msecs' : 'usecs';
    const div = args.flag('ms') ? 1000000 : 1000;
    const pid = args.int('pid');
    // The wakeup tracepoints name the woken thread (args.pid is its tid); its process id is known only when it
    // runs, so -p filters at sched_switch, where `pid` is the outgoing task and the incoming one is checked below.
    const key = args.flag('tids') ? '[args.next_pid]' : args.flag('pids') ? '[pid]' : '';
    const interval = args.int('interval');
    const stamp = args.flag('timestamp') ? 'time("%H:%M:%S\\n");\n' : '';
    const pidFilter = pid !== undefined ? `pid == ${pid}` : undefined;
    return `BEGIN
{
  printf("Tracing run queue latency... Hit Ctrl-C to end.\\n");
}

tracepoint:sched:sched_wakeup,
tracepoint:sched:sched_wakeup_new
{
  @qtime[args.pid] = nsecs;
}

tracepoint:sched:sched_switch
{
  // A task preempted while runnable (state 0) goes straight back to the run queue.
  if (args.prev_state == 0) {
    @qtime[args.prev_pid] = nsecs;
  }
  $ns = @qtime[args.next_pid];
  if ($ns) {
    @lat[args.next_pid] = nsecs - $ns;
  }
  delete(@qtime[args.next_pid]);
}

// The incoming task is now current: its process id is \`pid\` at its first event, so the sample is taken
// in the context of the task that waited.
tracepoint:sched:sched_stat_runtime,
tracepoint:raw_syscalls:sys_enter
${predicate('@lat[tid]', pidFilter)}
{
  @${unit}${key === '[args.next_pid]' ? '[tid]' : key} = hist(@lat[tid] / ${div});
  delete(@lat[tid]);
}

${intervalBlock(interval, args.int('count'), `printf("\\n");\n${stamp}print(@${unit});\nclear(@${unit});`)}END
{
  clear(@qtime);
  clear(@lat);${interval !== undefined ? `\n  clear(@${unit});` : ''}
}
`;
  },
};
