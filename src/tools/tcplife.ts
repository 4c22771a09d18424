// tcplife: TCP sessions when they close, with their addresses, bytes each way and duration, from
// sock:inet_sock_set_state and the socket's own counters (struct tcp_sock from the kernel's BTF).
import { NAME, PID, taskFilters } from './common.js';
import { headerPrintf, predicate } from './program.js';
import { IPPROTO_TCP } from './tcp-common.js';
import type { ToolSpec } from './tool.js';

// TCP states by number.
const SYN_SENT = 2;
const FIN_WAIT1 = 4;
const CLOSE = 7;
const LAST_ACK = 9;

export const tcplife: ToolSpec = {
  name: 'tcplife',
  summary: 'Trace TCP sessions with their bytes and duration',
  category: 'network',
  needs: [{ kind: 'tracepoint', event: 'sock:inet_sock_set_state' }],
  options: [
    PID,
    NAME,
    { key: 'lport', short: 'L', long: 'localport', value: 'int', metavar: 'PORT', help: 'trace this local port only' },
    { key: 'dport', short: 'D', long: 'remoteport', value: 'int', metavar: 'PORT', help: 'trace this remote port only' },
  ],
  examples: [
    ['', 'every TCP session as it closes'],
    ['-L 80', 'only sessions on local port 80'],
  ],
  program(args) {
    const lport = args.int('lport');
    const dport = args.int('dport');
    // The process is the one seen opening the session (connect: SYN_SENT) or closing it (LAST_ACK), as changes
    // often happen in softirq context on behalf of whatever task is running.
    const who = taskFilters('tcplife', args).map((c) => c.replace(/\bpid\b/, '@pid[args.skaddr]').replace(/\bcomm\b/, '@comm[args.skaddr]').replace(/\buid\b/, 'uid'));
    const row = (family: 'v4' | 'v6'): string => {
      const s = family === 'v4' ? 'args.saddr' : 'args.saddr_v6';
      const d = family === 'v4' ? 'args.daddr' : 'args.daddr_v6';
      return `printf("%-7d %-12s %-15s %-5d %-15s %-5d %6d %6d %d.%03d\\n", $pid, $comm, ntop(${s}), args.sport, ntop(${d}), args.dport,
      $tp->bytes_acked / 1024, $tp->bytes_received / 1024, $us / 1000, $us % 1000);`;
    };
    return `BEGIN
{
  ${headerPrintf('%-7s %-12s %-15s %-5s %-15s %-5s %6s %6s %s\n', 'PID', 'COMM', 'LADDR', 'LPORT', 'RADDR', 'RPORT', 'TX_KB', 'RX_KB', 'MS')}
}

tracepoint:sock:inet_sock_set_state
${predicate(`args.protocol == ${IPPROTO_TCP}`)}
{
  if (args.newstate < ${FIN_WAIT1} && !@birth[args.skaddr]) {
    @birth[args.skaddr] = nsecs;
  }
  if (args.newstate == ${SYN_SENT} || args.newstate == ${LAST_ACK}) {
    @pid[args.skaddr] = pid;
    @comm[args.skaddr] = comm;
  }
  if (args.newstate == ${CLOSE} && @birth[args.skaddr]) {
    if (!@pid[args.skaddr]) {
      @pid[args.skaddr] = pid;
      @comm[args.skaddr] = comm;
    }
    $pid = @pid[args.skaddr];
    $comm = @comm[args.skaddr];
    $us = (nsecs - @birth[args.skaddr]) / 1000;
    $tp = (struct tcp_sock *)args.skaddr;
    if (${['1', ...who, lport !== undefined ? `args.sport == ${lport}` : '', dport !== undefined ? `args.dport == ${dport}` : ''].filter((c) => c !== '').join(' && ')}) {
      if (args.family == 2) {
        ${row('v4')}
      } else {
        ${row('v6')}
      }
    }
  }
  if (args.newstate == ${CLOSE}) {
    delete(@birth[args.skaddr]);
    delete(@pid[args.skaddr]);
    delete(@comm[args.skaddr]);
  }
}

END
{
  clear(@birth);
  clear(@pid);
  clear(@comm);
}
`;
  },
};
