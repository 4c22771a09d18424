// runqslower: each wait for a CPU longer than a threshold, with the task that waited and the one it waited behind.
import { PID } from './common.js';
import { headerPrintf } from './program.js';
import { REQUEUE_PREEMPTED, RUNQ_NEEDS, WAKEUP_PROBES } from './runq-common.js';
import type { ToolSpec } from './tool.js';

export const runqslower: ToolSpec = {
  name: 'runqslower',
  summary: 'Trace run queue waits longer than a threshold',
  category: 'processes',
  needs: RUNQ_NEEDS,
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

${WAKEUP_PROBES}

tracepoint:sched:sched_switch
{
  // The task leaving the CPU is current: remember -p's threads (the task coming in is known by tid only),
  // and requeue it if it was preempted.${pid !== undefined ? `\n  if (pid == ${pid}) {\n    @target[tid] = 1;\n  }` : ''}
  ${REQUEUE_PREEMPTED}
  $ns = @qtime[args.next_pid];
  if ($ns) {
    $us = (nsecs - $ns) / 1000;
    if (${cond}) {
      printf("%-8s %-16s %-7d %14d${prev ? ' %-16s %d' : ''}\\n", strftime("%H:%M:%S", nsecs), args.next_comm, args.next_pid, $us${prev ? ', args.prev_comm, args.prev_pid' : ''});
    }
  }
  delete(@qtime[args.next_pid]);
}
${pid !== undefined ? '\ntracepoint:sched:sched_process_free\n{\n  delete(@target[args.pid]);\n}\n' : ''}
END
{
  clear(@qtime);${pid !== undefined ? '\n  clear(@target);' : ''}
}
`;
  },
};
