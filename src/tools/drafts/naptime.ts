// DRAFT, not in the registry: naptime prints the sleep each nanosleep()/clock_nanosleep() asks for, which is
// read through the syscall's user pointer to a struct timespec. The compiler does not yet read user memory for
// a dereference (`*(int64 *)args.rqtp` gives 0 on a syscall tracepoint, where bpftrace reads user space), so
// the SECONDS column would be wrong; it joins the registry once that works (its test belongs in test/tools).
import { NAME, PID, taskFilters } from '../common.js';
import { headerPrintf, predicate } from '../program.js';
import type { ToolSpec } from '../tool.js';

export const naptime: ToolSpec = {
  name: 'naptime',
  summary: 'Trace voluntary sleeps with the time asked for',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'syscalls:sys_enter_nanosleep' },
    { kind: 'tracepoint', event: 'syscalls:sys_enter_clock_nanosleep' },
  ],
  options: [PID, NAME],
  examples: [['', 'all sleeps']],
  program(args) {
    return `BEGIN
{
  ${headerPrintf('%-8s %-7s %-16s %-7s %-16s %s\n', 'TIME', 'PPID', 'PCOMM', 'PID', 'COMM', 'SECONDS')}
}

tracepoint:syscalls:sys_enter_nanosleep,
tracepoint:syscalls:sys_enter_clock_nanosleep
${predicate(...taskFilters('naptime', args))}
{
  $ts = (int64 *)args.rqtp;
  printf("%-8s %-7d %-16s %-7d %-16s %d.%03d\\n", strftime("%H:%M:%S", nsecs), curtask->real_parent->tgid,
    curtask->real_parent->comm, pid, comm, *$ts, *($ts + 1) / 1000000);
}
`;
  },
};
