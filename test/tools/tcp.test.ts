// The TCP tools end to end: the test process connects to its own listener on 127.0.0.1 with node:net.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, removeBundle, runCommand, skipReason, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping TCP tool tests: ${skip}`);
const noNetns = spawnSync('ip', ['netns', 'list']).status !== 0 || spawnSync('python3', ['--version']).status !== 0;
if (noNetns) console.log('skipping tcpretrans test: needs ip(8) network namespaces and python3');

// In a private network namespace with SYN cookies off, a listener whose backlog is full drops new SYNs, so the
// second client's SYN is retransmitted after the initial 1 s timeout.
const SYN_DROP = [
  'import socket',
  "srv = socket.socket(); srv.bind(('127.0.0.1', 4000)); srv.listen(0)",
  "first = socket.create_connection(('127.0.0.1', 4000))",
  'c = socket.socket(); c.settimeout(1.5)',
  'try:',
  "    c.connect(('127.0.0.1', 4000))",
  'except OSError:',
  '    pass',
].join('\n');

/**
 * Listens on 127.0.0.1, connects, sends `bytes` bytes to the server, which answers with `reply` bytes once it
 * has them all; then the client closes, and the server after it.
 */
async function loopback(bytes: number, reply = 0, host = '127.0.0.1'): Promise<{ port: number; clientPort: number }> {
  const server = createServer();
  const received = new Promise<void>((resolve) => {
    server.on('connection', (sock) => {
      let n = 0;
      sock.on('data', (d) => {
        n += d.length;
        if (n === bytes && reply > 0) sock.write(Buffer.alloc(reply, 8));
      });
      sock.on('end', () => {
        sock.end();
        if (n === bytes) resolve();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const client = createConnection(port, host);
  await new Promise<void>((resolve) => client.on('connect', resolve));
  const clientPort = client.localPort!;
  let got = 0;
  const replied = new Promise<void>((resolve) => {
    if (reply === 0) resolve();
    client.on('data', (d) => {
      got += d.length;
      if (got === reply) resolve();
    });
  });
  client.write(Buffer.alloc(bytes, 7));
  await replied;
  client.end();
  await received;
  await new Promise<void>((resolve) => client.on('close', () => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { port, clientPort };
}

describe.skipIf(skip !== false)('TCP tools', () => {
  let b: Bundle;
  const comm = readFileSync('/proc/self/comm', 'utf8').trim();
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('tcpconnect shows the test’s connect with its addresses and port', async () => {
    let port = 0;
    const r = await traceWhile(b, ['tcpconnect', '-p', String(process.pid)], async () => {
      ({ port } = await loopback(100));
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^PID\s+COMM\s+IP SADDR\s+DADDR\s+DPORT$/);
    const rows = r.stdout.split('\n').slice(1).filter((l) => l !== '').map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([[String(process.pid), ...comm.split(/\s+/), '4', '127.0.0.1', '127.0.0.1', String(port)]]);
  });

  it('tcpconnect shows an IPv6 connect with its addresses', async () => {
    let port = 0;
    const r = await traceWhile(b, ['tcpconnect', '-p', String(process.pid)], async () => {
      ({ port } = await loopback(10, 0, '::1'));
    });
    expect(r.stderr).toBe('');
    const rows = r.stdout.split('\n').slice(1).filter((l) => l !== '').map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([[String(process.pid), ...comm.split(/\s+/), '6', '::1', '::1', String(port)]]);
  });

  it('tcplife shows both ends of a session with the kilobytes each sent', async () => {
    let ports = { port: 0, clientPort: 0 };
    const r = await traceWhile(b, ['tcplife', '-p', String(process.pid)], async () => {
      ports = await loopback(200 * 1024, 10 * 1024);
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^PID\s+COMM\s+LADDR\s+LPORT RADDR\s+RPORT\s+TX_KB\s+RX_KB MS$/);
    const rows = r.stdout.split('\n').slice(1).filter((l) => l !== '').map((l) => l.trim().split(/\s+/));
    const n = comm.split(/\s+/).length;
    const pick = (lport: number): string[][] => rows.filter((c) => c[0] === String(process.pid) && c[2 + n] === String(lport)).map((c) => c.slice(1 + n));
    // The counters include one for the FIN (and the SYN, for the sender's acked bytes): under 1 KiB extra.
    expect(pick(ports.clientPort).map((c) => c.slice(0, 6))).toEqual([['127.0.0.1', String(ports.clientPort), '127.0.0.1', String(ports.port), '200', '10']]);
    expect(pick(ports.port).map((c) => c.slice(0, 6))).toEqual([['127.0.0.1', String(ports.port), '127.0.0.1', String(ports.clientPort), '10', '200']]);
    for (const c of [...pick(ports.clientPort), ...pick(ports.port)]) expect(c[6]).toMatch(/^\d+\.\d{3}$/);
  });

  it('tcpstates shows the client socket’s life from SYN_SENT to CLOSE', async () => {
    let ports = { port: 0, clientPort: 0 };
    const r = await traceWhile(b, ['tcpstates'], async () => {
      ports = await loopback(1000);
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^C-PID\s+C-COMM\s+OLDSTATE\s+-> NEWSTATE\s+MS LADDR:LPORT RADDR:RPORT$/);
    const client = r.stdout
      .split('\n')
      .filter((l) => l.endsWith(` 127.0.0.1:${ports.clientPort} 127.0.0.1:${ports.port}`) || l.endsWith(` 127.0.0.1:0 127.0.0.1:${ports.port}`))
      .map((l) => /(\S+)\s+-> (\S+)\s+\d+\.\d{3} /.exec(l)!.slice(1, 3).join('->'));
    expect(client).toEqual(['CLOSE->SYN_SENT', 'SYN_SENT->ESTABLISHED', 'ESTABLISHED->FIN_WAIT1', 'FIN_WAIT1->FIN_WAIT2', 'FIN_WAIT2->CLOSE']);
    const server = r.stdout
      .split('\n')
      .filter((l) => l.endsWith(` 127.0.0.1:${ports.port} 127.0.0.1:${ports.clientPort}`))
      .map((l) => /(\S+)\s+-> (\S+)\s+\d+\.\d{3} /.exec(l)!.slice(1, 3).join('->'));
    expect(server).toEqual(['LISTEN->SYN_RECV', 'SYN_RECV->ESTABLISHED', 'ESTABLISHED->CLOSE_WAIT', 'CLOSE_WAIT->LAST_ACK', 'LAST_ACK->CLOSE']);
  });

  it.skipIf(noNetns)('tcpretrans shows a dropped SYN being sent again', async () => {
    const ns = `bpfkit-tcpretrans-${process.pid}`;
    expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
    try {
      spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
      spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_syncookies=0']);
      const r = await traceWhile(b, ['tcpretrans'], async () => {
        await runCommand('ip', ['netns', 'exec', ns, 'python3', '-c', SYN_DROP]);
      });
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')[0]).toMatch(/^TIME\s+IP LADDR:LPORT\s+T> RADDR:RPORT\s+STATE$/);
      const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c[4] === '127.0.0.1:4000');
      expect(rows.length).toBeGreaterThan(0);
      for (const c of rows) {
        expect(c[0]).toMatch(/^\d\d:\d\d:\d\d$/);
        expect([c[1], c[3], c[5]]).toEqual(['4', 'R>', 'SYN_SENT']);
        expect(c[2]).toMatch(/^127\.0\.0\.1:\d+$/);
      }
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});
