// The reader checked against the running kernel's BTF, with bpftool's dumps of the same file as the reference.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BtfLoadError,
  BtfMissingFieldError,
  editDistance,
  listModuleBtf,
  loadKernelBtf,
  loadModuleBtf,
  type Btf,
  type BtfKind,
  parseBtf,
} from './index.js';
import { BtfBuilder, buildEveryKind } from '../../test/fixtures/btf/encode.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

function findBpftool(): string | undefined {
  for (const p of ['/usr/sbin/bpftool', '/usr/bin/bpftool', '/sbin/bpftool', '/usr/local/sbin/bpftool']) {
    if (existsSync(p)) return p;
  }
  return undefined;
}

const bpftool = findBpftool();
const skipReason = !existsSync(VMLINUX)
  ? `${VMLINUX} is missing (kernel built without CONFIG_DEBUG_INFO_BTF)`
  : !bpftool
    ? 'bpftool is not installed (apt-get install bpftool)'
    : undefined;
if (skipReason) console.log(`Skipping vmlinux BTF tests: ${skipReason}`);

interface RawType {
  kind: string;
  name: string;
  attrs: Map<string, string>;
  /** Member, parameter or enumerator lines, each as name (or '') plus attributes. */
  items: { name: string; attrs: Map<string, string> }[];
}

// `bpftool btf dump format raw` prints `[ID] KIND 'NAME' key=value ...` with tab-indented lines for members.
function parseRaw(text: string): RawType[] {
  const types: RawType[] = [];
  let last: RawType | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('\t')) {
      const m = /^\t(?:'([^']*)' )?(.*)$/.exec(line)!;
      last?.items.push({ name: m[1] === '(anon)' || m[1] === undefined ? '' : m[1], attrs: attrsOf(m[2]!) });
      continue;
    }
    const m = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
    if (!m) continue;
    last = { kind: m[2]!, name: m[3] === '(anon)' ? '' : m[3]!, attrs: attrsOf(m[4]!), items: [] };
    types[Number(m[1])] = last;
  }
  return types;
}

function attrsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/(\w+)=([^\s,]+)/g)) out.set(m[1]!, m[2]!);
  return out;
}

/** Size of a type computed from bpftool's raw dump alone. */
function rawSize(raw: RawType[], id: number): number {
  const t = raw[id]!;
  switch (t.kind) {
    case 'PTR':
      return 8;
    case 'ARRAY':
      return Number(t.attrs.get('nr_elems')) * rawSize(raw, Number(t.attrs.get('type_id')));
    case 'TYPEDEF':
    case 'CONST':
    case 'VOLATILE':
    case 'RESTRICT':
    case 'TYPE_TAG':
      return rawSize(raw, Number(t.attrs.get('type_id')));
    default:
      return Number(t.attrs.get('size'));
  }
}

