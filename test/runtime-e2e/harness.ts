// What the end-to-end tests share: a fresh bundle of the CLI, the compiled workload, and ways to run both.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCliInto } from '../support/bundle-cli.js';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Why these tests cannot run here, or false. They need root (BPF, tracefs) and gcc. */
export function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'end-to-end runtime tests need root';
  if (spawnSync('gcc', ['--version']).status !== 0) return 'end-to-end runtime tests need gcc for the workload';
  return false;
}

export interface Tools {
  readonly cli: string;
  readonly workload: string;
  readonly dir: string;
}

/** Bundles src/cli/main.ts as the build does (inside node_modules so koffi resolves) and compiles the workload. */
export async function prepare(): Promise<Tools> {
  const { cli, dir } = await bundleCliInto('runtime-e2e-');
  const workload = join(dir, 'workload');
  const cc = spawnSync('gcc', ['-O2', '-o', workload, join(ROOT, 'test/fixtures/runtime/workload.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  return { cli, workload, dir };
}

/** Runs the CLI to its end. */
export function bpfkit(tools: Tools, args: readonly string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Result {
  const r = spawnSync(process.execPath, [tools.cli, ...args], {
    encoding: 'utf8',
    input: options.input ?? '',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...options.env },
    cwd: options.cwd ?? tools.dir,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI until it says its probes are attached, then `whileAttached` (a workload), then sends `signal`
 * and collects everything. The attach handshake is bpftrace's own (`__BPFTRACE_NOTIFY_PROBES_ATTACHED`).
 */
export function bpfkitUntilSignal(tools: Tools, args: readonly string[], whileAttached: () => void, signal: NodeJS.Signals = 'SIGINT'): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [tools.cli, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', __BPFTRACE_NOTIFY_PROBES_ATTACHED: '1' },
      cwd: tools.dir,
    });
    let stdout = '';
    let stderr = '';
    let fired = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!fired && stdout.includes('__BPFTRACE_NOTIFY_PROBES_ATTACHED\n')) {
        fired = true;
        try {
          whileAttached();
        } finally {
          child.kill(signal);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Runs the workload to its end (synchronously). */
export function runWorkload(tools: Tools, args: readonly string[]): void {
  const r = spawnSync(tools.workload, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`workload ${args.join(' ')} failed: ${r.stderr}`);
}
