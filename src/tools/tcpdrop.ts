// tcpdrop: TCP packets the kernel drops, with addresses, socket state, the drop reason and the kernel stack,
// from skb:kfree_skb. The socket is the one receiving the packet (the event's rx_sk, since 6.11-era kernels)
// or the one sending it (skb->sk); a packet no socket took (a segment to a closed port) has its addresses read
// from its own IP and TCP headers, and no state. Frees with no reason given (NOT_SPECIFIED) are left out, as
// in the book's tool: kfree_skb() is also called for packets that were not dropped.
import { TracefsError, traceEvents, type EventFormat } from '../tracefs/index.js';
import type { ToolArgs } from './options.js';
import { DURATION, durationProbe } from './common.js';
import { headerPrintf } from './program.js';
import { AF_INET, IPPROTO_TCP, stateNames } from './tcp-common.js';
import type { ToolSpec } from './tool.js';

const AF_INET6 = 10;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const TCP_TIME_WAIT = 6;
const TCP_NEW_SYN_RECV = 12;

/** What this kernel's skb:kfree_skb carries: a reason (with its names, from the print format) and rx_sk. */
export interface KfreeSkbLayout {
  readonly reason: boolean;
  readonly rxSk: boolean;
  /** Reason names by number, from the event's print format; empty when it cannot be read. */
  readonly reasonNames: ReadonlyMap<number, string>;
}

/** The layout a kfree_skb format file describes. */
export function kfreeSkbLayoutOf(f: EventFormat): KfreeSkbLayout {
  const names = new Map<number, string>();
  for (const m of f.printFmt.matchAll(/\{\s*(\d+),\s*"(\w+)"\s*\}/g)) names.set(Number(m[1]), m[2]!);
  return { reason: f.fields.some((x) => x.name === 'reason'), rxSk: f.fields.some((x) => x.name === 'rx_sk'), reasonNames: names };
}

/** This kernel's layout. */
export function kfreeSkbLayout(): KfreeSkbLayout {
  try {
    return kfreeSkbLayoutOf(traceEvents().format('skb', 'kfree_skb'));
  } catch (err) {
    // No event to read: the program is still built for the newest layout, and the needs check says what is missing.
    if (err instanceof TracefsError) return { reason: true, rxSk: true, reasonNames: new Map() };
    throw err;
  }
}

// The address column: the address right-aligned so that the colons line up, then the port.
const ADDR4 = '%15s:%-5d';
const ADDR_HEADER = (addr: string, port: string): string => `${addr.padStart(15)}:${port.padEnd(5)}`;

export const tcpdrop: ToolSpec = {
  name: 'tcpdrop',
  summary: 'Trace TCP drops with addresses, state, reason and stack',
  category: 'network',
  needs: [{ kind: 'tracepoint', event: 'skb:kfree_skb' }],
  options: [
    { key: 'ipv4', short: '4', long: 'ipv4', help: 'trace IPv4 only' },
    { key: 'ipv6', short: '6', long: 'ipv6', help: 'trace IPv6 only' },
    DURATION,
  ],
  examples: [
    ['', 'trace each drop with its kernel stack'],
    ['-4 -d 10', 'IPv4 only, for ten seconds'],
  ],
  program(args) {
    return tcpdropProgram(args, kfreeSkbLayout());
  },
};