describe.skipIf(skipReason !== undefined)('vmlinux BTF against bpftool', () => {
  let btf: Btf;
  let raw: RawType[];

  beforeAll(() => {
    btf = loadKernelBtf();
    raw = parseRaw(execFileSync(bpftool!, ['btf', 'dump', 'file', VMLINUX, 'format', 'raw'], { maxBuffer: 1 << 30, encoding: 'utf8' }));
  });

  it('reads the kind and name of every type', () => {
    expect(btf.lastId).toBe(raw.length - 1);
    let checked = 0;
    for (let id = 1; id < raw.length; id++) {
      const r = raw[id]!;
      if (btf.kindOf(id).toUpperCase() !== r.kind || btf.nameOf(id) !== r.name) {
        expect({ id, kind: btf.kindOf(id), name: btf.nameOf(id) }).toEqual({ id, kind: r.kind.toLowerCase(), name: r.name });
      }
      checked++;
    }
    const kinds = new Set(raw.filter(Boolean).map((r) => r.kind.toLowerCase() as BtfKind));
    for (const kind of kinds) expect([...btf.ids(kind)].length).toBe(raw.filter((r) => r?.kind.toLowerCase() === kind).length);
    expect(checked).toBe(btf.lastId);
  });

  it('lays out 20 sampled task_struct fields as bpftool reports them', () => {
    const task = btf.findByName('task_struct', 'struct')!;
    const rawTask = raw[task.id]!;
    expect(rawTask.kind).toBe('STRUCT');
    expect(btf.sizeOf(task.id)).toBe(Number(rawTask.attrs.get('size')));
    const named = rawTask.items.filter((m) => m.name !== '');
    const bitfields = named.filter((m) => m.attrs.has('bitfield_size')).slice(0, 6);
    const plain = named.filter((m) => !m.attrs.has('bitfield_size'));
    const step = Math.floor(plain.length / (20 - bitfields.length));
    const sample = [...bitfields, ...plain.filter((_, i) => i % step === 0)].slice(0, 20);
    expect(sample).toHaveLength(20);
    for (const m of sample) {
      const bits = Number(m.attrs.get('bits_offset'));
      const typeId = Number(m.attrs.get('type_id'));
      expect(btf.findMember(task.id, m.name)).toEqual({
        path: m.name,
        byteOffset: Math.floor(bits / 8),
        bitOffset: bits,
        bitSize: Number(m.attrs.get('bitfield_size') ?? 0),
        typeId,
        size: rawSize(raw, typeId),
      });
    }
  });

  it('finds members of anonymous unions and structs as C does', () => {
    let checked = 0;
    for (let id = 1; id < raw.length && checked < 200; id++) {
      const r = raw[id]!;
      if (r.kind !== 'STRUCT' || r.name === '') continue;
      for (const m of r.items.filter((x) => x.name === '')) {
        const inner = raw[Number(m.attrs.get('type_id'))]!;
        const first = inner.items.find((x) => x.name !== '');
        // A name may also exist directly in the outer struct or an earlier anonymous member.
        if (!first || r.items.some((x) => x.name === first.name)) continue;
        const expected = Number(m.attrs.get('bits_offset')) + Number(first.attrs.get('bits_offset'));
        expect(btf.findMember(id, first.name).bitOffset).toBe(expected);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('reports the fields cfs_rq has when asked for nr_running, nearest first', () => {
    const cfs = btf.findByName('struct cfs_rq')!;
    expect(btf.findMember(cfs.id, 'nr_queued').size).toBe(4);
    let err: unknown;
    try {
      btf.findMember(cfs.id, 'nr_running');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BtfMissingFieldError);
    const available = (err as BtfMissingFieldError).available;
    expect(available[0]).toBe('nr_queued');
    const rawNames = raw[cfs.id]!.items.map((m) => m.name).filter((n) => n !== '');
    expect([...available].sort()).toEqual([...rawNames].sort());
    const distances = available.map((n) => editDistance('nr_running', n));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  });

  it('gives sched_switch raw tracepoint arguments without the context pointer', () => {
    const args = btf.rawTracepointArgs('sched_switch');
    expect(args.params.map((p) => p.name)).toEqual(['preempt', 'prev', 'next', 'prev_state']);
    expect(args.params.map((p) => btf.formatDecl(p.typeId, p.name))).toEqual([
      'bool preempt',
      'struct task_struct * prev',
      'struct task_struct * next',
      'unsigned int prev_state',
    ]);
    expect(args.typedefId).toBe(raw.findIndex((r) => r?.kind === 'TYPEDEF' && r.name === 'btf_trace_sched_switch'));
    const rawNames = raw.filter((r) => r?.kind === 'TYPEDEF' && r.name.startsWith('btf_trace_')).map((r) => r.name.slice(10));
    expect(btf.rawTracepointNames()).toEqual(rawNames.sort());
    // The named prototype must agree with the typedef's for every raw tracepoint.
    for (const name of rawNames) {
      const sig = btf.rawTracepointArgs(name);
      const ptr = raw[Number(raw[sig.typedefId!]!.attrs.get('type_id'))]!;
      const proto = raw[Number(ptr.attrs.get('type_id'))]!;
      expect(sig.params.map((p) => p.typeId)).toEqual(proto.items.slice(1).map((p) => Number(p.attrs.get('type_id'))));
      for (const p of sig.params) btf.formatDecl(p.typeId, p.name);
    }
  });

  it('gives kernel function prototypes with names and types', () => {
    const fn = btf.funcProto('do_sys_openat2');
    const rawFunc = raw.findIndex((r) => r?.kind === 'FUNC' && r.name === 'do_sys_openat2');
    const rawProto = raw[Number(raw[rawFunc]!.attrs.get('type_id'))]!;
    expect(fn.returnTypeId).toBe(Number(rawProto.attrs.get('ret_type_id')));
    expect(fn.params).toEqual(rawProto.items.map((p) => ({ name: p.name, typeId: Number(p.attrs.get('type_id')) })));
    expect(fn.params.map((p) => btf.formatDecl(p.typeId, p.name))).toContain('const char * filename');
  });

  it('prints struct, union and enum definitions as bpftool format c does', () => {
    const header = execFileSync(bpftool!, ['btf', 'dump', 'file', VMLINUX, 'format', 'c'], { maxBuffer: 1 << 30, encoding: 'utf8' });
    const lines = header.split('\n');
    const libbpfMarksByteEnums = header.includes('mode(byte)');
    let compared = 0;
    for (let i = 0; i < lines.length; i++) {
      const m = /^(struct|union|enum) (\w+) \{(\};)?/.exec(lines[i]!);
      if (!m) continue;
      let end = i;
      while (!m[3] && !lines[end]!.startsWith('}')) end++;
      const def = lines.slice(i, end + 1).join('\n');
      i = end;
      // bpftool renames clashing names (foo___2); those definitions depend on its numbering.
      const ids = btf.idsByName(`${m[1]} ${m[2]}`);
      if (def.includes('___') || ids.length !== 1) continue;
      // Newer libbpf (which current bpftrace links) marks one-byte enums with mode(byte); older bpftool does not.
      const mine = btf.formatDefinition(ids[0]!);
      expect(libbpfMarksByteEnums ? mine : mine.replace(' __attribute__((mode(byte)))', '')).toBe(def);
      compared++;
    }
    expect(compared).toBeGreaterThan(1000);
  });
});

const modules = existsSync(VMLINUX) ? listModuleBtf() : [];
if (existsSync(VMLINUX) && modules.length === 0) console.log('Skipping module BTF test: no module has BTF under /sys/kernel/btf on this kernel');

describe.skipIf(!existsSync(VMLINUX))('module BTF', () => {
  it('reports a module without BTF as a load error', () => {
    expect(() => loadModuleBtf('bpfkit_no_such_module')).toThrow(BtfLoadError);
    expect(() => loadModuleBtf('../vmlinux')).toThrow(BtfLoadError);
  });

  it.skipIf(modules.length === 0 || !bpftool)('parses each module as split BTF over vmlinux, as bpftool does', () => {
    const vmlinux = loadKernelBtf();
    for (const name of modules.slice(0, 10)) {
      const mod = loadModuleBtf(name, vmlinux);
      expect(mod.firstId).toBe(vmlinux.lastId + 1);
      const text = execFileSync(bpftool!, ['-B', VMLINUX, 'btf', 'dump', 'file', `/sys/kernel/btf/${name}`, 'format', 'raw'], {
        maxBuffer: 1 << 30,
        encoding: 'utf8',
      });
      const raw = parseRaw(text);
      expect(mod.lastId).toBe(raw.length - 1);
      for (let id = mod.firstId; id <= mod.lastId; id++) {
        expect([mod.kindOf(id).toUpperCase(), mod.nameOf(id)]).toEqual([raw[id]!.kind, raw[id]!.name]);
      }
    }
  });
});

describe.skipIf(!bpftool)('fixture BTF against bpftool', () => {
  it('reads the every-kind blob and a split blob on top of it as bpftool does', () => {
    const fixture = buildEveryKind();
    const mod = new BtfBuilder({ lastId: fixture.lastId, strLen: fixture.stringBytes });
    const inner = mod.struct('inner', 8, [{ name: 'v', type: fixture.ids.long!, bitOffset: 0 }]);
    mod.struct('outer', 16, [
      { name: '', type: inner, bitOffset: 0 },
      { name: 'bits', type: fixture.ids.uint!, bitOffset: 64, bitSize: 5 },
    ]);
    mod.typedef('task_alias', fixture.ids.task!);
    const dir = mkdtempSync(join(tmpdir(), 'bpfkit-btf-'));
    try {
      writeFileSync(join(dir, 'base'), fixture.bytes);
      writeFileSync(join(dir, 'mod'), mod.build());
      const base = parseBtf(fixture.bytes);
      const split = parseBtf(mod.build(), base);
      const run = (args: string[]) => parseRaw(execFileSync(bpftool!, [...args, 'format', 'raw'], { encoding: 'utf8' }));
      const rawBase = run(['btf', 'dump', 'file', join(dir, 'base')]);
      // -B names the base BTF of a split blob (bpftool's global option).
      const rawSplit = run(['-B', join(dir, 'base'), 'btf', 'dump', 'file', join(dir, 'mod')]);
      expect(base.lastId).toBe(rawBase.length - 1);
      expect(split.lastId).toBe(rawSplit.length - 1);
      for (let id = 1; id <= split.lastId; id++) {
        const r = id <= base.lastId ? rawBase[id]! : rawSplit[id]!;
        expect([id, split.kindOf(id).toUpperCase(), split.nameOf(id)]).toEqual([id, r.kind, r.name]);
        const t = split.typeById(id);
        if (t.kind === 'struct' || t.kind === 'union') {
          expect(t.members.map((m) => [m.name, m.typeId, m.bitOffset, m.bitSize])).toEqual(
            r.items.map((m) => [m.name, Number(m.attrs.get('type_id')), Number(m.attrs.get('bits_offset')), Number(m.attrs.get('bitfield_size') ?? 0)]),
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
