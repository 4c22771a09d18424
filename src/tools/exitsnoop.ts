// exitsnoop: process exits with their age and how they ended. Tracepoints only: the exit code comes from
// exit_group()'s argument and a fatal signal from signal_deliver; the parent and age are known for processes
// forked while tracing (shown as - otherwise).
import { DURATION, NAME, PID, taskFilters, TIME_ARGS, TIME_FORMAT, TIME_HEADER, TIMESTAMP, durationProbe } from './common.js';
import { headerPrintf } from './program.js';
import type { ToolSpec } from './tool.js';

export const exitsnoop: ToolSpec = {
  name: 'exitsnoop',
  summary: 'Trace process exits with their age and exit status',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'sched:sched_process_exit' },
    { kind: 'tracepoint', event: 'sched:sched_process_fork' },
    { kind: 'tracepoint', event: 'syscalls:sys_enter_exit_group' },
    { kind: 'tracepoint', event: 'signal:signal_deliver' },
  ],
  options: [
    TIMESTAMP,
    { key: 'failed', short: 'x', long: 'failed', help: 'show exits with a non-zero code or a signal only' },
    PID,
    NAME,
    DURATION,
  ],
  examples: [
    ['', 'trace all process exits'],
    ['-x', 'only failures and signals'],
  ],
  program(args) {
    const ts = args.flag('timestamp');
    const cond = ['args.group_dead', ...taskFilters('exitsnoop', args)].join(' && ');
    const failedOnly = args.flag('failed');
    // bpftrace has no integer-to-string conversion, so each combination of known/unknown parent and
    // exit code/signal is its own printf.
    const row = (known: boolean, status: string, statusArg: string): string => {
      const fmt = `${ts ? TIME_FORMAT : ''}%-16s %-7d ${known ? '%-7d %4d.%03d' : '%-7s %8s'} %-7d ${status}\\n`;
      const vals = [...(ts ? [TIME_ARGS] : []), 'comm', 'pid', ...(known ? ['@ppid[pid]', '$age / 1000', '$age % 1000'] : ['"-"', '"-"']), 'tid', statusArg];
      return `printf("${fmt}", ${vals.join(', ')});`;
    };
    const report = (known: boolean): string => `if (@exited[pid] || !@sig[pid]) {
      if (${failedOnly ? '@code[pid] != 0' : '1'}) {
        ${row(known, 'code %d', '@code[pid]')}
      }
    } else {
      ${row(known, 'signal %d', '@sig[pid]')}
    }`;
    return `BEGIN
{
  ${headerPrintf(`${ts ? TIME_HEADER : ''}%-16s %-7s %-7s %8s %-7s %s\n`, 'PCOMM', 'PID', 'PPID', 'AGE(s)', 'TID', 'EXIT_CODE')}
}

tracepoint:sched:sched_process_fork
{
  @start[args.child_pid] = nsecs;
  @ppid[args.child_pid] = args.parent_pid;
}

tracepoint:syscalls:sys_enter_exit_group
{
  @code[pid] = args.error_code;
  @exited[pid] = 1;
}

tracepoint:signal:signal_deliver
/args.sig == 9 || args.sig == 15 || args.sig == 6 || args.sig == 11 || args.sig == 2 || args.sig == 1 || args.sig == 3/
{
  @sig[pid] = args.sig;
}

tracepoint:sched:sched_process_exit
{
  // Threads end here too (without group_dead): only their bookkeeping is dropped.
  if (${cond}) {
    if (@start[pid]) {
      $age = (nsecs - @start[pid]) / 1000000;
      ${report(true)}
    } else {
      ${report(false)}
    }
  }
  delete(@start[tid]);
  delete(@ppid[tid]);
  if (args.group_dead) {
    delete(@code[pid]);
    delete(@sig[pid]);
    delete(@exited[pid]);
  }
}

${durationProbe(args)}END
{
  clear(@start);
  clear(@ppid);
  clear(@code);
  clear(@sig);
  clear(@exited);
}
`;
  },
};
