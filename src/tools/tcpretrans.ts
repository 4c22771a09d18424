// tcpretrans: TCP retransmissions with the socket's addresses and state, from tcp:tcp_retransmit_skb. The
// task running when a retransmit timer fires is rarely the socket's owner, so no process is shown.
import { DURATION, durationProbe } from './common.js';
import { headerPrintf } from './program.js';
import { AF_INET, stateNames } from './tcp-common.js';
import type { ToolSpec } from './tool.js';

export const tcpretrans: ToolSpec = {
  name: 'tcpretrans',
  summary: 'Trace TCP retransmits with addresses and state',
  category: 'network',
  needs: [{ kind: 'tracepoint', event: 'tcp:tcp_retransmit_skb' }],
  options: [
    { key: 'count', short: 'c', long: 'count', help: 'count per address pair instead of tracing each' },
    DURATION,
  ],
  examples: [
    ['', 'trace each retransmit'],
    ['-c', 'counts per address pair at Ctrl-C'],
  ],
  program(args) {
    const v4 = `args.family == ${AF_INET}`;
    if (args.flag('count')) {
      return `BEGIN
{
  printf("Tracing retransmits... Hit Ctrl-C to end.\\n");
}

tracepoint:tcp:tcp_retransmit_skb
{
  if (${v4}) {
    @retransmits[ntop(args.saddr), args.sport, ntop(args.daddr), args.dport] = count();
  } else {
    @retransmits[ntop(args.saddr_v6), args.sport, ntop(args.daddr_v6), args.dport] = count();
  }
}
${durationProbe(args)}`;
    }
    return `BEGIN
{
  ${headerPrintf('%-8s %-2s %-21s %-2s %-21s %s\n', 'TIME', 'IP', 'LADDR:LPORT', 'T>', 'RADDR:RPORT', 'STATE')}
${stateNames()}
}

tracepoint:tcp:tcp_retransmit_skb
{
  if (${v4}) {
    printf("%-8s 4  %s:%d R> %s:%d %s\\n", strftime("%H:%M:%S", nsecs), ntop(args.saddr), args.sport, ntop(args.daddr), args.dport, @tcp_state[args.state]);
  } else {
    printf("%-8s 6  %s:%d R> %s:%d %s\\n", strftime("%H:%M:%S", nsecs), ntop(args.saddr_v6), args.sport, ntop(args.daddr_v6), args.dport, @tcp_state[args.state]);
  }
}

${durationProbe(args)}END
{
  clear(@tcp_state);
}
`;
  },
};
