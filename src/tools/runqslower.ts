// runqslower: each wait for a CPU longer than a threshold, with the task that waited and the one it waited behind.
import { PID } from './common.js';
import { headerPrintf } from './program.js';
import type { ToolSpec } from './tool.js';

export const runqslower: ToolSpec = {
  name: 'runqslower',
  summary: 'Trace run queue waits longer than a threshold',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'sched:sched_wakeup' },
    { kind: 'tracepoint', event: 'sched:sched_wakeup_new' },
    { kind: 'tracepoint', event: 'sched:sched_switch' },
    { kind: 'tracepoint', event: 'sched:sched_process_free' },
  ],
  options: [
    { ...PID, help: 'trace this process only' },
    { key: 'prev', short: 'P', long: 'previous', help: 'also show the task that was running before' },
  ],
  positionals: [{ key: 'threshold', help: 'report waits of at least this many us (default 10000)' }],
  examples: [
    ['', 'waits over 10 ms'],
    ['1000', 'waits over 1 ms'],
    ['-p 185 0', 'every wait of PID 185'],
  ],
  program(args) {
    const minUs = args.int('threshold') ?? 10000;
    const pid = args.int('pid');
    const prev = args.flag('prev');
    const cond = [`$us >= ${minUs}`, ...(pid !== undefined ? ['@target[args.next_pid]'] : [])].join(' && ');
    return `BEGIN
{
  ${headerPrintf(`%-8s %-16s %-7s %14s${prev ? ' %-16s %s' : ''}\n`, 'TIME', 'COMM', 'TID', 'LAT(us)', ...(prev ? ['PREV COMM', 'PREV TID'] : []))}
}

tracepoint:sched:sched_wakeup,
tracepoint:sched:sched_wakeup_new
{
  @qtime[args.pid] = nsecs;
}

tracepoint:sched:sched_switch
{
  // The task leaving the CPU is current: remember -p's threads (the task coming in is known by tid only),
  // and requeue it if it was preempted.${pid !== undefined ? `\n  if (pid == ${pid}) {\n    @target[tid] = 1;\n  }` : ''}
  if (args.prev_state == 0) {
    @qtime[args.prev_pid] = nsecs;
  }
  $ns = @qtime[args.next_pid];
  if ($ns) {
    $us = (nsecs - $ns) / 1000;
    if (${cond}) {
      printf("%-8s %-16s %-7d %14d${prev ? ' %-16s %d' : ''}\\n", strftime("%H:%M:%S", nsecs), args.next_comm, args.next_pid, $us${prev ? ', args.prev_comm, args.prev_pid' : ''});
    }
  }
  delete(@qtime[args.next_pid]);
}
${pid !== undefined ? '\ntracepoint:sched:sched_process_exit\n{\n  delete(@target[args.pid]);\n}\n' : ''}
END
{
  clear(@qtime);${pid !== undefined ? '\n  clear(@target);' : ''}
}
`;
  },
};
