// tcpstates: every TCP state change with the socket's addresses and how long it spent in the old state.
// The task named is whoever is running when the change happens (often a softirq's interrupted task).
import { DURATION, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import { byFamily, IPPROTO_TCP, stateNames } from './tcp-common.js';
import type { ToolSpec } from './tool.js';

export const tcpstates: ToolSpec = {
  name: 'tcpstates',
  summary: 'Trace TCP state changes with time in each state',
  category: 'network',
  needs: [{ kind: 'tracepoint', event: 'sock:inet_sock_set_state' }],
  options: [
    { key: 'lport', short: 'L', long: 'localport', value: 'int', metavar: 'PORT', help: 'trace this local port only' },
    { key: 'dport', short: 'D', long: 'remoteport', value: 'int', metavar: 'PORT', help: 'trace this remote port only' },
    DURATION,
  ],
  examples: [
    ['', 'all TCP state changes'],
    ['-L 80', 'only sockets with local port 80'],
  ],
  program(args) {
    const lport = args.int('lport');
    const dport = args.int('dport');
    const filter = predicate(
      `args.protocol == ${IPPROTO_TCP}`,
      lport !== undefined && `args.sport == ${lport}`,
      dport !== undefined && `args.dport == ${dport}`,
    );
    return `BEGIN
{
  ${headerPrintf('%-7s %-16s %-11s -> %-11s %9s %s\n', 'C-PID', 'C-COMM', 'OLDSTATE', 'NEWSTATE', 'MS', 'LADDR:LPORT RADDR:RPORT')}
${stateNames()}
}

tracepoint:sock:inet_sock_set_state
${filter}
{
  $us = @last[args.skaddr] ? (nsecs - @last[args.skaddr]) / 1000 : 0;
  ${byFamily('  ', '%-7d %-16s %-11s -> %-11s %5d.%03d %s:%d %s:%d\\n', (sa, da) => `pid, comm, @tcp_state[args.oldstate], @tcp_state[args.newstate], $us / 1000, $us % 1000, ${sa}, args.sport, ${da}, args.dport`)}
  if (args.newstate == 7) {
    delete(@last[args.skaddr]);
  } else {
    @last[args.skaddr] = nsecs;
  }
}

${durationProbe(args)}END
{
  clear(@last);
  clear(@tcp_state);
}
`;
  },
};
