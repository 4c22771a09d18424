import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionDecodeContext } from './symbolize.js';

const FIXTURE = resolve(import.meta.dirname, '../../test/fixtures/stacks/frames.c');

let dir = '';
let fixed = '';
let pie = '';

function nmValue(file: string, name: string): bigint {
  const line = execFileSync('nm', [file], { encoding: 'utf8' }).split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`${name} not in ${file}`);
  return BigInt(`0x${line.split(' ')[0]}`);
}

function addr2line(file: string, address: bigint): string {
  return execFileSync('addr2line', ['-e', file, `0x${address.toString(16)}`], { encoding: 'utf8' }).trim().replace(/ \(discriminator \d+\)$/, '');
}

/** The pid of a process that ran the binary and has exited (and been reaped). */
function exitedPid(binary: string): number {
  const r = spawnSync(binary, ['1', '0']);
  if (r.status !== 0 || r.pid === undefined) throw new Error(`${binary} failed`);
  return r.pid;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bpfkit-symbolize-'));
  fixed = join(dir, 'frames');
  pie = join(dir, 'frames-pie');
  execFileSync('gcc', ['-O0', '-g', '-fno-omit-frame-pointer', '-no-pie', '-o', fixed, FIXTURE]);
  execFileSync('gcc', ['-O0', '-g', '-fno-omit-frame-pointer', '-pie', '-fPIE', '-o', pie, FIXTURE]);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('session symbolization', () => {
  it('prints kernel frames as name+offset from kallsyms and unknown ones as 0x hex, in both modes', () => {
    const line = readFileSync('/proc/kallsyms', 'utf8').split('\n').find((l) => / [tT] do_nanosleep$/.test(l));
    const ctx = sessionDecodeContext(new Map(), {}, 64);
    expect(ctx.stackFrame(1n, false, 0, false)).toEqual(['0x1']);
    expect(ctx.stackFrame(1n, false, 0, true)).toEqual(['0x1']);
    expect(ctx.kernelSymbol(1n, false)).toBeUndefined();
    // Reading addresses from kallsyms needs root; unprivileged readers see zeros.
    if (line && !line.startsWith('0000000000000000')) {
      const address = BigInt(`0x${line.split(' ')[0]}`);
      expect(ctx.stackFrame(address + 5n, false, 0, true)).toEqual(['do_nanosleep+5']);
      expect(ctx.kernelSymbol(address + 5n, false)).toBe('do_nanosleep');
    }
  });

  it('resolves a process that has exited through the probes\' fixed-address executables', () => {
    const pid = exitedPid(fixed);
    const leaf = nmValue(fixed, 'leaf');
    const withPrograms = sessionDecodeContext(new Map(), {}, 64, { programs: [pie, fixed] });
    expect(withPrograms.stackFrame(leaf + 4n, true, pid, false)).toEqual([`leaf+4@${addr2line(fixed, leaf + 4n)}`]);
    expect(withPrograms.stackFrame(leaf + 4n, true, pid, true)).toEqual([`leaf+4 (${fixed})`]);
    expect(withPrograms.userSymbol(leaf, pid, false)).toBe('leaf');
    const quiet = sessionDecodeContext(new Map(), { show_debug_info: 0 }, 64, { programs: [fixed] });
    expect(quiet.stackFrame(leaf + 4n, true, pid, false)).toEqual(['leaf+4']);
    // Without the executables the address is all that is left.
    const bare = sessionDecodeContext(new Map(), {}, 64);
    expect(bare.stackFrame(leaf, true, pid, false)).toEqual([`0x${leaf.toString(16)}`]);
    expect(bare.stackFrame(leaf, true, pid, true)).toEqual([`0x${leaf.toString(16)} ([unknown])`]);
  });

  it('resolves a PIE process that exited after captureProcess read its map', async () => {
    const child = spawn(pie, ['1000', '100000'], { stdio: 'ignore' });
    const pid = child.pid ?? 0;
    // Wait until the exec has happened: the map names the PIE file.
    for (let i = 0; i < 100 && !readFileSync(`/proc/${pid}/maps`, 'utf8').includes(pie); i++) await new Promise((r) => setTimeout(r, 20));
    const base = BigInt(`0x${readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => l.endsWith(pie))!.split('-')[0]}`);
    const ctx = sessionDecodeContext(new Map(), { show_debug_info: 'false' }, 64);
    ctx.captureProcess(pid);
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
    const middle = nmValue(pie, 'middle');
    expect(ctx.stackFrame(base + middle + 8n, true, pid, false)).toEqual(['middle+8']);
  });
});
