// What the TCP tools share: the TCP states' names, and printing a socket's addresses (IPv4 or IPv6) with ntop().

/** TCP states by number (include/net/tcp_states.h). */
export const TCP_STATES = [
  '', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK',
  'LISTEN', 'CLOSING', 'NEW_SYN_RECV',
];

export const AF_INET = 2;
export const IPPROTO_TCP = 6;

/** Statements filling @tcp_state with the state names, for a BEGIN probe. */
export function stateNames(map = '@tcp_state'): string {
  return TCP_STATES.map((s, i) => (s === '' ? '' : `  ${map}[${i}] = "${s}";`)).filter(Boolean).join('\n');
}

/**
 * An if/else printing `fmt` with the socket's addresses for each family: `fmt` holds {saddr} and {daddr} where
 * the addresses go (as %s) and `argsOf` gives printf's arguments with `saddr`/`daddr` standing for them.
 */
export function byFamily(indent: string, fmt: string, argsOf: (saddr: string, daddr: string) => string): string {
  const one = (s: string, d: string): string => `printf("${fmt}", ${argsOf(`ntop(${s})`, `ntop(${d})`)});`;
  return `if (args.family == ${AF_INET}) {
${indent}  ${one('args.saddr', 'args.daddr')}
${indent}} else {
${indent}  ${one('args.saddr_v6', 'args.daddr_v6')}
${indent}}`;
}
