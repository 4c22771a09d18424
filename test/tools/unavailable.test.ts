// The tools that need what this kind of VM lacks: mdflush (a kprobe on md_flush_request: no kprobes here, and
// no md) and loads (kaddr("avenrun"): a variable, in /proc/kallsyms only with CONFIG_KALLSYMS_ALL). Where the
// kernel lacks it, each must say what in one line and exit 1; where it has it, run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveKprobes } from '../../src/kernel/index.js';
import { bundleCli, removeBundle, skipReason, tool, type Bundle } from './harness.js';

const skip = skipReason();
if (skip) console.log(`skipping mdflush and loads tests: ${skip}`);

/** Names of /proc/kallsyms symbols of the kernel image with these type letters. */
function kallsyms(types: RegExp): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync('/proc/kallsyms', 'latin1').split('\n')) {
    const [, type, name, mod] = line.split(/\s+/);
    if (type !== undefined && name !== undefined && mod === undefined && types.test(type)) out.add(name);
  }
  return out;
}

const data = skip === false ? kallsyms(/^[dDbBrR]$/) : new Set<string>();
const haveAvenrun = data.has('avenrun');
if (skip === false) console.log(haveAvenrun ? 'loads: avenrun is in /proc/kallsyms; running it' : 'loads: avenrun is not in /proc/kallsyms; testing the refusal');
const kprobes = skip === false ? haveKprobes() : { ok: false, reason: 'not root' };
const mdHere = skip === false && kallsyms(/^[tT]$/).has('md_flush_request');
if (skip === false && kprobes.ok) console.log(`mdflush: kprobes work here; md_flush_request ${mdHere ? 'is' : 'is not'} in /proc/kallsyms`);
if (skip === false && !kprobes.ok) console.log(`mdflush: testing the refusal, not the md_flush_request check: ${kprobes.reason}`);

const LOAD_LINE = /^\d\d:\d\d:\d\d load averages: \d+\.\d{3} \d+\.\d{3} \d+\.\d{3}$/;

describe.skipIf(skip !== false)('tools this kernel may lack', () => {
  let b: Bundle;
  beforeAll(async () => {
    b = await bundleCli();
  });
  afterAll(() => removeBundle(b));

  it.skipIf(kprobes.ok)('mdflush says in one line that it needs kprobes, and exits 1', () => {
    const r = tool(b, ['mdflush']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ERROR: Cannot run mdflush: kprobe:md_flush_request needs kprobes: ${kprobes.reason}\n`);
  });

  it.skipIf(!kprobes.ok || mdHere)('mdflush says in one line that md_flush_request is not in this kernel, and exits 1', () => {
    const r = tool(b, ['mdflush']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: Cannot run mdflush: kprobe:md_flush_request cannot attach: kernel symbol md_flush_request is not in \/proc\/kallsyms[^\n]*\n$/);
  });

  it('mdflush builds a program that reads the device name from the bio', () => {
    const r = tool(b, ['mdflush', '--program']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kprobe:md_flush_request$/m);
    expect(r.stdout).toMatch(/\(\(struct bio \*\)arg1\)->bi_(bdev->bd_)?disk->disk_name\);/);
  });

  it.skipIf(haveAvenrun)('loads names the missing avenrun symbol in one line, and exits 1', () => {
    const r = tool(b, ['loads', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ERROR: Cannot run loads: kernel symbol avenrun is not in /proc/kallsyms\n');
  });

  it.skipIf(!haveAvenrun)('loads prints the load averages each second and stops after its count', () => {
    const r = tool(b, ['loads', '2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('Reading load averages... Hit Ctrl-C to end.');
    expect(lines.slice(1)).toHaveLength(2);
    for (const l of lines.slice(1)) expect(l).toMatch(LOAD_LINE);
  });

  // Without avenrun, its program still has to compile and run: with a data symbol this kernel does list in its
  // place it reads three words there each second and stops after its count (the values mean nothing).
  it.skipIf(haveAvenrun || !data.has('__start_rodata'))('loads builds a program that runs where the symbol exists', () => {
    const program = tool(b, ['loads', '2', '--program']).stdout.replace('kaddr("avenrun")', 'kaddr("__start_rodata")');
    const r = spawnSync(process.execPath, [b.cli, '-q', '-e', program], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines[0]).toBe('Reading load averages... Hit Ctrl-C to end.');
    expect(lines.slice(1)).toHaveLength(2);
    for (const l of lines.slice(1)) expect(l).toMatch(LOAD_LINE);
  });
});
