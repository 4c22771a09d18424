// threadsnoop: new threads (clones that share their creator's process), from task:task_newtask.
import { DURATION, NAME, PID, taskFilters, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

// CLONE_THREAD from the kernel's uapi sched.h.
const CLONE_THREAD = 0x10000;

export const threadsnoop: ToolSpec = {
  name: 'threadsnoop',
  summary: 'Trace new threads and the process creating them',
  category: 'processes',
  needs: [{ kind: 'tracepoint', event: 'task:task_newtask' }],
  options: [PID, NAME, DURATION],
  examples: [
    ['', 'all new threads'],
    ['-p 185', 'threads PID 185 creates'],
  ],
  program(args) {
    return `BEGIN
{
  ${headerPrintf('%-11s %-7s %-7s %-7s %s\n', 'TIME(s)', 'PID', 'TID', 'NEWTID', 'COMM')}
}

tracepoint:task:task_newtask
${predicate(`(args.clone_flags & ${CLONE_THREAD}) != 0`, ...taskFilters('threadsnoop', args))}
{
  printf("%4d.%06d %-7d %-7d %-7d %s\\n", elapsed / 1000000000, (elapsed / 1000) % 1000000, pid, tid, args.pid, comm);
}
${durationProbe(args)}`;
  },
};
