// killsnoop: kill() calls with their signal, target and result, from the syscall tracepoints.
import { DURATION, NAME, PID, taskFilters, TIME_ARGS, TIME_FORMAT, TIME_HEADER, TIMESTAMP, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const killsnoop: ToolSpec = {
  name: 'killsnoop',
  summary: 'Trace signals sent with kill() and their results',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'syscalls:sys_enter_kill' },
    { kind: 'tracepoint', event: 'syscalls:sys_exit_kill' },
  ],
  options: [
    TIMESTAMP,
    { key: 'failed', short: 'x', long: 'failed', help: 'show failed kill() calls only' },
    PID,
    NAME,
    { key: 'signal', short: 's', long: 'signal', value: 'int', metavar: 'SIG', help: 'trace this signal number only' },
    DURATION,
  ],
  examples: [
    ['', 'trace all kill() calls'],
    ['-x', 'only those that failed'],
    ['-s 9', 'only SIGKILL'],
  ],
  program(args) {
    const ts = args.flag('timestamp');
    const sig = args.int('signal');
    const filter = predicate(...taskFilters('killsnoop', args), sig !== undefined && `args.sig == ${sig}`);
    return `BEGIN
{
  ${headerPrintf(`${ts ? TIME_HEADER : ''}%-7s %-16s %4s %-7s %s\n`, 'PID', 'COMM', 'SIG', 'TPID', 'RESULT')}
}

tracepoint:syscalls:sys_enter_kill
${filter}
{
  @tpid[tid] = args.pid;
  @tsig[tid] = args.sig;
}

tracepoint:syscalls:sys_exit_kill
/@tsig[tid] || @tpid[tid]/
{
${args.flag('failed') ? '  if (args.ret < 0) {\n  ' : ''}  printf("${ts ? TIME_FORMAT : ''}%-7d %-16s %4d %-7d %d\\n", ${ts ? `${TIME_ARGS}, ` : ''}pid, comm, @tsig[tid], @tpid[tid], args.ret);
${args.flag('failed') ? '  }\n' : ''}  delete(@tpid[tid]);
  delete(@tsig[tid]);
}

${durationProbe(args)}END
{
  clear(@tpid);
  clear(@tsig);
}
`;
  },
};
