import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePerfMap, UserSymbolizer } from './index.js';

const FIXTURE = resolve(import.meta.dirname, '../../test/fixtures/elf/symbolize.c');

interface Running {
  child: ChildProcess;
  addresses: Map<string, bigint>;
  symbolizer: UserSymbolizer;
}

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpfkit-usym-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts the fixture, reads the addresses it prints, captures its maps, then lets it exit. */
async function runFixture(binary: string): Promise<Running> {
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const addresses = new Map<string, bigint>();
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const [name, value] = line.split(' ');
    if (name && value) addresses.set(name, BigInt(value));
    if (addresses.size === 4) break;
  }
  const symbolizer = UserSymbolizer.capture(child.pid ?? 0, { perfMapDir: dir });
  const exited = new Promise((done) => child.once('exit', done));
  child.stdin!.end();
  await exited;
  return { child, addresses, symbolizer };
}

/** Names readelf gives to an address in a file: every defined FUNC at exactly that value. */
function readelfNamesAt(file: string, value: bigint): string[] {
  const out = execFileSync('readelf', ['-sW', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const names = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+(?:FUNC|IFUNC)\s+\S+\s+\S+\s+\d+\s+(\S+)/.exec(line);
    if (m && BigInt(`0x${m[1]}`) === value) names.add((m[2] ?? '').replace(/@.*$/, ''));
  }
  return [...names];
}

describe.each([
  ['PIE', ['-O1', '-fPIE', '-pie']],
  ['non-PIE', ['-O1', '-fno-PIE', '-no-pie']],
])('UserSymbolizer on a %s process that has exited', (label, flags) => {
  let run: Running;
  let binary = '';

  beforeAll(async () => {
    binary = join(dir, `symbolize-${label}`);
    execFileSync('gcc', [...flags, '-o', binary, FIXTURE]);
    run = await runFixture(binary);
  });

  it('resolves its own functions, static ones included, with offsets', () => {
    const target = run.addresses.get('fixture_target') ?? 0n;
    expect(run.symbolizer.symbolize(target)).toMatchObject({ name: 'fixture_target', offset: 0n, module: binary });
    expect(run.symbolizer.format(target + 3n)).toBe('fixture_target+0x3');
    expect(run.symbolizer.format((run.addresses.get('fixture_static') ?? 0n) + 1n, { module: true })).toBe(`fixture_static+0x1 (${binary})`);
  });

  it('resolves a libc function to a name readelf gives that address', () => {
    const address = run.addresses.get('libc_getpid') ?? 0n;
    const hit = run.symbolizer.symbolize(address);
    expect(hit?.module).toMatch(/libc\.so\.6$/);
    expect(hit?.offset).toBe(0n);
    expect(readelfNamesAt(hit?.module ?? '', hit?.fileAddress ?? 0n)).toContain(hit?.name);
  });

  it('uses the perf map for anonymous executable memory', () => {
    const jit = run.addresses.get('jit') ?? 0n;
    // Anonymous memory without a perf map has no name to give.
    expect(run.symbolizer.format(jit + 0x10n)).toBe(`0x${(jit + 0x10n).toString(16)}`);
    writeFileSync(join(dir, `perf-${run.child.pid}.map`), `${jit.toString(16)} 40 LazyCompile:*jitted_fn app.js:1\n`);
    const fresh = new UserSymbolizer(run.child.pid ?? 0, [...run.symbolizer.mappings()], { perfMapDir: dir });
    expect(fresh.symbolize(jit + 0x10n)).toEqual({ name: 'LazyCompile:*jitted_fn app.js:1', offset: 0x10n, module: join(dir, `perf-${run.child.pid}.map`), fileAddress: undefined });
    expect(fresh.symbolize(jit + 0x40n)?.name).toBeUndefined();
  });

  it('gives undefined for unmapped addresses', () => {
    expect(run.symbolizer.symbolize(8n)).toBeUndefined();
    expect(run.symbolizer.format(8n)).toBe('0x8');
  });
});

describe('perf map format', () => {
  it('reads start, size and names with spaces; skips junk', () => {
    expect(parsePerfMap('7f00 20 foo bar\njunk\n0x10 0x8 baz\n')).toEqual([
      { start: 0x7f00n, size: 0x20n, name: 'foo bar' },
      { start: 0x10n, size: 0x8n, name: 'baz' },
    ]);
  });
});

describe('UserSymbolizer without a readable process', () => {
  it('maps position-dependent executables at their own addresses and leaves PIE ones out', () => {
    const fixed = join(dir, 'fixed-exec');
    const pie = join(dir, 'pie-exec');
    execFileSync('gcc', ['-O1', '-fno-PIE', '-no-pie', '-o', fixed, FIXTURE]);
    execFileSync('gcc', ['-O1', '-fPIE', '-pie', '-o', pie, FIXTURE]);
    const value = (file: string, name: string): bigint => {
      const line = execFileSync('nm', [file], { encoding: 'utf8' }).split('\n').find((l) => l.endsWith(` ${name}`));
      return BigInt(`0x${line?.split(' ')[0] ?? '0'}`);
    };
    // A pid no process has: nothing in /proc, so only the files speak.
    const symbolizer = UserSymbolizer.fromExecutables(0x7ffffff0, [fixed, pie]);
    expect(symbolizer.mappings().every((m) => m.path === fixed)).toBe(true);
    expect(symbolizer.symbolize(value(fixed, 'fixture_static') + 2n)).toMatchObject({ name: 'fixture_static', offset: 2n, module: fixed });
    expect(symbolizer.symbolize(value(pie, 'fixture_target'))).toBeUndefined();
  });
});

describe('UserSymbolizer with separate debug files', () => {
  it('finds .symtab and line numbers of a stripped file by build-id under the debug folder', async () => {
    const full = join(dir, 'with-debug');
    const stripped = join(dir, 'stripped');
    const debugDir = join(dir, 'debug');
    execFileSync('gcc', ['-O1', '-g', '-Wl,--build-id', '-o', full, FIXTURE]);
    const id = /Build ID: ([0-9a-f]+)/.exec(execFileSync('readelf', ['-n', full], { encoding: 'utf8' }))?.[1] ?? '';
    expect(id.length).toBeGreaterThan(2);
    execFileSync('mkdir', ['-p', join(debugDir, '.build-id', id.slice(0, 2))]);
    execFileSync('objcopy', ['--only-keep-debug', full, join(debugDir, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`)]);
    execFileSync('objcopy', ['--strip-all', full, stripped]);
    const run = await runFixture(stripped);
    const address = run.addresses.get('fixture_static') ?? 0n;
    // The stripped file alone has no name for a static function.
    expect(run.symbolizer.symbolize(address)?.name).toBeUndefined();
    const withDebug = new UserSymbolizer(run.child.pid ?? 0, [...run.symbolizer.mappings()], { debugDir });
    expect(withDebug.symbolize(address + 1n)).toMatchObject({ name: 'fixture_static', offset: 1n, module: stripped });
    const fileAddress = withDebug.symbolize(address)?.fileAddress ?? 0n;
    const [file, line] = execFileSync('addr2line', ['-e', full, `0x${fileAddress.toString(16)}`], { encoding: 'utf8' }).trim().split(':');
    const source = withDebug.sourceLine(address);
    expect(`${source?.dir}/${source?.file}`).toBe(file);
    expect(String(source?.line)).toBe(line);
  });
});

describe('UserSymbolizer on a file deleted while mapped', () => {
  it('reads the deleted file through /proc/PID/map_files while the process runs', async () => {
    const binary = join(dir, 'deleted-exec');
    execFileSync('gcc', ['-O1', '-fPIE', '-pie', '-o', binary, FIXTURE]);
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    const addresses = new Map<string, bigint>();
    for await (const line of createInterface({ input: child.stdout! })) {
      const [name, value] = line.split(' ');
      if (name && value) addresses.set(name, BigInt(value));
      if (addresses.size === 4) break;
    }
    rmSync(binary);
    const symbolizer = UserSymbolizer.capture(child.pid ?? 0, { perfMapDir: dir });
    expect(symbolizer.mappings().some((m) => m.path === binary && m.deleted)).toBe(true);
    expect(symbolizer.symbolize((addresses.get('fixture_static') ?? 0n) + 2n)).toMatchObject({ name: 'fixture_static', offset: 2n, module: binary });
    const exited = new Promise((done) => child.once('exit', done));
    child.stdin!.end();
    await exited;
  });
});
