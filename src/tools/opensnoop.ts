// opensnoop: every open()/openat() with its result, from the syscall tracepoints.
import { DURATION, NAME, PID, taskFilters, TID, TIME_ARGS, TIME_FORMAT, TIME_HEADER, TIMESTAMP, UID, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const opensnoop: ToolSpec = {
  name: 'opensnoop',
  summary: 'Trace file opens with their result and path',
  category: 'files',
  needs: [
    { kind: 'tracepoint', event: 'syscalls:sys_enter_openat' },
    { kind: 'tracepoint', event: 'syscalls:sys_exit_openat' },
  ],
  options: [
    TIMESTAMP,
    { key: 'printUid', short: 'U', long: 'print-uid', help: 'print the user id column' },
    { key: 'failed', short: 'x', long: 'failed', help: 'show failed opens only' },
    PID,
    TID,
    UID,
    NAME,
    DURATION,
  ],
  examples: [
    ['', 'trace all opens'],
    ['-x', 'only opens that failed'],
    ['-p 181', 'only PID 181'],
    ['-n cat', 'only tasks named cat'],
  ],
  program(args) {
    const ts = args.flag('timestamp');
    const showUid = args.flag('printUid');
    const filter = predicate(...taskFilters('opensnoop', args));
    const header = headerPrintf(`${ts ? TIME_HEADER : ''}${showUid ? '%-6s ' : ''}%-7s %-16s %4s %3s %s\n`, ...(showUid ? ['UID'] : []), 'PID', 'COMM', 'FD', 'ERR', 'PATH');
    const fmt = `${ts ? TIME_FORMAT : ''}${showUid ? '%-6d ' : ''}%-7d %-16s %4d %3d %s\\n`;
    const vals = [...(ts ? [TIME_ARGS] : []), ...(showUid ? ['uid'] : []), 'pid', 'comm', '$fd', '$err', 'str(@filename[tid])'];
    return `BEGIN
{
  ${header}
}

tracepoint:syscalls:sys_enter_openat
${filter}
{
  @filename[tid] = args.filename;
}

tracepoint:syscalls:sys_exit_openat
/@filename[tid]/
{
  $ret = args.ret;
  $fd = $ret >= 0 ? $ret : -1;
  $err = $ret >= 0 ? 0 : - $ret;
${args.flag('failed') ? '  if ($ret < 0) {\n  ' : ''}  printf("${fmt}", ${vals.join(', ')});
${args.flag('failed') ? '  }\n' : ''}  delete(@filename[tid]);
}

${durationProbe(args)}END
{
  clear(@filename);
}
`;
  },
};
