// sslsnoop end to end: a TLS pair in one Python process (two handshakes, a write and a read through libssl),
// and a C fixture that signs and verifies once with libcrypto's RSA API.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoFunctions } from '../../src/tools/sslsnoop.js';
import { bundleCli, compileFixture, removeBundle, ROOT, skipReason, startGated, traceWhile, until, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping sslsnoop tests: ${skip}`);
const noTls = spawnSync('python3', ['-c', 'import ssl']).status !== 0 || spawnSync('openssl', ['version']).status !== 0;
if (noTls) console.log('skipping sslsnoop TLS test: needs python3 with ssl and openssl(1) for a certificate');
const haveRsa = cryptoFunctions().includes('RSA_sign') && cryptoFunctions().includes('RSA_verify');
const noRsa = !haveRsa || spawnSync('sh', ['-c', 'echo "#include <openssl/rsa.h>" | gcc -E - >/dev/null']).status !== 0;
if (noRsa) console.log('skipping sslsnoop RSA test: needs libcrypto with RSA_sign/RSA_verify and its headers');

/** The rows of one process: [pid, comm, latency, ret, func]. */
function rows(stdout: string, pid: number): string[][] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c[1] === String(pid))
    .map((c) => c.slice(1));
}

describe.skipIf(skip !== false)('sslsnoop', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it.skipIf(noTls)('shows the handshakes, the write and the read of a TLS pair with their results', async () => {
    const cert = join(b.dir, 'cert.pem');
    const key = join(b.dir, 'key.pem');
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=bpfkit', '-keyout', key, '-out', cert, '-days', '1'], { encoding: 'utf8' });
    expect(gen.status).toBe(0);
    const w = startGated('python3', [join(ROOT, 'test/fixtures/tools/tls-pair.py'), cert, key]);
    const r = await traceWhile(
      b,
      ['sslsnoop', '-s', '-p', String(w.pid)],
      async () => {
        await w.go();
        await w.finish();
      },
      { waitFor: (out) => rows(out, w.pid).length >= 4 },
    );
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Tracing OpenSSL calls... Hit Ctrl-C to end.');
    expect(lines[1]).toMatch(/^TIME\(us\)\s+PID\s+COMM\s+LAT\(us\)\s+RET FUNC$/);
    const mine = rows(r.stdout, w.pid);
    for (const c of mine) {
      expect(c[1]).toBe('python3');
      expect(c[2]).toMatch(/^\d+$/);
    }
    // Each call succeeded (1); -s leaves out libcrypto.
    expect(mine.map((c) => `${c[4]} ${c[3]}`).sort()).toEqual(['SSL_do_handshake 1', 'SSL_do_handshake 1', 'SSL_read_ex 1', 'SSL_write_ex 1']);
    for (const l of lines) expect(l.length, l).toBeLessThan(80);
  });

  it.skipIf(noRsa)('shows an RSA_sign and an RSA_verify call of libcrypto with their results', async () => {
    const fixture = compileFixture(b, 'rsasign', ['-lcrypto']);
    const w = startGated(fixture, []);
    await until(() => w.stdout().includes('ready\n'));
    const r = await traceWhile(
      b,
      ['sslsnoop', '-p', String(w.pid)],
      async () => {
        await w.go();
        await w.finish();
      },
      { waitFor: (out) => / RSA_verify\n/.test(out) },
    );
    expect(r.stderr).toBe('');
    expect(w.stdout()).toBe('ready\n1 1\n');
    expect(rows(r.stdout, w.pid).map((c) => [c[1], c[3], c[4]])).toEqual([
      ['rsasign', '1', 'RSA_sign'],
      ['rsasign', '1', 'RSA_verify'],
    ]);
  });
});
