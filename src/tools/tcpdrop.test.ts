// tcpdrop's program for the kfree_skb layouts kernels have had: with and without the drop reason and rx_sk.
import { describe, expect, it } from 'vitest';
import { parse } from '../lang/index.js';
import { parseEventFormat } from '../tracefs/index.js';
import { parseToolArgs } from './options.js';
import { kfreeSkbLayoutOf, tcpdrop, tcpdropProgram } from './tcpdrop.js';

const COMMON = `\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;
`;

// Before 5.17: the skb, where it was freed and its protocol.
const OLD = `name: kfree_skb
ID: 1000
format:
${COMMON}
\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;
\tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;
\tfield:unsigned short protocol;\toffset:24;\tsize:2;\tsigned:0;

print fmt: "skbaddr=%p protocol=%u location=%p", REC->skbaddr, REC->protocol, REC->location
`;

// Since 6.11-era kernels: the reason (named in the print format) and the receiving socket.
const NEW = `name: kfree_skb
ID: 2310
format:
${COMMON}
\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;
\tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;
\tfield:void * rx_sk;\toffset:24;\tsize:8;\tsigned:0;
\tfield:unsigned short protocol;\toffset:32;\tsize:2;\tsigned:0;
\tfield:enum skb_drop_reason reason;\toffset:36;\tsize:4;\tsigned:0;

print fmt: "skbaddr=%p reason: %s", REC->skbaddr, __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" }, { 5, "SOCKET_FILTER" })
`;

describe('tcpdrop', () => {
  it('reads the fields and reason names a kfree_skb format has', () => {
    const old = kfreeSkbLayoutOf(parseEventFormat(OLD));
    expect([old.reason, old.rxSk, old.reasonNames.size]).toEqual([false, false, 0]);
    const now = kfreeSkbLayoutOf(parseEventFormat(NEW));
    expect([now.reason, now.rxSk, [...now.reasonNames]]).toEqual([true, true, [[2, 'NOT_SPECIFIED'], [3, 'NO_SOCKET'], [5, 'SOCKET_FILTER']]]);
  });

  it('builds a program that parses for each layout, using only the fields it has', () => {
    for (const text of [OLD, NEW]) {
      const layout = kfreeSkbLayoutOf(parseEventFormat(text));
      const program = tcpdropProgram(parseToolArgs(tcpdrop, []), layout);
      expect(parse(program, 'tcpdrop').diagnostics.ok, program).toBe(true);
      expect(program.includes('args.reason')).toBe(layout.reason);
      expect(program.includes('args.rx_sk')).toBe(layout.rxSk);
      expect(program.includes('@drop_reason[5] = "SOCKET_FILTER";')).toBe(layout.reason);
    }
  });

  it('leaves out the other family with -4 or -6', () => {
    const layout = kfreeSkbLayoutOf(parseEventFormat(NEW));
    const v4 = tcpdropProgram(parseToolArgs(tcpdrop, ['-4']), layout);
    expect([v4.includes('$family == 2'), v4.includes('$family == 10'), v4.includes('struct ipv6hdr')]).toEqual([true, false, false]);
    const v6 = tcpdropProgram(parseToolArgs(tcpdrop, ['-6']), layout);
    expect([v6.includes('$family == 2'), v6.includes('$family == 10'), v6.includes('struct iphdr')]).toEqual([false, true, false]);
  });
});
