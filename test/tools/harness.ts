// What the tools' end-to-end tests share: a fresh bundle of the CLI, running a tool until its probes are
// attached, triggering its events, then stopping it with SIGINT (or letting its count end it) and reading its output.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCliInto } from '../support/bundle-cli.js';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Why these tests cannot run here, or false: they load programs into the kernel. */
export function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'tool tests need root to load BPF programs';
  return false;
}

export interface Bundle {
  readonly cli: string;
  readonly dir: string;
}

/** Bundles src/cli/main.ts as the build does (inside node_modules so koffi resolves). */
export async function bundleCli(): Promise<Bundle> {
  return bundleCliInto('tools-e2e-');
}

export function removeBundle(b: Bundle | undefined): void {
  if (b) rmSync(b.dir, { recursive: true, force: true });
}

/** Runs `bpfkit tools ARGS` to its end. */
export function tool(b: Bundle, args: readonly string[]): Result {
  const r = spawnSync(process.execPath, [b.cli, 'tools', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `bpfkit tools ARGS` until its probes are attached, awaits `trigger` (and, with `waitFor`, the output it
 * should cause), then (unless the tool ends by itself) sends SIGINT and resolves with everything it printed.
 */
export function traceWhile(
  b: Bundle,
  args: readonly string[],
  trigger: () => Promise<void> | void,
  options: { stopsItself?: boolean; waitFor?: (stdout: string) => boolean } = {},
): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [b.cli, 'tools', ...args], {
      env: { ...process.env, __BPFTRACE_NOTIFY_PROBES_ATTACHED: '1' },
    });
    let stdout = '';
    let stderr = '';
    let fired = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!fired && stdout.includes('__BPFTRACE_NOTIFY_PROBES_ATTACHED\n')) {
        fired = true;
        Promise.resolve()
          .then(trigger)
          .then(() => (options.waitFor ? appears(() => options.waitFor!(stdout)) : undefined))
          .then(() => (options.stopsItself ? undefined : quiet(() => stdout.length)))
          .then(
            () => {
              if (!options.stopsItself) child.kill('SIGINT');
            },
            (err: unknown) => {
              child.kill('SIGKILL');
              reject(err instanceof Error ? err : new Error(String(err)));
            },
          );
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout: stdout.replace('__BPFTRACE_NOTIFY_PROBES_ATTACHED\n', ''), stderr });
    });
  });
}

/**
 * Resolves once `size()` has not grown for 300 ms (at most 3 s): records still in the ring buffer when SIGINT
 * arrives are dropped, as in bpftrace, so the tool gets to print what the trigger caused first.
 */
async function quiet(size: () => number): Promise<void> {
  let last = -1;
  let still = 0;
  for (let i = 0; i < 30 && still < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = size();
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

/**
 * Resolves once `seen()` is true, or after 10 s (the test then fails on what is missing): on a loaded machine
 * the last events can take longer to print than `quiet` waits.
 */
async function appears(seen: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !seen(); i++) await new Promise((r) => setTimeout(r, 50));
}

/** Runs a command to its end and returns its pid. */
export function runCommand(file: string, args: readonly string[], options: { input?: string } = {}): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { stdio: [options.input !== undefined ? 'pipe' : 'ignore', 'ignore', 'ignore'] });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', reject);
    child.on('close', () => resolvePromise(child.pid!));
  });
}

/** Compiles a C fixture from test/fixtures/tools into `dir`, linked with `libs` (e.g. ['-lcrypto']) too. */
export function compileFixture(b: Bundle, name: string, libs: readonly string[] = []): string {
  const out = join(b.dir, name);
  const cc = spawnSync('gcc', ['-O0', '-g', '-fno-omit-frame-pointer', '-o', out, join(ROOT, `test/fixtures/tools/${name}.c`), '-lpthread', ...libs], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  return out;
}

/** The output's lines whose column `col` (whitespace-split) equals `value`. */
export function rowsWhere(stdout: string, col: number, value: string | number): string[][] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[col] === String(value));
}

/**
 * A copy of dd under a name no other process has, so a tool filtered by task name sees only the test's I/O;
 * `directWrite` then writes `count` blocks of `bs` bytes with O_DIRECT into the bundle's directory.
 */
export function privateDd(b: Bundle): { name: string; target: string; directWrite: (count: number, bs: number) => Promise<number> } {
  const name = `bkdd${process.pid}`.slice(0, 15);
  const path = join(b.dir, name);
  copyFileSync('/bin/dd', path);
  chmodSync(path, 0o755);
  const target = join(b.dir, 'direct.out');
  // The target exists before any trace, so tests can stat it.
  writeFileSync(target, '');
  return {
    name,
    target,
    directWrite: (count, bs) => runCommand(path, ['if=/dev/zero', `of=${target}`, `bs=${bs}`, `count=${count}`, 'oflag=direct', 'conv=notrunc']),
  };
}

/** The counts of a printed histogram, by bucket label (`[64K, 128K)`), from the lines after `title`. */
export function histogram(stdout: string, title: string): Map<string, number> {
  const lines = stdout.split('\n');
  const at = lines.indexOf(title);
  if (at < 0) throw new Error(`no histogram ${title} in:\n${stdout}`);
  const out = new Map<string, number>();
  for (const line of lines.slice(at + 1)) {
    const m = /^(\[[^\]]*[\])])\s+(\d+)\s+\|/.exec(line);
    if (!m) break;
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

export function total(hist: Map<string, number>): number {
  let n = 0;
  for (const v of hist.values()) n += v;
  return n;
}

/** A started fixture that waits for a byte on stdin before its work: `go` releases it and resolves at its exit. */
export interface Gated {
  readonly pid: number;
  /** What it printed on stdout so far. */
  readonly stdout: () => string;
  go(byte?: string): Promise<void>;
  /** Ends it by closing stdin (fixtures that wait twice read EOF) and waits for its exit. */
  finish(): Promise<void>;
}

export function startGated(file: string, args: readonly string[]): Gated {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<void>((res) => child.on('close', () => res()));
  return {
    pid: child.pid!,
    stdout: () => out,
    async go(byte = '\n') {
      child.stdin!.write(byte);
    },
    async finish() {
      child.stdin!.end();
      await exited;
    },
  };
}

/** Resolves once `ready` returns true, polling every 20 ms (up to 20 s). */
export async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!ready()) throw new Error('timed out waiting for the workload');
}
