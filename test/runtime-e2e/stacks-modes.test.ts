// ustack and kstack in each mode (bpftrace, perf, raw), with depths, BPFTRACE_STACK_MODE, map keys and C++
// names, checked frame by frame against what nm, addr2line, c++filt and /proc/kallsyms say about the addresses.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfkit, prepare, ROOT, skipReason, type Tools } from './harness.js';
import { nmSymbols, section, symbolPlusOffset, type TextSymbol } from './stack-symbols.js';

const skip = skipReason() || (spawnSync('g++', ['--version']).status !== 0 ? 'stack tests need g++ for the C++ fixture' : false);
if (skip) console.log(`skipping stack mode tests: ${skip}`);

const INDENT = '        ';
// Stacks of processes gone by print time resolve through the probes' executables, which the session must hand
// to the symbolizer (sessionDecodeContext's `programs`); until it does, that test cannot pass.
const ATTACHED = /^Attached \d+ probes?\n$/;

/** `/dir/file.c:LINE` for an address, from addr2line. */
function sourceLine(binary: string, address: bigint): string {
  const r = spawnSync('addr2line', ['-e', binary, `0x${address.toString(16)}`], { encoding: 'utf8' });
  return r.stdout.trim().replace(/ \(discriminator \d+\)$/, '');
}

