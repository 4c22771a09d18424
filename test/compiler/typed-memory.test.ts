// Typed memory on the real kernel: structs declared in the script preamble cast over a user-space pointer
// (read with bpf_probe_read_user), arrays inside them indexed by constants and variables, arrays kept in
// variables and maps, nested structs and pointers, and whole structs copied by value and printed.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { compile, formatDiagnostics, structLayout } from '../../src/lang/index.js';
import { gcc, startWorkload, type Workload } from '../support/kernel-testkit.js';
import { compileOk, getpgid, load, u64Key, type Loaded } from './harness.js';

let loaded: Loaded | undefined;
let workload: Workload | undefined;
let dir: string | undefined;
afterEach(() => {
  loaded?.close();
  loaded = undefined;
  workload?.close();
  workload = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function value(l: Loaded, map: string): Uint8Array {
  const v = l.maps.get(map)!.lookup(u64Key(0));
  if (v === undefined) throw new Error(`${map} has no value`);
  return v;
}

/** A map's integer value, sign-extended from the width the map stores it in. */
function int(l: Loaded, map: string): bigint {
  const v = value(l, map);
  const d = new DataView(v.buffer, v.byteOffset);
  if (v.length >= 8) return d.getBigInt64(0, true);
  if (v.length >= 4) return BigInt(d.getInt32(0, true));
  if (v.length >= 2) return BigInt(d.getInt16(0, true));
  return BigInt(d.getInt8(0));
}

const PREAMBLE = `struct inner { int a; int b[3]; }
struct outer { long id; int vals[4]; struct inner in; struct inner *next; short grid[2][2]; struct inner items[2]; }
struct tailed { long id; int v[0]; }`;

async function traceTake(body: string, k: number): Promise<Loaded> {
  dir = mkdtempSync(join(tmpdir(), 'bpfkit-typed-memory-'));
  const binary = join(dir, 'structs');
  gcc(['-O2', '-o', binary, join(import.meta.dirname, '../fixtures/uprobe/structs.c')]);
  workload = await startWorkload(binary, [String(k)]);
  loaded = load(compileOk(`${PREAMBLE}\nuprobe:${binary}:take /pid == ${workload.pid}/ { $o = (struct outer *)arg0; ${body} }`));
  expect(await workload.go()).toBe(`took ${k}\n`);
  return loaded;
}

describe('preamble structs over user memory', () => {
  it('reads fields, array elements by constant and variable index, nested structs and pointers', async () => {
    const k = 3;
    const l = await traceTake(
      `@id = $o->id; @v2 = $o->vals[2]; $i = (uint64)3; @v3 = $o->vals[$i]; @inb1 = $o->in.b[1];
       @nexta = $o->next->a; @nextb2 = $o->next->b[2]; @g10 = $o->grid[1][0];
       $t = (struct tailed *)$o; @flex1 = $t->v[1];`,
      k,
    );
    // A flexible array member (`int v[0]`) is indexed past its declared length: v overlays outer.vals.
    expect(int(l, '@flex1')).toBe(BigInt(k * 2));
    expect(int(l, '@id')).toBe(BigInt(k * 7));
    expect(int(l, '@v2')).toBe(BigInt(k * 3));
    expect(int(l, '@v3')).toBe(BigInt(k * 4));
    expect(int(l, '@inb1')).toBe(BigInt(k * 12));
    expect(int(l, '@nexta')).toBe(BigInt(k * 100));
    expect(int(l, '@nextb2')).toBe(BigInt(k * 103));
    expect(int(l, '@g10')).toBe(BigInt(k * 23));
  });

  it('copies arrays into variables and maps and indexes the copies', async () => {
    const k = 5;
    const l = await traceTake(`$a = $o->vals; @a1 = $a[1]; $j = (uint64)2; @aj = $a[$j]; @arr = $o->vals; @grid = $o->grid; $row = $o->grid[1]; @row1 = $row[1];`, k);
    expect(int(l, '@row1')).toBe(BigInt(k * 24));
    expect(int(l, '@a1')).toBe(BigInt(k * 2));
    expect(int(l, '@aj')).toBe(BigInt(k * 3));
    const arr = value(l, '@arr');
    expect([0, 1, 2, 3].map((i) => new DataView(arr.buffer, arr.byteOffset).getInt32(i * 4, true))).toEqual([k, k * 2, k * 3, k * 4]);
    const grid = value(l, '@grid');
    expect([0, 1, 2, 3].map((i) => new DataView(grid.buffer, grid.byteOffset).getInt16(i * 2, true))).toEqual([k * 21, k * 22, k * 23, k * 24]);
  });

  it('copies a whole struct by value and prints it as a record with the C field values', async () => {
    const k = 2;
    const l = await traceTake(`$s = *$o; @sid = $s.id; @sinb2 = $s.in.b[2]; print(*$o->next);`, k);
    expect(int(l, '@sid')).toBe(BigInt(k * 7));
    expect(int(l, '@sinb2')).toBe(BigInt(k * 13));
    const recs = l.drain();
    expect(recs).toHaveLength(1);
    const ev = l.artifact.events[recs[0]!.id]!;
    expect(ev.kind).toBe('print_value');
    const field = ev.args[0]!;
    if (field.type.kind !== 'record') throw new Error(`print of a struct sent a ${field.type.kind}`);
    expect(field.type.fields.map((f) => f.name)).toEqual(['a', 'b']);
    const layout = structLayout(field.type.fields.map((f) => f.type));
    const d = new DataView(recs[0]!.bytes.buffer, recs[0]!.bytes.byteOffset);
    expect(d.getInt32(field.offset + layout.offsets[0]!, true)).toBe(k * 100);
    expect([0, 1, 2].map((i) => d.getInt32(field.offset + layout.offsets[1]! + i * 4, true))).toEqual([k * 101, k * 102, k * 103]);
  });

  it('copies arrays of structs into variables and maps, element by element', async () => {
    const k = 6;
    const l = await traceTake(`$w = $o->items; @w1a = $w[1].a; $i = (uint64)1; @wib2 = $w[$i].b[2]; @m[0] = $o->items; @m0b1 = @m[0][0].b[1]; @direct = $o->items[1].b[0];`, k);
    expect(int(l, '@w1a')).toBe(BigInt(k * 41));
    expect(int(l, '@wib2')).toBe(BigInt(k * 44));
    expect(int(l, '@m0b1')).toBe(BigInt(k * 33));
    expect(int(l, '@direct')).toBe(BigInt(k * 42));
  });

  it('reads through the address space kptr() and uptr() give a pointer', async () => {
    const k = 9;
    const l = await traceTake(
      `@cast = ((struct task_struct *)curtask)->tgid; @asUser = uptr(curtask)->tgid; @asKernel = kptr(uptr(curtask))->tgid;
       $k = kptr($o); @kernelRead = $k->id; @userRead = uptr($k)->id;`,
      k,
    );
    // curtask is kernel memory: a cast keeps that, uptr() makes reads fail, kptr() restores them.
    expect(int(l, '@cast')).toBe(BigInt(workload!.pid));
    expect(int(l, '@asKernel')).toBe(BigInt(workload!.pid));
    expect(int(l, '@asUser')).toBe(0n);
    expect(int(l, '@kernelRead')).toBe(0n);
    expect(int(l, '@userRead')).toBe(BigInt(k * 7));
  });

  it('compares arrays byte for byte', async () => {
    const l = await traceTake(`$a = $o->vals; @same = $o->vals == $a; @differ = $o->vals != $o->vals; $s = *$o; @ne = $s.in.b != $o->next->b;`, 4);
    expect(int(l, '@same')).toBe(1n);
    expect(int(l, '@differ')).toBe(0n);
    expect(int(l, '@ne')).toBe(1n);
  });

  it('refuses a constant index past the end of an array', () => {
    const r = compile(`${PREAMBLE}\nuprobe:/bin/bash:readline { $o = (struct outer *)arg0; @x = $o->vals[4]; }`, 'test.bt');
    expect(formatDiagnostics(r.diagnostics)).toContain('the index 4 is out of bounds for array of size 4');
  });
});

describe('preamble layouts', () => {
  it('lays out packed structs without padding and nests anonymous inline structs', () => {
    loaded = load(
      compileOk(`struct plain { int x; char y; int z; }
        struct tight { int x; char y; int z; } __attribute__((packed))
        struct nest { struct { int m[3] } y; struct { char n } a; long after; }
        BEGIN { @plain = sizeof(struct plain); @tight = sizeof(struct tight); @nest = sizeof(struct nest);
          @after = offsetof(struct nest, after); @a = offsetof(struct nest, a); }`),
    );
    loaded.fire('begin');
    expect(int(loaded, '@plain')).toBe(12n);
    expect(int(loaded, '@tight')).toBe(9n);
    expect(int(loaded, '@a')).toBe(12n);
    expect(int(loaded, '@after')).toBe(16n);
    expect(int(loaded, '@nest')).toBe(24n);
  });
});

describe('array casts', () => {
  it('sees an integer or a string as an array of bytes and an array as an integer', () => {
    loaded = load(compileOk('BEGIN { @b0 = ((int8[8])0x1234)[0]; @b1 = ((uint8[])0x1234)[1]; @h = ((int8[])"hi")[1]; $a = (uint8[4])(uint32)0x0a0b0c0d; @back = (uint32)$a; @n = sizeof((int16[])12345); }'));
    loaded.fire('begin');
    expect(int(loaded, '@b0')).toBe(0x34n);
    expect(int(loaded, '@b1')).toBe(0x12n);
    expect(int(loaded, '@h')).toBe(BigInt('i'.charCodeAt(0)));
    expect(int(loaded, '@back')).toBe(0x0a0b0c0dn);
    expect(int(loaded, '@n')).toBe(8n);
  });

  it('turns pton() literals into address bytes', () => {
    loaded = load(compileOk('BEGIN { @v4 = (uint32)pton("10.1.2.3"); $six = pton("fe80::7"); @v6last = $six[15]; @v6first = (uint64)$six[0]; }'));
    loaded.fire('begin');
    expect(int(loaded, '@v4')).toBe(BigInt(10 + (1 << 8) + (2 << 16) + (3 << 24)));
    expect(int(loaded, '@v6last')).toBe(7n);
    expect(int(loaded, '@v6first')).toBe(0xfen);
  });
});

describe('addresses of variables and bitfields', () => {
  it('reads a variable through its address as a preamble struct with bitfields', () => {
    loaded = load(
      compileOk(`struct bits { unsigned int lo:3; unsigned int mid:5; unsigned int hi:20; unsigned char tail; }
        BEGIN { $v = (uint64)0x12345678; $b = *(struct bits *)&$v; @lo = $b.lo; @mid = $b.mid; @hi = $b.hi; @tail = $b.tail;
          $p = (struct bits *)&$v; @phi = $p->hi; @size = sizeof(struct bits); $c = (char)65; @c = *(char *)&$c; @u = (uint64_t)-1 == (uint64)-1; }`),
    );
    loaded.fire('begin');
    const v = 0x12345678;
    expect(int(loaded, '@lo')).toBe(BigInt(v & 0x7));
    expect(int(loaded, '@mid')).toBe(BigInt((v >> 3) & 0x1f));
    expect(int(loaded, '@hi')).toBe(BigInt((v >> 8) & 0xfffff));
    expect(int(loaded, '@phi')).toBe(BigInt((v >> 8) & 0xfffff));
    // 28 bits of bitfields fill one 4-byte unit; `tail` starts the next byte after them, at offset 4.
    expect(int(loaded, '@tail')).toBe(0n);
    expect(int(loaded, '@size')).toBe(8n);
    expect(int(loaded, '@c')).toBe(65n);
    expect(int(loaded, '@u')).toBe(1n);
  });
});

describe('pointer arithmetic', () => {
  it('steps ++ and -- by the size of the pointee', () => {
    loaded = load(compileOk('BEGIN { @a = (int16 *)0x32; @a++; @b = (int32 *)0x32; ++@b; @c = (int64 *)0x32; @c--; }'));
    loaded.fire('begin');
    expect(int(loaded, '@a')).toBe(0x34n);
    expect(int(loaded, '@b')).toBe(0x36n);
    expect(int(loaded, '@c')).toBe(0x2an);
  });
});

describe('kernel structs through BTF', () => {
  it("answers runqlen's question through curtask->se.cfs_rq with the field this kernel has", () => {
    const pid = process.pid;
    const source = (field: string) =>
      `tracepoint:syscalls:sys_enter_getpgid /pid == ${pid} && args->pid == 4242/ { @q = curtask->se.cfs_rq->${field}; @tid = curtask->pid; @tgid = curtask->tgid; }`;
    const missing = compile(source('nr_running'), 'test.bt');
    const text = formatDiagnostics(missing.diagnostics);
    expect(text).toContain("'struct cfs_rq' does not contain a field named 'nr_running'");
    // The hint lists what exists, nearest first; this kernel names it nr_queued (older ones nr_running).
    const hint = /nearest first: ([a-z_, ]+)/.exec(text)?.[1]?.split(', ') ?? [];
    expect(hint.length).toBeGreaterThan(1);
    expect(hint.slice(0, 2)).toContain('nr_queued');
    loaded = load(compileOk(source('nr_queued')));
    getpgid(4242);
    expect(int(loaded, '@tgid')).toBe(BigInt(pid));
    // The test runs on the process's main thread only if tid == pid; either way it is a thread of this process.
    expect(int(loaded, '@tid')).toBeGreaterThan(0n);
    // The CPU running the probe runs this process, so its CFS queue holds at least one task.
    expect(int(loaded, '@q')).toBeGreaterThanOrEqual(1n);
  });
});
