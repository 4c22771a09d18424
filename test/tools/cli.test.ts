// `bpfkit tools` itself: the listing, usage and errors; and the kprobe tools, which run only where kprobes exist
// (elsewhere they must say what is missing in one line and exit 1).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveKprobes } from '../../src/kernel/index.js';
import { allTools } from '../../src/tools/index.js';
import { bundleCli, removeBundle, runCommand, skipReason, tool, traceWhile, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping tools CLI tests: ${skip}`);
const kprobes = skip === false ? haveKprobes() : { ok: false, reason: 'not root' };
if (!kprobes.ok) console.log(`skipping kprobe tool runs: ${kprobes.reason}`);

const KPROBE_TOOLS = allTools().filter((t) => t.needs.some((n) => n.kind === 'kprobe')).map((t) => t.name);

describe.skipIf(skip !== false)('bpfkit tools', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it('lists every tool with its purpose, probes and whether it runs here', () => {
    const r = tool(b, []);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^TOOL\s+HERE PURPOSE$/);
    const symbols = new Set(readFileSync('/proc/kallsyms', 'latin1').split('\n').map((l) => l.split(/\s+/)[2]));
    for (const t of allTools()) {
      const at = lines.findIndex((l) => l.startsWith(`${t.name} `));
      expect(at, t.name).toBeGreaterThan(0);
      // kprobes need the feature and their function; kaddr() needs its variable listed in /proc/kallsyms.
      const runsHere = t.needs.every((n) => (n.kind === 'kprobe' ? kprobes.ok && symbols.has(n.func) : n.kind === 'ksym' ? symbols.has(n.symbol) : true));
      expect(lines[at], t.name).toBe(`${t.name.padEnd(16)}${(runsHere ? 'yes' : 'no').padEnd(5)}${t.summary}`);
      expect(lines[at + 1], t.name).toMatch(/^ {21}probes: /);
    }
    for (const l of lines) expect(l.length, l).toBeLessThan(80);
  });

  it('prints a tool’s usage with -h and its program with --program', () => {
    const h = tool(b, ['opensnoop', '-h']);
    expect(h.code).toBe(0);
    expect(h.stdout.split('\n')[0]).toBe('usage: bpfkit tools opensnoop [options]');
    const p = tool(b, ['opensnoop', '-x', '-p', '42', '--program']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('tracepoint:syscalls:sys_enter_openat\n/pid == 42/\n');
    expect(p.stdout).toContain('if ($ret < 0) {');
  });

  it('refuses an unknown tool and a bad option in one line plus usage', () => {
    const u = tool(b, ['nosuchtool']);
    expect(u.code).toBe(1);
    expect(u.stderr).toBe('ERROR: Cannot find tool nosuchtool: `bpfkit tools` lists them\n');
    const o = tool(b, ['opensnoop', '-p', 'abc']);
    expect(o.code).toBe(1);
    expect(o.stderr.split('\n')[0]).toBe('ERROR: opensnoop: Invalid value for -p: abc is not an integer');
    expect(o.stderr).toContain('usage: bpfkit tools opensnoop');
  });

  it.skipIf(kprobes.ok)('says in one line what a kprobe tool lacks here, and exits 1', () => {
    for (const name of KPROBE_TOOLS) {
      const r = tool(b, [name]);
      expect(r.code, name).toBe(1);
      expect(r.stdout, name).toBe('');
      expect(r.stderr, name).toMatch(new RegExp(`^ERROR: Cannot run ${name}: k(ret)?probe:\\w+ needs kprobes: [^\\n]+\\n$`));
    }
  });

  it.skipIf(kprobes.ok)('builds kprobe programs that compile and load, failing only at attach', () => {
    for (const name of KPROBE_TOOLS) {
      const program = tool(b, [name, '--program']).stdout;
      const r = spawnCli(b, ['-e', program]);
      expect(r.stderr, name).toMatch(/^ERROR: Unable to attach probe: k(ret)?probe:\w+: kprobes are not available/);
    }
  });

  it.skipIf(!kprobes.ok)('vfscount counts the reads of a process', async () => {
    const path = existsSync('/etc/hostname') ? '/etc/hostname' : '/etc/passwd';
    let pid = 0;
    const r = await traceWhile(b, ['vfscount'], async () => {
      pid = await runCommand('cat', [path]);
    });
    expect(pid).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
    expect(Number(/@\[vfs_read\]: (\d+)/.exec(r.stdout)?.[1])).toBeGreaterThan(0);
    expect(readFileSync(path).length).toBeGreaterThan(0);
  });
});

function spawnCli(b: Bundle, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [b.cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