/** tcpdrop's program for a kfree_skb layout (this kernel's, or another's in tests). */
export function tcpdropProgram(args: ToolArgs, layout: KfreeSkbLayout): string {
  const v4 = !args.flag('ipv6') || args.flag('ipv4');
  const v6 = !args.flag('ipv4') || args.flag('ipv6');
  const row = (fmt: string, local: string, lport: string, remote: string, rport: string, state: string): string =>
    `printf("%-8s %-7d ${fmt} ${fmt} %s\\n", strftime("%H:%M:%S", nsecs), pid, ${local}, ${lport}, ${remote}, ${rport}, ${state});`;
  const sockRow = (fmt: string, local: string, remote: string): string =>
    row(fmt, `ntop(${local})`, '$sk->__sk_common.skc_num', `ntop(${remote})`, 'bswap($sk->__sk_common.skc_dport)', '@tcp_state[$state]');
  // The tail of each event: the reason, then the stack (whose text starts with a newline and ends with one).
  const tail = layout.reason
    ? layout.reasonNames.size > 0
      ? 'printf("        reason: %s%s\\n", @drop_reason[args.reason], kstack);'
      : 'printf("        reason: %d%s\\n", args.reason, kstack);'
    : 'printf("%s\\n", kstack);';
  const sockPrint = [
    ...(v4
      ? [`if ($family == ${AF_INET}) {
        ${sockRow(ADDR4, '$sk->__sk_common.skc_rcv_saddr', '$sk->__sk_common.skc_daddr')}
        ${tail}
      }`]
      : []),
    ...(v6
      ? [`if ($family == ${AF_INET6}) {
        ${sockRow('%s:%d', '$sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8', '$sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8')}
        ${tail}
      }`]
      : []),
  ].join(' else ');
  // A packet no socket took arrived here: its destination is the local end.
  const packetPrint = [
    ...(v4
      ? [`if (args.protocol == ${ETH_P_IP}) {
      $ip = (struct iphdr *)($skb->head + $skb->network_header);
      if ($ip->protocol == ${IPPROTO_TCP}) {
        $th = (struct tcphdr *)($skb->head + $skb->transport_header);
        ${row(ADDR4, 'ntop($ip->daddr)', 'bswap($th->dest)', 'ntop($ip->saddr)', 'bswap($th->source)', '"-"')}
        ${tail}
      }
    }`]
      : []),
    ...(v6
      ? [`if (args.protocol == ${ETH_P_IPV6}) {
      $ip6 = (struct ipv6hdr *)($skb->head + $skb->network_header);
      if ($ip6->nexthdr == ${IPPROTO_TCP}) {
        $th6 = (struct tcphdr *)($skb->head + $skb->transport_header);
        ${row('%s:%d', 'ntop($ip6->daddr.in6_u.u6_addr8)', 'bswap($th6->dest)', 'ntop($ip6->saddr.in6_u.u6_addr8)', 'bswap($th6->source)', '"-"')}
        ${tail}
      }
    }`]
      : []),
  ].join(' else ');
  const names = [...layout.reasonNames].map(([n, name]) => `  @drop_reason[${n}] = "${name}";`).join('\n');
  return `BEGIN
{
  printf("Tracing TCP drops. Hit Ctrl-C to end.\\n");
  ${headerPrintf(`%-8s %-7s ${ADDR_HEADER('LADDR', 'LPORT')} ${ADDR_HEADER('RADDR', 'RPORT')} %s\n`, 'TIME', 'PID', 'STATE')}
${stateNames()}${names !== '' ? `\n${names}` : ''}
}

tracepoint:skb:kfree_skb
${layout.reason ? '/args.reason > 2/\n' : ''}{
  $skb = (struct sk_buff *)args.skbaddr;
  $sk = ${layout.rxSk ? '(struct sock *)args.rx_sk' : '$skb->sk'};${layout.rxSk ? '\n  if ($sk == 0) {\n    $sk = $skb->sk;\n  }' : ''}
  if ($sk != 0) {
    $family = $sk->__sk_common.skc_family;
    $state = $sk->__sk_common.skc_state;
    // TIME_WAIT and NEW_SYN_RECV sockets are TCP's small ones, which have no sk_protocol to read.
    if ($state == ${TCP_TIME_WAIT} || $state == ${TCP_NEW_SYN_RECV} || $sk->sk_protocol == ${IPPROTO_TCP}) {
      ${sockPrint}
    }
  } else {
    ${packetPrint}
  }
}

${durationProbe(args)}END
{
  clear(@tcp_state);${names !== '' ? '\n  clear(@drop_reason);' : ''}
}
`;
}
