// The ELF reader checked against binutils (readelf) on fixtures compiled here with gcc.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElfError, openElf, parseElf, type ElfSymbol } from './index.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/elf');
const PROG = [join(FIXTURES, 'usdt_prog.c'), join(FIXTURES, 'usdt_sem.c')];
const haveSdt = existsSync('/usr/include/x86_64-linux-gnu/sys/sdt.h') || existsSync('/usr/include/sys/sdt.h');
const haveStatic = existsSync('/usr/lib/x86_64-linux-gnu/libc.a');
if (!haveSdt) console.log('ELF fixture tests skipped: <sys/sdt.h> is missing (install systemtap-sdt-dev)');

interface Variant {
  name: string;
  args: string[];
  sources: string[];
  type: 'exec' | 'dyn';
  /** functions and data whose file offsets are checked */
  symbols: string[];
  usdt: number;
}

const VARIANTS: Variant[] = [
  { name: 'pie-O2', args: ['-O2', '-fPIE', '-pie'], sources: PROG, type: 'dyn', symbols: ['main', 'bpfkit_add', 'bpfkit_index', 'bpfkit_counter'], usdt: 6 },
  { name: 'nopie-O0-g', args: ['-O0', '-g', '-fno-PIE', '-no-pie'], sources: PROG, type: 'exec', symbols: ['main', 'bpfkit_add', 'bpfkit_local_scale', 'bpfkit_counter'], usdt: 6 },
  { name: 'pie-stripped', args: ['-O2', '-s'], sources: PROG, type: 'dyn', symbols: [], usdt: 6 },
  { name: 'shlib', args: ['-O2', '-g', '-shared', '-fPIC'], sources: [join(FIXTURES, 'shlib.c')], type: 'dyn', symbols: ['bpfkit_lib_call', 'bpfkit_lib_weak', 'bpfkit_lib_hidden', 'bpfkit_lib_value'], usdt: 1 },
  ...(haveStatic ? [{ name: 'static-O0', args: ['-O0', '-static'], sources: PROG, type: 'exec' as const, symbols: ['main', 'bpfkit_add', 'malloc'], usdt: 6 }] : []),
];
if (!haveStatic) console.log('static ELF fixture skipped: libc.a is missing');

let dir = '';
const built = new Map<string, string>();

