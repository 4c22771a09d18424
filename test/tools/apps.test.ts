// The application tools end to end, through uprobes: bash's readline, libc's host lookups and pthread mutexes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, compileFixture, histogram, removeBundle, ROOT, runCommand, skipReason, startGated, total, traceWhile, until, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping application tool tests: ${skip}`);
const noTls = spawnSync('python3', ['-c', 'import ssl']).status !== 0 || spawnSync('openssl', ['version']).status !== 0;
if (noTls) console.log('skipping ssllatency test: needs python3 with ssl and openssl(1) for a certificate');

const noScript = spawnSync('script', ['--version']).status !== 0 || !existsSync('/bin/bash');
if (noScript) console.log('skipping bashreadline test: needs /bin/bash and script(1) for a terminal');

describe.skipIf(skip !== false)('application tools', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it.skipIf(noScript)('bashreadline prints each line an interactive bash reads', async () => {
    let scriptPid = 0;
    const r = await traceWhile(b, ['bashreadline'], async () => {
      // readline only runs with a terminal: script(1) gives bash one.
      scriptPid = await runCommand('script', ['-qfc', 'bash --norc -i', '/dev/null'], { input: 'echo bpfkit-readline-test 42\nexit\n' });
    });
    expect(scriptPid).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME\(s\)\s+PID\s+COMMAND$/);
    const mine = lines.filter((l) => l.endsWith(' echo bpfkit-readline-test 42'));
    expect(mine).toHaveLength(1);
    const pid = mine[0]!.trim().split(/\s+/)[1];
    // The same shell then read "exit".
    expect(lines.some((l) => l.trim().split(/\s+/)[1] === pid && l.endsWith(' exit'))).toBe(true);
  });

  it('gethostlatency shows a getaddrinfo lookup with its host and process', async () => {
    let pid = 0;
    const r = await traceWhile(b, ['gethostlatency'], async () => {
      pid = await runCommand('getent', ['ahosts', 'localhost']);
    });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME\(s\)\s+PID\s+COMM\s+LATms HOST$/);
    const rows = lines.map((l) => l.trim().split(/\s+/)).filter((c) => c[1] === String(pid));
    expect(rows).toHaveLength(1);
    expect(rows[0]![2]).toBe('getent');
    expect(rows[0]![3]).toMatch(/^\d+\.\d{3}$/);
    expect(rows[0]![4]).toBe('localhost');
  });

  it.skipIf(noTls)('ssllatency times the two handshakes, the write and the read of a TLS pair', async () => {
    const cert = join(b.dir, 'cert.pem');
    const key = join(b.dir, 'key.pem');
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=bpfkit', '-keyout', key, '-out', cert, '-days', '1'], { encoding: 'utf8' });
    expect(gen.status).toBe(0);
    // Two handshakes, one write and one read (test/fixtures/tools/tls-pair.py).
    const w = startGated('python3', [join(ROOT, 'test/fixtures/tools/tls-pair.py'), cert, key]);
    const r = await traceWhile(b, ['ssllatency', '-p', String(w.pid)], async () => {
      await w.go();
      await w.finish();
    });
    expect(r.stderr).toBe('');
    expect(total(histogram(r.stdout, '@usecs[SSL_do_handshake]:'))).toBe(2);
    expect(total(histogram(r.stdout, '@usecs[SSL_write_ex]:'))).toBe(1);
    expect(total(histogram(r.stdout, '@usecs[SSL_read_ex]:'))).toBe(1);
  });

  describe('mutex tools', () => {
    let mutex: string;
    beforeAll(() => {
      mutex = compileFixture(b, 'mutex');
    });

    // The fixture prints its mutex's address, then two threads lock it 10 times each, holding it 1 ms.
    async function traceMutex(tool: string): Promise<{ stdout: string; stderr: string; lock: string }> {
      const w = startGated(mutex, ['10', '1000']);
      await until(() => w.stdout().includes('\n'));
      const lock = w.stdout().trim();
      const r = await traceWhile(b, [tool, '-S', '-p', String(w.pid)], async () => {
        await w.go();
        await w.finish();
      });
      return { stdout: r.stdout, stderr: r.stderr, lock };
    }

    it('funccount counts every pthread_mutex_lock call of the fixture', async () => {
      const w = startGated(mutex, ['10', '10']);
      await until(() => w.stdout().includes('\n'));
      const r = await traceWhile(b, ['funccount', '-p', String(w.pid), 'u:libc:pthread_mutex_lock'], async () => {
        await w.go();
        await w.finish();
      });
      expect(r.stderr).toBe('');
      // 20 from the workers, plus the few glibc makes on its own locks (stdio, thread creation).
      // The probe is named by its library's path, as bpftrace names it (uprobe:/lib/.../libc.so.6:...).
      const n = Number(/@\[uprobe:[^\]:]*libc[^\]:]*:pthread_mutex_lock\]: (\d+)\n/.exec(r.stdout)?.[1]);
      expect(n).toBeGreaterThanOrEqual(20);
      expect(n).toBeLessThan(40);
    });

    it('pmlock counts every lock of the fixture’s mutex', async () => {
      const r = await traceMutex('pmlock');
      expect(r.stderr).toBe('');
      expect(total(histogram(r.stdout, `@lock_latency_ns[${r.lock}, mutex]:`))).toBe(20);
    });

    it('pmheld puts every 1 ms hold at 1 ms (the [512K, 1M) ns bucket) or more', async () => {
      const r = await traceMutex('pmheld');
      expect(r.stderr).toBe('');
      const h = histogram(r.stdout, `@held_time_ns[${r.lock}, mutex]:`);
      expect(total(h)).toBe(20);
      // 1 ms is 1,000,000 ns: in [512K, 1M) (1M being 1,048,576) or above.
      for (const [bucket, n] of h) {
        if (n > 0) expect(['[512K, 1M)', '[1M, 2M)', '[2M, 4M)', '[4M, 8M)', '[8M, 16M)', '[16M, 32M)', '[32M, 64M)']).toContain(bucket);
      }
    });
  });
});
