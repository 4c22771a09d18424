import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeAttr,
  encodeAttr,
  BtfLoadAttr,
  EnableStatsAttr,
  type Field,
  InfoByFdAttr,
  type Layout,
  LinkCreateAttr,
  MapBatchAttr,
  MapCreateAttr,
  MapElemAttr,
  MapInfoLayout,
  ObjPinAttr,
  ProgInfoLayout,
  ProgLoadAttr,
  RawTracepointOpenAttr,
  TaskFdQueryAttr,
  TestRunAttr,
} from './bpf-attr.js';

describe('encodeAttr and decodeAttr', () => {
  it('writes little-endian fields at their offsets and reads them back', () => {
    const b = encodeAttr(MapCreateAttr, { mapType: 2, keySize: 4, maxEntries: 0x01020304, mapName: new TextEncoder().encode('abc'), mapExtra: 1n << 40n });
    expect(b.byteLength).toBe(MapCreateAttr.size);
    expect([...b.subarray(0, 8)]).toEqual([2, 0, 0, 0, 4, 0, 0, 0]);
    expect([...b.subarray(12, 16)]).toEqual([4, 3, 2, 1]);
    const d = decodeAttr(MapCreateAttr, b);
    expect(d.maxEntries).toBe(0x01020304);
    expect(d.mapExtra).toBe(1n << 40n);
    expect(new TextDecoder().decode(d.mapName.subarray(0, 3))).toBe('abc');
  });

  it('stores negative numbers as their unsigned bits', () => {
    const b = encodeAttr(LinkCreateAttr, { targetFd: -1 });
    expect([...b.subarray(4, 8)]).toEqual([255, 255, 255, 255]);
  });
});

// ---------- the offsets, checked against the running kernel's BTF (bpftool's raw dump) ----------

interface RawMember {
  name: string;
  typeId: number;
  bitsOffset: number;
}
interface RawType {
  kind: string;
  name: string;
  size: number;
  typeId: number;
  members: RawMember[];
}

function parseRawDump(text: string): Map<number, RawType> {
  const types = new Map<number, RawType>();
  let cur: RawType | undefined;
  for (const line of text.split('\n')) {
    const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
    if (head) {
      const rest = head[4] ?? '';
      cur = {
        kind: head[2] ?? '',
        name: head[3] ?? '',
        size: Number(/size=(\d+)/.exec(rest)?.[1] ?? 0),
        typeId: Number(/type_id=(\d+)/.exec(rest)?.[1] ?? 0),
        members: [],
      };
      types.set(Number(head[1]), cur);
      continue;
    }
    const m = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)/.exec(line);
    if (m && cur) cur.members.push({ name: m[1] ?? '', typeId: Number(m[2]), bitsOffset: Number(m[3]) });
  }
  return types;
}

function resolve(types: Map<number, RawType>, id: number): RawType | undefined {
  let t = types.get(id);
  while (t && ['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'].includes(t.kind)) t = types.get(t.typeId);
  return t;
}

/** Every member's byte offset by its C path ("perf_event.bpf_cookie"); anonymous members are flattened. */
function flatten(types: Map<number, RawType>, t: RawType, prefix = '', base = 0, out = new Map<string, number>()): Map<string, number> {
  for (const m of t.members) {
    const at = base + m.bitsOffset / 8;
    const inner = resolve(types, m.typeId);
    const anon = m.name === '(anon)' || m.name === '';
    if (!anon) out.set(prefix + m.name, at);
    if (inner && (inner.kind === 'STRUCT' || inner.kind === 'UNION')) flatten(types, inner, anon ? prefix : `${prefix}${m.name}.`, at, out);
  }
  return out;
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
// Members of link_create's named union arms are spelled in camel case with the arm's name first.
function cPath(key: string): string {
  for (const arm of ['perfEvent', 'kprobeMulti', 'uprobeMulti', 'tracing']) {
    if (key.startsWith(arm) && key.length > arm.length) {
      const rest = key.slice(arm.length);
      return `${snake(arm)}.${snake(rest[0]?.toLowerCase() + rest.slice(1))}`;
    }
  }
  return snake(key);
}

const bpftool = ['/usr/sbin/bpftool', '/usr/bin/bpftool', '/usr/local/sbin/bpftool'].find((p) => existsSync(p));
const haveBtf = existsSync('/sys/kernel/btf/vmlinux');
const skipReason = !bpftool ? 'bpftool is not installed' : !haveBtf ? 'no /sys/kernel/btf/vmlinux' : false;
if (skipReason) console.warn(`skipping BTF layout check: ${skipReason}`);

describe.skipIf(skipReason)('layouts match the kernel BTF', () => {
  const types = bpftool && haveBtf ? parseRawDump(execFileSync(bpftool, ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { encoding: 'utf8', maxBuffer: 1 << 30 })) : new Map<number, RawType>();
  const byName = (kind: string, name: string): RawType | undefined => [...types.values()].find((t) => t.kind === kind && t.name === name);
  const attr = byName('UNION', 'bpf_attr');

  // The arm of union bpf_attr a layout describes: a named member, or the anonymous struct holding a telling member.
  function arm(cName: string): RawType | undefined {
    if (!attr) return undefined;
    const anonKey: Record<string, string> = { map_create: 'map_type', map_elem: 'next_key', prog_load: 'prog_type', obj_pin: 'pathname', btf_load: 'btf_log_buf' };
    const key = anonKey[cName];
    for (const m of attr.members) {
      const t = resolve(types, m.typeId);
      if (!t) continue;
      if (key === undefined ? m.name === cName : flatten(types, t).has(key)) return t;
    }
    return undefined;
  }

  const cases: Array<[string, Layout<Record<string, Field>>, () => RawType | undefined]> = [
    ['map_create', MapCreateAttr, () => arm('map_create')],
    ['map_elem', MapElemAttr, () => arm('map_elem')],
    ['batch', MapBatchAttr, () => arm('batch')],
    ['prog_load', ProgLoadAttr, () => arm('prog_load')],
    ['obj_pin', ObjPinAttr, () => arm('obj_pin')],
    ['test', TestRunAttr, () => arm('test')],
    ['info', InfoByFdAttr, () => arm('info')],
    ['enable_stats', EnableStatsAttr, () => arm('enable_stats')],
    ['link_create', LinkCreateAttr, () => arm('link_create')],
    ['btf_load', BtfLoadAttr, () => arm('btf_load')],
    ['raw_tracepoint', RawTracepointOpenAttr, () => arm('raw_tracepoint')],
    ['task_fd_query', TaskFdQueryAttr, () => arm('task_fd_query')],
    ['bpf_prog_info', ProgInfoLayout, () => byName('STRUCT', 'bpf_prog_info')],
    ['bpf_map_info', MapInfoLayout, () => byName('STRUCT', 'bpf_map_info')],
  ];

  for (const [name, layout, find] of cases) {
    it(`${name}: every field at the kernel's offset`, () => {
      const t = find();
      expect(t, `${name} in vmlinux BTF`).toBeDefined();
      if (!t) return;
      const offsets = flatten(types, t);
      const mismatches: string[] = [];
      for (const [key, f] of Object.entries(layout.fields)) {
        const path = cPath(key);
        const at = offsets.get(path);
        if (at !== f.offset) mismatches.push(`${key} (${path}): ours ${f.offset}, kernel ${at ?? 'missing'}`);
      }
      expect(mismatches).toEqual([]);
      expect(layout.size).toBeLessThanOrEqual(attr && name !== 'bpf_prog_info' && name !== 'bpf_map_info' ? attr.size : t.size);
    });
  }
});