beforeAll(() => {
  if (!haveSdt) return;
  dir = mkdtempSync(join(tmpdir(), 'bpfkit-elf-'));
  for (const v of VARIANTS) {
    const out = join(dir, v.name);
    execFileSync('gcc', [...v.args, '-o', out, ...v.sources]);
    built.set(v.name, out);
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function readelf(...args: string[]): string {
  return execFileSync('readelf', ['-W', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

interface RefSymbol { name: string; value: bigint; size: bigint; type: string; bind: string; section: number }

const TYPES: Record<string, string> = { NOTYPE: 'notype', OBJECT: 'object', FUNC: 'func', SECTION: 'section', FILE: 'file', TLS: 'tls', IFUNC: 'ifunc' };
const BINDS: Record<string, string> = { LOCAL: 'local', GLOBAL: 'global', WEAK: 'weak' };

/** `readelf -sW`: both tables; .dynsym names lose the `@VERSION (n)` readelf appends. */
function refSymbols(path: string): RefSymbol[] {
  const out: RefSymbol[] = [];
  let table = '';
  for (const line of readelf('-s', path).split('\n')) {
    const head = /^Symbol table '([^']+)'/.exec(line);
    if (head) {
      table = head[1] ?? '';
      continue;
    }
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s+(\S.*)?$/.exec(line);
    if (!m || !m[6]) continue;
    let name = m[6].trim();
    if (table === '.dynsym') name = name.replace(/@.*$/, '');
    if (name === '') continue;
    const ndx = m[5] ?? '';
    out.push({
      name,
      value: BigInt(`0x${m[1]}`),
      size: BigInt(m[2] ?? '0'),
      type: TYPES[m[3] ?? ''] ?? 'other',
      bind: BINDS[m[4] ?? ''] ?? 'other',
      section: ndx === 'UND' ? 0 : ndx === 'ABS' ? 0xfff1 : ndx === 'COM' ? 0xfff2 : Number(ndx),
    });
  }
  return out;
}

interface RefLoad { offset: bigint; vaddr: bigint; filesz: bigint }

function refLoads(path: string): RefLoad[] {
  const loads: RefLoad[] = [];
  for (const line of readelf('-l', path).split('\n')) {
    const m = /^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)/.exec(line);
    if (m) loads.push({ offset: BigInt(`0x${m[1]}`), vaddr: BigInt(`0x${m[2]}`), filesz: BigInt(`0x${m[3]}`) });
  }
  return loads;
}

function refFileOffset(loads: RefLoad[], vaddr: bigint): bigint {
  const seg = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.filesz);
  if (!seg) throw new Error(`test: no LOAD holds 0x${vaddr.toString(16)}`);
  return vaddr - seg.vaddr + seg.offset;
}

interface RefSection { addr: bigint; offset: bigint; size: bigint }

function refSection(path: string, name: string): RefSection | undefined {
  for (const line of readelf('-S', path).split('\n')) {
    const m = /^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(line);
    if (m && m[1] === name) return { addr: BigInt(`0x${m[2]}`), offset: BigInt(`0x${m[3]}`), size: BigInt(`0x${m[4]}`) };
  }
  return undefined;
}

interface RefProbe { provider: string; name: string; pc: bigint; base: bigint; semaphore: bigint; args: string }

function refProbes(path: string): RefProbe[] {
  const text = readelf('-n', path);
  const re = /Provider: (\S+)\n\s+Name: (\S+)\n\s+Location: 0x([0-9a-f]+), Base: 0x([0-9a-f]+), Semaphore: 0x([0-9a-f]+)\n\s+Arguments:(.*)/g;
  return [...text.matchAll(re)].map((m) => ({
    provider: m[1] ?? '',
    name: m[2] ?? '',
    pc: BigInt(`0x${m[3]}`),
    base: BigInt(`0x${m[4]}`),
    semaphore: BigInt(`0x${m[5]}`),
    args: (m[6] ?? '').trim(),
  }));
}

function key(s: { name: string; value: bigint }): string {
  return `${s.name}@${s.value.toString(16)}`;
}

describe.skipIf(!haveSdt).each(VARIANTS)('ELF fixture $name', (v) => {
  const path = (): string => built.get(v.name) ?? '';

  it('has the file type readelf reports', () => {
    const elf = openElf(path());
    expect(elf.type).toBe(v.type);
    expect(elf.machine).toBe(62);
    const header = readelf('-h', path());
    expect(header).toContain(v.type === 'exec' ? 'EXEC' : 'DYN');
  });

  it('reads every named symbol of .symtab and .dynsym as readelf does', () => {
    const ours = new Map<string, ElfSymbol>();
    for (const s of openElf(path()).symbols()) ours.set(key(s), s);
    const ref = refSymbols(path());
    expect(ref.length).toBeGreaterThan(0);
    for (const r of ref) {
      const s = ours.get(key(r));
      expect(s, `symbol ${r.name}`).toBeDefined();
      // A .symtab entry wins over a .dynsym entry with the same name and value, so compare with the first seen.
      const first = ref.find((x) => key(x) === key(r));
      expect({ ...s }).toEqual({ ...first });
    }
    expect(ours.size).toBe(new Set(ref.map(key)).size);
  });

  it('maps symbols to file offsets through the PT_LOAD segments', () => {
    const elf = openElf(path());
    const loads = refLoads(path());
    const ref = refSymbols(path());
    for (const name of v.symbols) {
      const r = ref.find((x) => x.name === name && x.section !== 0);
      expect(r, name).toBeDefined();
      expect(elf.symbolFileOffset(name)).toBe(refFileOffset(loads, r?.value ?? 0n));
    }
    // Name lookups compare bytes in place until the whole table is decoded, and use an index after: same answers.
    const before = v.symbols.map((n) => elf.symbolsNamed(n));
    elf.symbols();
    expect(v.symbols.map((n) => elf.symbolsNamed(n))).toEqual(before);
  });

  it('finds symbols by glob', () => {
    const elf = openElf(path());
    const ref = refSymbols(path());
    const want = new Set(ref.filter((r) => /^bpfkit_.*a/.test(r.name)).map(key));
    expect(new Set(elf.findSymbols('bpfkit_*a*').map(key))).toEqual(want);
    expect(elf.findSymbols('bpfkit_?dd').map((s) => s.name)).toEqual(ref.some((r) => r.name === 'bpfkit_add') ? ['bpfkit_add'] : []);
  });

  it('reads USDT notes as readelf -n does, with file offsets', () => {
    const elf = openElf(path());
    const notes = elf.usdtNotes();
    const ref = refProbes(path());
    expect(notes.length).toBe(v.usdt);
    expect(ref.length).toBe(v.usdt);
    const loads = refLoads(path());
    const probes = refSection(path(), '.probes');
    notes.forEach((n, i) => {
      const r = ref[i] as RefProbe;
      expect([n.provider, n.name, n.pc, n.base, n.semaphore, n.argText]).toEqual([r.provider, r.name, r.pc, r.base, r.semaphore, r.args]);
      expect(n.pcFileOffset).toBe(refFileOffset(loads, r.pc));
      expect(n.args.map((a) => a.text).join(' ')).toBe(r.args);
      if (r.semaphore !== 0n) {
        expect(probes).toBeDefined();
        expect(n.semaphoreFileOffset).toBe(r.semaphore - (probes?.addr ?? 0n) + (probes?.offset ?? 0n));
      } else {
        expect(n.semaphoreFileOffset).toBe(0n);
      }
    });
    if (v.usdt === 6) {
      expect(notes.filter((n) => n.semaphore !== 0n).map((n) => n.name).sort()).toEqual(['guarded', 'guarded2']);
      const scale = notes.find((n) => n.name === 'scale');
      expect(scale?.args[2]).toMatchObject({ kind: 'const', value: 5n, size: 4, signed: true });
    }
  });

  it('reads the build-id readelf -n shows', () => {
    const m = /Build ID: ([0-9a-f]+)/.exec(readelf('-n', path()));
    expect(m).not.toBeNull();
    expect(openElf(path()).buildId()).toBe(m?.[1]);
  });
});

describe.skipIf(!haveSdt)('ELF details', () => {
  it('names the symbol and the file when a symbol is missing or only imported', () => {
    const path = built.get('pie-O2') ?? '';
    const elf = openElf(path);
    expect(() => elf.symbolFileOffset('no_such_function')).toThrow(ElfError);
    expect(() => elf.symbolFileOffset('no_such_function')).toThrow(`Cannot find symbol no_such_function in ${path}: symbol no_such_function not found`);
    expect(() => elf.symbolFileOffset('printf')).toThrow(/imported/);
  });

  it('reads -O0 memory operands as base and offset', () => {
    const elf = openElf(built.get('nopie-O0-g') ?? '');
    const add = elf.usdtNotes().find((n) => n.name === 'add');
    const ref = refProbes(built.get('nopie-O0-g') ?? '').find((p) => p.name === 'add');
    const m = /^(-?\d+)@(-?\d+)\(%(\w+)\)/.exec(ref?.args ?? '');
    expect(m).not.toBeNull();
    expect(add?.args[0]).toMatchObject({ kind: 'mem', size: Math.abs(Number(m?.[1])), signed: Number(m?.[1]) < 0, offset: BigInt(m?.[2] ?? 0), base: m?.[3] });
  });

  it('shifts USDT addresses by how far .stapsdt.base moved since the note was written (prelink)', () => {
    // The library's probe has no semaphore, so only the probe address has to stay inside a segment after the move.
    const path = built.get('shlib') ?? '';
    const bytes = readFileSync(path);
    const base = openElf(path).section('.stapsdt.base');
    expect(base).toBeDefined();
    // Move the section's recorded address by 0x10 in the section header table, as prelink moves a whole file.
    const shoff = Number(bytes.readBigUInt64LE(40));
    const at = shoff + (base?.index ?? 0) * 64 + 16;
    bytes.writeBigUInt64LE(bytes.readBigUInt64LE(at) + 0x10n, at);
    const moved = parseElf(bytes, 'moved').usdtNotes();
    const ref = refProbes(path);
    const loads = refLoads(path);
    expect(moved.map((n) => n.pc)).toEqual(ref.map((r) => r.pc + 0x10n));
    expect(moved.map((n) => n.pcFileOffset)).toEqual(ref.map((r) => refFileOffset(loads, r.pc + 0x10n)));
    expect(moved.map((n) => n.semaphore)).toEqual(ref.map((r) => (r.semaphore === 0n ? 0n : r.semaphore + 0x10n)));
    expect(moved.map((n) => n.base)).toEqual(ref.map((r) => r.base));
  });

  it('reads the .gnu_debuglink objcopy adds', () => {
    const src = built.get('pie-O2') ?? '';
    const debug = join(dir, 'pie.debug');
    const linked = join(dir, 'pie-linked');
    execFileSync('objcopy', ['--only-keep-debug', src, debug]);
    execFileSync('objcopy', [`--add-gnu-debuglink=${debug}`, src, linked]);
    expect(openElf(linked).debugLink()).toEqual({ file: 'pie.debug', crc: crc32(readFileSync(debug)) });
    expect(openElf(src).debugLink()).toBeUndefined();
  });

  it('has no build-id when linked without one', () => {
    const out = join(dir, 'no-build-id');
    execFileSync('gcc', ['-O2', '-Wl,--build-id=none', '-o', out, ...PROG]);
    expect(readelf('-n', out)).not.toContain('Build ID');
    expect(openElf(out).buildId()).toBeUndefined();
  });

  it('has no file offset for data that only occupies memory (.bss)', () => {
    expect(() => openElf(built.get('nopie-O0-g') ?? '').symbolFileOffset('bpfkit_table')).toThrow(/is not in the file part of any PT_LOAD segment/);
  });

  it('reads the system libc and finds malloc at the offset readelf -l gives', () => {
    const libc = '/lib/x86_64-linux-gnu/libc.so.6';
    const elf = openElf(libc);
    const malloc = refSymbols(libc).find((s) => s.name === 'malloc' && s.section !== 0);
    expect(elf.symbolFileOffset('malloc')).toBe(refFileOffset(refLoads(libc), malloc?.value ?? 0n));
  });
});

describe('ELF errors', () => {
  it('rejects files that are not ELF with an ElfError naming the file', () => {
    expect(() => openElf('/etc/hostname')).toThrow(ElfError);
    expect(() => openElf('/etc/hostname')).toThrow('Cannot read ELF file /etc/hostname:');
    expect(() => openElf('/nonexistent/file')).toThrow(/^Cannot open ELF file \/nonexistent\/file: /);
    expect(() => openElf('/tmp')).toThrow(ElfError);
  });
});
