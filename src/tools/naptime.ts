// naptime: every sleep a process asks for with nanosleep() or clock_nanosleep(), with the process, its parent
// and the time asked for, read at syscall entry through the user pointer to the struct timespec. Sleeps of
// zero are left out, as in the book's tool: they are yields, not naps. A clock_nanosleep() with TIMER_ABSTIME
// asks to sleep until a time on its clock; that deadline is shown after an "@", since BPF cannot read every
// clock the request may name to turn it into a duration. Times have microseconds: runtimes such as Go's
// sleep for a few of them.
import { DURATION, durationProbe, NAME, PID, taskFilters, TID } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

const TIMER_ABSTIME = 1;

export const naptime: ToolSpec = {
  name: 'naptime',
  summary: 'Trace sleeps with the process, its parent and time asked',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'syscalls:sys_enter_nanosleep' },
    { kind: 'tracepoint', event: 'syscalls:sys_enter_clock_nanosleep' },
  ],
  options: [PID, TID, NAME, DURATION],
  examples: [
    ['', 'all sleeps until Ctrl-C'],
    ['-n cron', 'only tasks named cron'],
    ['-d 10', 'for ten seconds'],
  ],
  program(args) {
    const filter = predicate(...taskFilters('naptime', args));
    const row = (prefix: string): string =>
      `printf("%-8s %-7d %-16s %-7d %-16s ${prefix}%d.%06d\\n", strftime("%H:%M:%S", nsecs), ppid, pcomm, pid, comm, $sec, $nsec / 1000);`;
    return `BEGIN
{
  printf("Tracing sleeps. Hit Ctrl-C to end.\\n");
  ${headerPrintf('%-8s %-7s %-16s %-7s %-16s %s\n', 'TIME', 'PPID', 'PCOMM', 'PID', 'COMM', 'SECONDS')}
}

tracepoint:syscalls:sys_enter_nanosleep
${filter}
{
  $sec = args.rqtp->tv_sec;
  $nsec = args.rqtp->tv_nsec;
  if ($sec != 0 || $nsec != 0) {
    ${row('')}
  }
}

tracepoint:syscalls:sys_enter_clock_nanosleep
${filter}
{
  $sec = args.rqtp->tv_sec;
  $nsec = args.rqtp->tv_nsec;
  if (args.flags & ${TIMER_ABSTIME}) {
    ${row('@')}
  } else if ($sec != 0 || $nsec != 0) {
    ${row('')}
  }
}
${durationProbe(args) === '' ? '' : `\n${durationProbe(args)}`}`;
  },
};
