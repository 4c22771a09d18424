// runqlat: how long runnable tasks wait for a CPU, from wakeup (or preemption) to running, as a histogram.
import { PID, TIMESTAMP } from './common.js';
import { intervalBlock, intervalConfig } from './program.js';
import { REQUEUE_PREEMPTED, RUNQ_NEEDS, WAKEUP_PROBES } from './runq-common.js';
import type { ToolSpec } from './tool.js';

export const runqlat: ToolSpec = {
  name: 'runqlat',
  summary: 'Summarize CPU run queue latency as a histogram',
  category: 'processes',
  needs: RUNQ_NEEDS,
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
    // At sched_switch the current task is the one leaving the CPU, so its process id is learnt there; the task
    // coming in is known by its thread id only (args.next_pid). Only the threads that matter are remembered
    // (those of -p's process; every thread for -P), each forgotten when its task is freed, after its last switch, so the maps stay small.
    const perPid = args.flag('pids');
    const key = args.flag('tids') ? '[args.next_pid]' : perPid ? '[@tgid[args.next_pid]]' : '';
    const interval = args.int('interval');
    const stamp = args.flag('timestamp') ? 'time("%H:%M:%S\\n");\n' : '';
    const cond = pid !== undefined ? '$ns && @target[args.next_pid]' : '$ns';
    const learn = [
      ...(pid !== undefined ? [`if (pid == ${pid}) {\n    @target[tid] = 1;\n  }`] : []),
      ...(perPid ? ['@tgid[tid] = pid;'] : []),
    ];
    return `${intervalConfig(interval, args.int('count'))}BEGIN
{
  printf("Tracing run queue latency... Hit Ctrl-C to end.\\n");
}

${WAKEUP_PROBES}

tracepoint:sched:sched_switch
{${learn.map((l) => `\n  ${l}`).join('')}
  // A task preempted while runnable (state 0) goes straight back to the run queue.
  ${REQUEUE_PREEMPTED}
  $ns = @qtime[args.next_pid];
  if (${cond}) {
    @${unit}${key} = hist((nsecs - $ns) / ${div});
  }
  delete(@qtime[args.next_pid]);
}
${learn.length > 0 ? `
tracepoint:sched:sched_process_free
{
  ${[...(pid !== undefined ? ['delete(@target[args.pid]);'] : []), ...(perPid ? ['delete(@tgid[args.pid]);'] : [])].join('\n  ')}
}
` : ''}
${intervalBlock(interval, args.int('count'), `printf("\\n");\n${stamp}print(@${unit});\nclear(@${unit});`)}END
{
  clear(@qtime);${pid !== undefined ? '\n  clear(@target);' : ''}${perPid ? '\n  clear(@tgid);' : ''}${interval !== undefined ? `\n  clear(@${unit});` : ''}
}
`;
  },
};
