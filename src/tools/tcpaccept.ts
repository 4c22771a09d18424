// tcpaccept: passive TCP connections as accept() returns them, from a return probe on inet_csk_accept (the
// socket's addresses are read from struct sock through the kernel's BTF).
import { PID } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const tcpaccept: ToolSpec = {
  name: 'tcpaccept',
  summary: 'Trace passive TCP connections as accept() returns them',
  category: 'network',
  needs: [{ kind: 'kprobe', func: 'inet_csk_accept', ret: true }],
  options: [PID],
  examples: [['', 'trace all accepts']],
  program(args) {
    const pid = args.int('pid');
    return `BEGIN
{
  ${headerPrintf('%-7s %-16s %-2s %-15s %-5s %-15s %s\n', 'PID', 'COMM', 'IP', 'RADDR', 'RPORT', 'LADDR', 'LPORT')}
}

kretprobe:inet_csk_accept
${predicate('retval != 0', pid !== undefined && `pid == ${pid}`)}
{
  $sk = (struct sock *)retval;
  $family = $sk->__sk_common.skc_family;
  // skc_dport is in network byte order; skc_num (the local port) is in host order.
  $rport = $sk->__sk_common.skc_dport;
  $rport = (($rport & 0xff) << 8) | ($rport >> 8);
  $lport = $sk->__sk_common.skc_num;
  if ($family == 2) {
    printf("%-7d %-16s 4  %-15s %-5d %-15s %d\\n", pid, comm, ntop($sk->__sk_common.skc_daddr), $rport, ntop($sk->__sk_common.skc_rcv_saddr), $lport);
  } else {
    printf("%-7d %-16s 6  %-15s %-5d %-15s %d\\n", pid, comm, ntop($sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8), $rport,
      ntop($sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8), $lport);
  }
}
`;
  },
};
