// tcpconnect: active TCP connections (connect()), seen as the socket's move to SYN_SENT in the caller's context.
import { DURATION, NAME, PID, taskFilters, TIME_ARGS, TIME_FORMAT, TIME_HEADER, TIMESTAMP, UID, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import { byFamily, IPPROTO_TCP } from './tcp-common.js';
import type { ToolSpec } from './tool.js';

export const tcpconnect: ToolSpec = {
  name: 'tcpconnect',
  summary: 'Trace active TCP connections',
  category: 'network',
  needs: [{ kind: 'tracepoint', event: 'sock:inet_sock_set_state' }],
  options: [
    TIMESTAMP,
    { key: 'printUid', short: 'U', long: 'print-uid', help: 'print the user id column' },
    PID,
    UID,
    NAME,
    { key: 'port', short: 'P', long: 'port', value: 'int', metavar: 'PORT', help: 'trace this destination port only' },
    DURATION,
  ],
  examples: [
    ['', 'trace all connects'],
    ['-P 443', 'only connects to port 443'],
  ],
  program(args) {
    const ts = args.flag('timestamp');
    const showUid = args.flag('printUid');
    const port = args.int('port');
    const filter = predicate(
      `args.protocol == ${IPPROTO_TCP}`,
      'args.newstate == 2',
      ...taskFilters('tcpconnect', args),
      port !== undefined && `args.dport == ${port}`,
    );
    const fmt = `${ts ? TIME_FORMAT : ''}${showUid ? '%-6d ' : ''}%-7d %-16s %-2d %-15s %-15s %d\\n`;
    const lead = `${ts ? `${TIME_ARGS}, ` : ''}${showUid ? 'uid, ' : ''}pid, comm, args.family == 2 ? 4 : 6`;
    return `BEGIN
{
  ${headerPrintf(`${ts ? TIME_HEADER : ''}${showUid ? '%-6s ' : ''}%-7s %-16s %-2s %-15s %-15s %s\n`, ...(showUid ? ['UID'] : []), 'PID', 'COMM', 'IP', 'SADDR', 'DADDR', 'DPORT')}
}

tracepoint:sock:inet_sock_set_state
${filter}
{
  ${byFamily('  ', fmt, (sa, da) => `${lead}, ${sa}, ${da}, args.dport`)}
}
${durationProbe(args)}`;
  },
};
