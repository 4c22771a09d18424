// tcpsynbl: the listen backlog's length each time a SYN completes a handshake, as histograms by the backlog's
// limit, from a kprobe on tcp_v4_syn_recv_sock (struct sock read through the kernel's BTF).
import type { ToolSpec } from './tool.js';

export const tcpsynbl: ToolSpec = {
  name: 'tcpsynbl',
  summary: 'Show TCP listen backlog lengths as histograms',
  category: 'network',
  needs: [{ kind: 'kprobe', func: 'tcp_v4_syn_recv_sock' }],
  options: [],
  examples: [['', 'histograms by backlog limit at Ctrl-C']],
  program() {
    return `BEGIN
{
  printf("Tracing SYN backlog size. Ctrl-C to end.\\n");
}

kprobe:tcp_v4_syn_recv_sock
{
  $sock = (struct sock *)arg0;
  @backlog[$sock->sk_max_ack_backlog & 0xffffffff] = hist($sock->sk_ack_backlog);
}
`;
  },
};
