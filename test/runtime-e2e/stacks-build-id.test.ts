// ustack(build_id): a user stack as (build id, file offset) pairs read by the kernel from a BPF_F_STACK_BUILD_ID
// stack map, checked against the build id readelf reports, nm's symbols and the same event's raw addresses.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackText } from '../../src/runtime/output/primitive-text.js';
import { buildIdFrames } from '../../src/runtime/symbolize.js';
import { stack } from '../../src/runtime/value/value.js';
import { bpfkit, prepare, ROOT, skipReason, type Tools } from './harness.js';
import { nmSymbols, section, symbolPlusOffset, type TextSymbol } from './stack-symbols.js';

const skip = skipReason();
if (skip) console.log(`skipping build_id stack tests: ${skip}`);

const ATTACHED = /^Attached \d+ probes?\n$/;
const KSTACK_WARNING = "WARNING: 'build_id' stack mode can only be used for ustack. Falling back to 'raw' mode.";

interface Segment {
  offset: bigint;
  vaddr: bigint;
  fileSize: bigint;
}

function run(command: string, args: readonly string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr}`);
  return r.stdout;
}

/** The GNU build id of a binary as readelf -n reports it (not from bpfkit's own ELF reader). */
function readelfBuildId(binary: string): string {
  const m = /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', binary]));
  if (!m) throw new Error(`no build id in ${binary}`);
  return m[1]!;
}

/** LOAD segments from readelf -lW, to turn file offsets into addresses. */
function loadSegments(binary: string): Segment[] {
  const out: Segment[] = [];
  for (const line of run('readelf', ['-lW', binary]).split('\n')) {
    const m = /^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)/.exec(line);
    if (m) out.push({ offset: BigInt(`0x${m[1]}`), vaddr: BigInt(`0x${m[2]}`), fileSize: BigInt(`0x${m[3]}`) });
  }
  return out;
}

function offsetToAddress(segments: readonly Segment[], offset: bigint): bigint {
  const s = segments.find((x) => offset >= x.offset && offset < x.offset + x.fileSize);
  if (!s) throw new Error(`file offset 0x${offset.toString(16)} is in no LOAD segment`);
  return offset - s.offset + s.vaddr;
}

describe('build_id stack text and frame decoding', () => {
  it('decodes struct bpf_stack_build_id frames up to the first empty one', () => {
    const value = new Uint8Array(32 * 4);
    const view = new DataView(value.buffer);
    // A valid frame: build id 01 02 .. 14, offset 0x5.
    view.setInt32(0, 1, true);
    for (let i = 0; i < 20; i++) value[4 + i] = i + 1;
    view.setBigUint64(24, 5n, true);
    // A frame whose build id the kernel could not read: status BPF_STACK_BUILD_ID_IP, the ip.
    view.setInt32(32, 2, true);
    view.setBigUint64(56, 0x7f0012345678n, true);
    // Frame 2 stays zeroed (BPF_STACK_BUILD_ID_EMPTY): the stack ends there, whatever follows.
    view.setInt32(96, 1, true);
    const frames = buildIdFrames(value);
    const id = Array.from({ length: 20 }, (_, i) => (i + 1).toString(16).padStart(2, '0')).join('');
    expect(frames).toEqual([
      { buildId: id, address: 5n },
      { buildId: undefined, address: 0x7f0012345678n },
    ]);
    const text = stackText(stack(frames.map((f) => f.address), { user: true, mode: 'build_id', buildIds: frames.map((f) => f.buildId) }));
    expect(text).toBe(`\n${id} 0x05\n7f0012345678\n`);
  });
});

describe.skipIf(skip !== false)('ustack(build_id) on a live process', () => {
  let tools: Tools;
  let frames = '';
  let buildId = '';
  let segments: Segment[] = [];
  let symbols: TextSymbol[] = [];

  beforeAll(async () => {
    tools = await prepare();
    frames = join(tools.dir, 'frames');
    // Position-independent, so that file offsets and run-time addresses differ by the load bias.
    const cc = spawnSync('gcc', ['-O0', '-fno-omit-frame-pointer', '-pie', '-fPIE', '-Wl,--build-id', '-o', frames, join(ROOT, 'test/fixtures/stacks/frames.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
    buildId = readelfBuildId(frames);
    segments = loadSegments(frames);
    symbols = nmSymbols(frames);
  }, 120_000);

  afterAll(() => {
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('prints each frame of the binary as its build id and file offset', () => {
    const r = bpfkit(tools, [
      '-c', `${frames} 3 100000`,
      '-e', `uprobe:${frames}:leaf /pid == cpid/ { printf("<raw>%s</raw>\\n", ustack(raw)); printf("<bid>%s</bid>\\n", ustack(build_id));
             printf("<two>%s</two>\\n", ustack(build_id, 2)); exit(); }`,
    ]);
    expect(r.stderr).toMatch(ATTACHED);
    const raw = section(r.stdout, 'raw').map((l) => BigInt(`0x${l}`));
    const bid = section(r.stdout, 'bid');
    expect(bid).toHaveLength(raw.length);
    const own = bid.slice(0, 4).map((line) => {
      const m = /^([0-9a-f]{40}) 0x([0-9a-f]{2,})$/.exec(line);
      expect(m, line).not.toBeNull();
      expect(m![1]).toBe(buildId);
      return BigInt(`0x${m![2]}`);
    });
    // The offsets are where leaf's first instruction (the probe) and the three return addresses are in the file.
    const named = own.map((offset) => symbolPlusOffset(symbols, offsetToAddress(segments, offset)));
    expect(named.map((s) => s.name)).toEqual(['leaf', 'middle', 'outer', 'main']);
    expect(named[0]!.offset).toBe(0n);
    // And the same frames as the raw stack: run-time address minus file address is one load bias for all.
    const bias = raw.slice(0, 4).map((a, i) => a - offsetToAddress(segments, own[i]!));
    expect(new Set(bias).size).toBe(1);
    expect(bias[0]).not.toBe(0n);
    // Frames past main are in libc: a build id and offset, or an ip when the kernel could not read its build id.
    for (const line of bid.slice(4)) expect(line).toMatch(/^([0-9a-f]{40} 0x[0-9a-f]{2,}|[0-9a-f]+)$/);
    expect(section(r.stdout, 'two')).toEqual(bid.slice(0, 2));
  });

  it('takes build_id as the default from config and BPFTRACE_STACK_MODE, kstack falling back to raw with a warning', () => {
    const r = bpfkit(tools, [
      '-c', `${frames} 3 100000`,
      '-e', `config = { stack_mode = build_id } uprobe:${frames}:leaf /pid == cpid/ { printf("<u>%s</u>\\n", ustack(3)); printf("<k>%s</k>\\n", kstack); exit(); }`,
    ]);
    expect(r.stderr).toMatch(ATTACHED);
    // Warnings of a program that compiled go to stdout, as bpftrace prints them.
    expect(r.stdout).toContain(KSTACK_WARNING);
    // The output proper follows the warning, which quotes the script (tags included).
    const out = r.stdout.slice(r.stdout.lastIndexOf('~\n') + 2);
    const u = section(out, 'u');
    expect(u).toHaveLength(3);
    for (const line of u) expect(line.startsWith(`${buildId} 0x`)).toBe(true);
    // raw kernel frames: bare hex, no build id.
    for (const line of section(out, 'k')) expect(line).toMatch(/^[0-9a-f]+$/);

    const e = bpfkit(tools, ['-c', `${frames} 3 100000`, '-e', `uprobe:${frames}:leaf /pid == cpid/ { @[ustack(3)] = count(); }`], {
      env: { BPFTRACE_STACK_MODE: 'build_id' },
    });
    expect(e.stderr).toMatch(ATTACHED);
    expect(e.stdout).toContain(`@[\n${u.join('\n')}\n]: 3\n`);
  });

  it('rejects kstack(build_id) and kstack() under stack_mode build_id', () => {
    const a = bpfkit(tools, ['-e', 'begin { print(kstack(build_id)); }']);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain("ERROR: 'build_id' stack mode can only be used for ustack");
    const b = bpfkit(tools, ['-e', 'config = { stack_mode = build_id } begin { print(kstack()); }']);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain("ERROR: 'build_id' stack mode can only be used for ustack");
  });
});
