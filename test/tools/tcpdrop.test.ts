// tcpdrop end to end: a fixture makes two drops over loopback, for IPv4 and IPv6, that it knows the ports of:
// a byte a socket filter drops on an established connection, and a SYN to a port nobody listens on.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, compileFixture, removeBundle, skipReason, startGated, traceWhile, until, type Bundle } from './harness.js';
import { missing } from '../../src/tools/index.js';

const skip = skipReason();
if (skip) console.log(`skipping tcpdrop test: ${skip}`);
const noEvent = skip === false ? missing({ kind: 'tracepoint', event: 'skb:kfree_skb' }) : undefined;
if (noEvent) console.log(`skipping tcpdrop runs: ${noEvent}`);
const noIpv6 = !existsSync('/proc/net/if_inet6');
if (noIpv6) console.log('skipping tcpdrop IPv6 run: this kernel has no IPv6');

interface Drop {
  readonly cols: string[];
  readonly reason: string;
  readonly stack: string[];
}

/** The events printed: a row, an indented "reason:" line, the stack's frames, then a blank line. */
function drops(stdout: string): Drop[] {
  const out: Drop[] = [];
  const blocks = stdout.split('\n\n');
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l !== '');
    const at = lines.findIndex((l) => /^\d\d:\d\d:\d\d /.test(l));
    if (at < 0) continue;
    const reason = /^ {8}reason: (\w+)$/.exec(lines[at + 1] ?? '');
    out.push({ cols: lines[at]!.trim().split(/\s+/), reason: reason?.[1] ?? '', stack: lines.slice(at + 2).map((l) => l.trim()) });
  }
  return out;
}

describe.skipIf(skip !== false)('tcpdrop', () => {
  let b: Bundle;
  let fixture: string;
  beforeAll(async () => {
    b = await bundleCli();
    fixture = compileFixture(b, 'drops');
  });
  afterAll(() => removeBundle(b));

  for (const family of ['4', '6'] as const) {
    it.skipIf(noEvent !== undefined || (family === '6' && noIpv6))(`shows a filtered segment and a SYN to a closed port over IPv${family}`, async () => {
      const w = startGated(fixture, [family]);
      await until(() => w.stdout().includes('\n'));
      const [server, client, closed, syn] = w.stdout().trim().split(' ');
      const host = family === '4' ? '127.0.0.1' : '::1';
      // The SYN's drop is the last event the fixture causes.
      const synRow = new RegExp(` ${host.replace(/\./g, '\\.')}:${closed} +${host.replace(/\./g, '\\.')}:${syn} `);
      const r = await traceWhile(
        b,
        ['tcpdrop', `-${family}`],
        async () => {
          await w.go();
          await w.finish();
        },
        { waitFor: (out) => synRow.test(out) },
      );
      expect(r.stderr).toBe('');
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('Tracing TCP drops. Hit Ctrl-C to end.');
      expect(lines[1]).toMatch(/^TIME\s+PID\s+LADDR:LPORT\s+RADDR:RPORT STATE$/);
      const all = drops(r.stdout);
      // The accepted end drops the client's byte: its socket is the one that received it.
      const filtered = all.filter((d) => d.cols[2] === `${host}:${server}` && d.cols[3] === `${host}:${client}`);
      expect(filtered.map((d) => [d.cols[4], d.reason])).toEqual([['ESTABLISHED', 'SOCKET_FILTER']]);
      const rcv = family === '4' ? /^tcp_v4_rcv\+\d+$/ : /^tcp_v6_rcv\+\d+$/;
      expect(filtered[0]!.stack.filter((f) => rcv.test(f)), filtered[0]!.stack.join('\n')).toHaveLength(1);
      // No socket took the SYN: its addresses come from the packet, the closed port being the local end.
      const refused = all.filter((d) => d.cols[2] === `${host}:${closed}` && d.cols[3] === `${host}:${syn}`);
      expect(refused.map((d) => [d.cols[4], d.reason])).toEqual([['-', 'NO_SOCKET']]);
      for (const l of lines) expect(l.length, l).toBeLessThan(80);
    });
  }
});