describe.skipIf(skip !== false)('stack modes and symbols', () => {
  let tools: Tools;
  let frames = '';
  let cppFrames = '';
  let inlined = '';
  let symbols: TextSymbol[] = [];
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    tools = await prepare();
    frames = join(tools.dir, 'frames');
    const cc = spawnSync('gcc', ['-O0', '-g', '-fno-omit-frame-pointer', '-no-pie', '-o', frames, join(ROOT, 'test/fixtures/stacks/frames.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
    cppFrames = join(tools.dir, 'cpp-frames');
    const cxx = spawnSync('g++', ['-O0', '-fno-omit-frame-pointer', '-no-pie', '-o', cppFrames, join(ROOT, 'test/fixtures/stacks/cpp-frames.cc')], { encoding: 'utf8' });
    if (cxx.status !== 0) throw new Error(`g++ failed: ${cxx.stderr}`);
    inlined = join(tools.dir, 'inlined');
    const ci = spawnSync('gcc', ['-O0', '-g', '-fno-omit-frame-pointer', '-no-pie', '-o', inlined, join(ROOT, 'test/fixtures/stacks/inlined.c')], { encoding: 'utf8' });
    if (ci.status !== 0) throw new Error(`gcc failed: ${ci.stderr}`);
    symbols = nmSymbols(frames);
  }, 120_000);

  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    if (tools) rmSync(tools.dir, { recursive: true, force: true });
  });

  it('prints a frame-pointer ustack in call order in raw, perf and bpftrace modes, with file and line from DWARF', () => {
    const r = bpfkit(tools, [
      '-c', `${frames} 3 100000`,
      '-e', `uprobe:${frames}:leaf /pid == cpid/ { printf("<raw>%s</raw>\\n", ustack(raw)); printf("<perf>%s</perf>\\n", ustack(perf));
             printf("<bt>%s</bt>\\n", ustack); printf("<two>%s</two>\\n", ustack(perf, 2)); print(ustack(3)); exit(); }`,
    ]);
    expect(r.stderr).toMatch(ATTACHED);
    const raw = section(r.stdout, 'raw');
    for (const line of raw) expect(line).toMatch(/^[0-9a-f]+$/);
    const addresses = raw.map((l) => BigInt(`0x${l}`));
    const own = addresses.slice(0, 4).map((a) => symbolPlusOffset(symbols, a));
    expect(own.map((s) => s.name)).toEqual(['leaf', 'middle', 'outer', 'main']);
    // The probe sits on leaf's first instruction.
    expect(own[0]!.offset).toBe(0n);

    const perf = section(r.stdout, 'perf');
    expect(perf).toHaveLength(raw.length);
    for (let i = 0; i < 4; i++) expect(perf[i]).toBe(`\t${raw[i]} ${own[i]!.name}+${own[i]!.offset} (${frames})`);
    // Frames past main are in libc: whatever their symbol, the shape is the same.
    for (const line of perf.slice(4)) expect(line).toMatch(/^\t[0-9a-f]+ \S.* \(\S+\)$/);

    const bt = section(r.stdout, 'bt');
    expect(bt).toHaveLength(raw.length);
    for (let i = 0; i < 4; i++) expect(bt[i]).toBe(`${INDENT}${own[i]!.name}+${own[i]!.offset}@${sourceLine(frames, addresses[i]!)}`);

    expect(section(r.stdout, 'two')).toEqual(perf.slice(0, 2));
    // print() of a stack: the same text as %s, then a newline.
    expect(r.stdout).toContain(`</two>\n\n${bt.slice(0, 3).join('\n')}\n\n`);
  });

  it('leaves out file and line with show_debug_info off, and BPFTRACE_STACK_MODE changes the default mode only', () => {
    const r = bpfkit(
      tools,
      ['-c', `${frames} 3 100000`, '-e', `config = { show_debug_info = 0 } uprobe:${frames}:leaf /pid == cpid/ { printf("<raw>%s</raw>\\n", ustack(raw)); printf("<dflt>%s</dflt>\\n", ustack); printf("<bt>%s</bt>\\n", ustack(bpftrace, 4)); exit(); }`],
      { env: { BPFTRACE_STACK_MODE: 'perf' } },
    );
    expect(r.stderr).toMatch(ATTACHED);
    const raw = section(r.stdout, 'raw');
    const own = raw.slice(0, 4).map((l) => symbolPlusOffset(symbols, BigInt(`0x${l}`)));
    expect(section(r.stdout, 'dflt').slice(0, 4)).toEqual(own.map((s, i) => `\t${raw[i]} ${s.name}+${s.offset} (${frames})`));
    expect(section(r.stdout, 'bt')).toEqual(own.map((s) => `${INDENT}${s.name}+${s.offset}`));
  });

  it('prints stacks as map keys, symbolized while the process runs', async () => {
    const child = spawn(frames, ['100000', '20000'], { stdio: 'ignore' });
    running.push(child);
    const r = bpfkit(tools, ['-e', `config = { show_debug_info = 0 } uprobe:${frames}:leaf /pid == ${child.pid}/ { @[ustack(3)] = count(); @raw[ustack(raw, 3)] = count(); } interval:ms:400 { exit(); }`]);
    child.kill('SIGKILL');
    expect(r.stderr).toMatch(ATTACHED);
    const rawKey = /@raw\[\n([0-9a-f]+)\n([0-9a-f]+)\n([0-9a-f]+)\n\]: \d+/.exec(r.stdout);
    expect(rawKey, r.stdout).not.toBeNull();
    const own = rawKey!.slice(1, 4).map((l) => symbolPlusOffset(symbols, BigInt(`0x${l}`)));
    expect(own.map((s) => s.name)).toEqual(['leaf', 'middle', 'outer']);
    expect(r.stdout).toMatch(new RegExp(`^@\\[\\n${own.map((s) => `${INDENT}${s.name}\\+${s.offset}\\n`).join('')}\\]: \\d+$`, 'm'));
  });

  it('prints map-key stacks of a short-lived process after it has exited', () => {
    const r = bpfkit(tools, ['-c', `${frames} 1 0`, '-e', `config = { show_debug_info = 0 } uprobe:${frames}:leaf /pid == cpid/ { @[ustack(3)] = count(); @raw[ustack(raw, 3)] = count(); }`]);
    expect(r.stderr).toMatch(ATTACHED);
    const rawKey = /@raw\[\n([0-9a-f]+)\n([0-9a-f]+)\n([0-9a-f]+)\n\]: 1$/m.exec(r.stdout);
    expect(rawKey, r.stdout).not.toBeNull();
    const own = rawKey!.slice(1, 4).map((l) => symbolPlusOffset(symbols, BigInt(`0x${l}`)));
    expect(own.map((s) => s.name)).toEqual(['leaf', 'middle', 'outer']);
    expect(r.stdout).toContain(`@[\n${own.map((s) => `${INDENT}${s.name}+${s.offset}\n`).join('')}]: 1\n`);
  });

  it('prints kernel stacks in raw, perf and bpftrace modes with kallsyms names', () => {
    const r = bpfkit(tools, [
      '-c', `${tools.workload} getpid 1`,
      '-e', `tracepoint:syscalls:sys_enter_getpid /pid == cpid/ { printf("<raw>%s</raw>\\n", kstack(raw)); printf("<perf>%s</perf>\\n", kstack(perf));
             printf("<bt>%s</bt>\\n", kstack); printf("<two>%s</two>\\n", kstack(2)); exit(); }`,
    ]);
    expect(r.stderr).toMatch(ATTACHED);
    const raw = section(r.stdout, 'raw');
    expect(raw.length).toBeGreaterThan(1);
    const kallsyms = readFileSync('/proc/kallsyms', 'utf8');
    const named = (address: bigint): { names: Set<string>; offset: bigint } => {
      let bestAddress = -1n;
      let names = new Set<string>();
      for (const line of kallsyms.split('\n')) {
        const [hex, type, name] = line.split(/\s+/);
        if (!hex || !name || !/^[tTwW]$/.test(type ?? '')) continue;
        const a = BigInt(`0x${hex}`);
        if (a > address || a < bestAddress) continue;
        if (a > bestAddress) names = new Set();
        bestAddress = a;
        names.add(name);
      }
      return { names, offset: address - bestAddress };
    };
    const perf = section(r.stdout, 'perf');
    const bt = section(r.stdout, 'bt');
    expect(perf).toHaveLength(raw.length);
    expect(bt).toHaveLength(raw.length);
    raw.forEach((hex, i) => {
      const want = named(BigInt(`0x${hex}`));
      const m = /^\t([0-9a-f]+) (\S+)\+(\d+)$/.exec(perf[i]!);
      expect(m, perf[i]).not.toBeNull();
      expect(m![1]).toBe(hex);
      expect(want.names.has(m![2]!), `${m![2]} at ${hex}`).toBe(true);
      expect(BigInt(m![3]!)).toBe(want.offset);
      expect(bt[i]).toBe(`${INDENT}${m![2]}+${m![3]}`);
    });
    expect(section(r.stdout, 'two')).toEqual(bt.slice(0, 2));
  });

  it('demangles C++ names in ustack, unless cpp_demangle is off', () => {
    const cppSymbols = nmSymbols(cppFrames);
    const leaf = cppSymbols.find((s) => s.name.startsWith('_Z') && s.name.includes('4leaf'));
    expect(leaf).toBeDefined();
    const script = (demangle: number): string =>
      `config = { show_debug_info = 0; cpp_demangle = ${demangle} } uprobe:${cppFrames}:${leaf!.name} /pid == cpid/ { printf("<raw>%s</raw>\\n", ustack(raw, 4)); printf("<bt>%s</bt>\\n", ustack(4)); exit(); }`;
    for (const demangle of [1, 0]) {
      const r = bpfkit(tools, ['-c', cppFrames, '-e', script(demangle)]);
      expect(r.stderr).toMatch(ATTACHED);
      const raw = section(r.stdout, 'raw');
      expect(raw).toHaveLength(4);
      const own = raw.map((l) => symbolPlusOffset(cppSymbols, BigInt(`0x${l}`)));
      const shown = demangle ? spawnSync('c++filt', own.map((s) => s.name), { encoding: 'utf8' }).stdout.trim().split('\n') : own.map((s) => s.name);
      expect(section(r.stdout, 'bt')).toEqual(own.map((s, i) => `${INDENT}${shown[i]}+${s.offset}`));
      if (demangle) expect(shown.slice(0, 3)).toEqual(['bpfkit::Widget::leaf(int) const', 'int bpfkit::twice<long>(bpfkit::Widget const&, long)', 'bpfkit::(anonymous namespace)::start(int)']);
    }
  });

  it('expands calls inlined at a return address into [inlined] frames with their call sites, in both modes', () => {
    const r = bpfkit(tools, [
      '-c', `${inlined} 3`,
      '-e', `uprobe:${inlined}:sink_fn /pid == cpid/ { printf("<raw>%s</raw>\\n", ustack(raw, 2)); printf("<bt>%s</bt>\\n", ustack(2)); printf("<perf>%s</perf>\\n", ustack(perf, 2)); exit(); }`,
    ]);
    expect(r.stderr).toMatch(ATTACHED);
    const raw = section(r.stdout, 'raw');
    expect(raw).toHaveLength(2);
    const inlinedSymbols = nmSymbols(inlined);
    const [leaf, caller] = raw.map((l) => symbolPlusOffset(inlinedSymbols, BigInt(`0x${l}`)));
    // addr2line -i -f: (function, file:line) pairs for the return address, innermost first.
    const pairs = spawnSync('addr2line', ['-i', '-f', '-e', inlined, `0x${raw[1]}`], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => l.replace(/ \(discriminator \d+\)$/, ''));
    expect(pairs.filter((_, k) => k % 2 === 0)).toEqual(['inner_inline', 'middle_inline', 'real_fn']);
    expect(section(r.stdout, 'bt')).toEqual([
      `${INDENT}sink_fn+0@${sourceLine(inlined, BigInt(`0x${raw[0]}`))}`,
      `${INDENT}[inlined] inner_inline@${pairs[1]}`,
      `${INDENT}[inlined] middle_inline@${pairs[3]}`,
      `${INDENT}${caller!.name}+${caller!.offset}@${pairs[5]}`,
    ]);
    expect(leaf!.name).toBe('sink_fn');
    expect(section(r.stdout, 'perf')).toEqual([
      `\t${raw[0]} sink_fn+0 (${inlined})`,
      `\t${raw[1]} inner_inline (inlined)`,
      `\t${raw[1]} middle_inline (inlined)`,
      `\t${raw[1]} real_fn+${caller!.offset} (${inlined})`,
    ]);
  });
});
