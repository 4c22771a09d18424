// statsnoop: stat() family calls with their result and path, from the syscall tracepoints.
import { DURATION, NAME, PID, taskFilters, TID, TIME_ARGS, TIME_FORMAT, TIME_HEADER, TIMESTAMP, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

// Each traced syscall and the name of its path argument.
const CALLS: ReadonlyArray<readonly [string, string]> = [
  ['statfs', 'pathname'],
  ['newstat', 'filename'],
  ['newlstat', 'filename'],
  ['newfstatat', 'filename'],
  ['statx', 'filename'],
];

export const statsnoop: ToolSpec = {
  name: 'statsnoop',
  summary: 'Trace stat() family calls with their result and path',
  category: 'files',
  needs: CALLS.flatMap(([c]) => [
    { kind: 'tracepoint', event: `syscalls:sys_enter_${c}` } as const,
    { kind: 'tracepoint', event: `syscalls:sys_exit_${c}` } as const,
  ]),
  options: [TIMESTAMP, { key: 'failed', short: 'x', long: 'failed', help: 'show failed calls only' }, PID, TID, NAME, DURATION],
  examples: [
    ['', 'trace all stat() calls'],
    ['-x', 'only those that failed'],
  ],
  program(args) {
    const ts = args.flag('timestamp');
    const filter = predicate(...taskFilters('statsnoop', args));
    const enters = CALLS.map(
      ([c, field]) => `tracepoint:syscalls:sys_enter_${c}
${filter}
{
  @path[tid] = args.${field};
}
`,
    ).join('\n');
    return `BEGIN
{
  ${headerPrintf(`${ts ? TIME_HEADER : ''}%-7s %-16s %3s %s\n`, 'PID', 'COMM', 'ERR', 'PATH')}
}

${enters}
${CALLS.map(([c]) => `tracepoint:syscalls:sys_exit_${c}`).join(',\n')}
/@path[tid]/
{
  $ret = args.ret;
  $err = $ret >= 0 ? 0 : - $ret;
${args.flag('failed') ? '  if ($ret < 0) {\n  ' : ''}  printf("${ts ? TIME_FORMAT : ''}%-7d %-16s %3d %s\\n", ${ts ? `${TIME_ARGS}, ` : ''}pid, comm, $err, str(@path[tid]));
${args.flag('failed') ? '  }\n' : ''}  delete(@path[tid]);
}

${durationProbe(args)}END
{
  clear(@path);
}
`;
  },
};
