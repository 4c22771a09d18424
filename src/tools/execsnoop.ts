// execsnoop: new programs started with execve(), with their full arguments, from the syscall tracepoints.
// Arguments are read at entry, while the caller's memory still holds them; with -x the failed calls are printed
// at exit instead, where the result is known (a failed exec leaves the caller's memory in place).
import { UID } from './common.js';
import { headerPrintf, predicate, quote } from './program.js';
import type { ToolSpec } from './tool.js';

export const execsnoop: ToolSpec = {
  name: 'execsnoop',
  summary: 'Trace new programs through execve(), with their arguments',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'syscalls:sys_enter_execve' },
    { kind: 'tracepoint', event: 'syscalls:sys_exit_execve' },
  ],
  options: [
    { key: 'time', short: 'T', long: 'time', help: 'print a time column (HH:MM:SS)' },
    { key: 'timestamp', short: 't', long: 'timestamp', help: 'print seconds since start' },
    { key: 'failed', short: 'x', long: 'fails', help: 'show failed execs only, with their error' },
    { key: 'name', short: 'n', long: 'name', value: 'string', metavar: 'TEXT', help: 'only programs whose path contains TEXT' },
    UID,
    { key: 'printUid', short: 'U', long: 'print-uid', help: 'print the user id column' },
  ],
  examples: [
    ['', 'trace all execs'],
    ['-x', 'only failed execs'],
    ['-n ssh', 'only programs with ssh in their path'],
    ['-Tu 1000', 'execs of user 1000, with the time'],
  ],
  program(args) {
    const failed = args.flag('failed');
    const uid = args.int('uid');
    const name = args.str('name');
    const cols: Array<[string, string, string, string]> = [];
    if (args.flag('time')) cols.push(['%-8s ', 'TIME', '%-8s ', 'strftime("%H:%M:%S", nsecs)']);
    if (args.flag('timestamp')) cols.push(['%-11s ', 'TIME(s)', '%4d.%06d ', 'elapsed / 1000000000, (elapsed / 1000) % 1000000']);
    if (args.flag('printUid')) cols.push(['%-6s ', 'UID', '%-6d ', 'uid']);
    cols.push(['%-7s ', 'PID', '%-7d ', 'pid'], ['%-7s ', 'PPID', '%-7d ', 'curtask->real_parent->tgid']);
    if (failed) cols.push(['%4s ', 'RET', '%4d ', 'args.ret']);
    const header = headerPrintf(`${cols.map((c) => c[0]).join('')}%s\n`, ...cols.map((c) => c[1]), 'ARGS');
    const rowFmt = cols.map((c) => c[2]).join('');
    const rowArgs = cols.map((c) => c[3]).join(', ');
    const filter = predicate(uid !== undefined && `uid == ${uid}`, name !== undefined && `strcontains(str(args.filename), ${quote(name)})`);
    if (!failed) {
      return `BEGIN
{
  ${header}
}

tracepoint:syscalls:sys_enter_execve
${filter}
{
  printf("${rowFmt}", ${rowArgs});
  join(args.argv);
}
`;
    }
    return `BEGIN
{
  ${header}
}

tracepoint:syscalls:sys_enter_execve
${filter}
{
  @argv[tid] = args.argv;
}

tracepoint:syscalls:sys_exit_execve
/@argv[tid]/
{
  if (args.ret < 0) {
    printf("${rowFmt}", ${rowArgs});
    join(@argv[tid]);
  }
  delete(@argv[tid]);
}

END
{
  clear(@argv);
}
`;
  },
};
