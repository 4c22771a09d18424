// Sizes, alignments and member layout computed from BTF, following C's rules (and libbpf's for packed structs).
import type { Btf } from './btf.js';
import { BtfMissingFieldError, BtfTypeError } from './errors.js';
import type { BtfFieldLocation, BtfMember, BtfStruct, BtfType } from './types.js';

// Kernel BTF never nests this deep; a longer chain means a reference cycle in corrupt input.
const MAX_DEPTH = 64;

function tooDeep(id: number): BtfTypeError {
  return new BtfTypeError(`Cannot follow BTF type ${id}: type chain deeper than ${MAX_DEPTH} (reference cycle?)`);
}

/** Skip typedef, const, volatile, restrict and type_tag. */
export function resolve(btf: Btf, id: number): number {
  let cur = id;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const t = btf.typeById(cur);
    switch (t.kind) {
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
        cur = t.typeId;
        break;
      default:
        return cur;
    }
  }
  throw tooDeep(id);
}

export function sizeOf(btf: Btf, id: number, depth = 0): number {
  if (depth > MAX_DEPTH) throw tooDeep(id);
  const t = btf.typeById(id);
  switch (t.kind) {
    case 'int':
    case 'enum':
    case 'enum64':
    case 'struct':
    case 'union':
    case 'float':
    case 'datasec':
      return t.size;
    case 'ptr':
      return btf.pointerSize;
    case 'array':
      return t.nelems * sizeOf(btf, t.typeId, depth + 1);
    case 'typedef':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'type_tag':
    case 'var':
      return sizeOf(btf, t.typeId, depth + 1);
    default:
      throw new BtfTypeError(`Cannot take the size of BTF type ${id}: ${describe(t)} has no size`);
  }
}

// Alignment is asked for every member of every struct printed; remember it per BTF.
const alignCache = new WeakMap<Btf, Map<number, number>>();

export function alignOf(btf: Btf, id: number): number {
  let cache = alignCache.get(btf);
  if (!cache) {
    cache = new Map();
    alignCache.set(btf, cache);
  }
  return alignWithin(btf, id, cache, new Set(), 0);
}

function alignWithin(btf: Btf, id: number, cache: Map<number, number>, visiting: Set<number>, depth: number): number {
  if (depth > MAX_DEPTH) throw tooDeep(id);
  const known = cache.get(id);
  if (known !== undefined) return known;
  const t = btf.typeById(id);
  let align: number;
  switch (t.kind) {
    case 'int':
    case 'enum':
    case 'enum64':
    case 'float':
      align = Math.max(1, Math.min(btf.pointerSize, t.size));
      break;
    case 'ptr':
      align = btf.pointerSize;
      break;
    case 'array':
    case 'typedef':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'type_tag':
      align = alignWithin(btf, t.typeId, cache, visiting, depth + 1);
      break;
    case 'struct':
    case 'union': {
      if (visiting.has(id)) throw new BtfTypeError(`Cannot lay out BTF type ${id}: ${describe(t)} contains itself`);
      visiting.add(id);
      let max = 1;
      let packed = false;
      for (const m of t.members) {
        const a = alignWithin(btf, m.typeId, cache, visiting, depth + 1);
        max = Math.max(max, a);
        // A member off its natural alignment means the struct was declared packed.
        if (m.bitSize === 0 && m.bitOffset % (8 * a) !== 0) packed = true;
      }
      visiting.delete(id);
      align = packed || t.size % max !== 0 ? 1 : max;
      break;
    }
    default:
      throw new BtfTypeError(`Cannot take the alignment of BTF type ${id}: ${describe(t)} has none`);
  }
  cache.set(id, align);
  return align;
}

/** The struct or union a type id names, through typedefs and qualifiers, or a BtfTypeError. */
export function structOf(btf: Btf, id: number): BtfStruct {
  const t = btf.typeById(resolve(btf, id));
  if (t.kind !== 'struct' && t.kind !== 'union') {
    throw new BtfTypeError(`Cannot list members of BTF type ${id}: ${describe(t)} is not a struct or union`);
  }
  return t;
}

export function members(btf: Btf, id: number): BtfMember[] {
  return flatMembers(btf, structOf(btf, id)).list.slice();
}

interface FlatMembers {
  list: BtfMember[];
  byName: Map<string, BtfMember>;
}

// Field lookups repeat (every probe reading task_struct fields); flatten each struct once per BTF.
const memberCache = new WeakMap<Btf, Map<number, FlatMembers>>();

function flatMembers(btf: Btf, t: BtfStruct): FlatMembers {
  let cache = memberCache.get(btf);
  if (!cache) {
    cache = new Map();
    memberCache.set(btf, cache);
  }
  let flat = cache.get(t.id);
  if (!flat) {
    const list: BtfMember[] = [];
    flatten(btf, t, 0, list, new Set());
    const byName = new Map<string, BtfMember>();
    // C finds the first declaration of a name.
    for (const m of list) if (m.name !== '' && !byName.has(m.name)) byName.set(m.name, m);
    flat = { list, byName };
    cache.set(t.id, flat);
  }
  return flat;
}

function flatten(btf: Btf, t: BtfStruct, base: number, out: BtfMember[], visiting: Set<number>): void {
  if (visiting.has(t.id)) throw new BtfTypeError(`Cannot list members of BTF type ${t.id}: ${describe(t)} contains itself`);
  visiting.add(t.id);
  for (const m of t.members) {
    if (m.name === '') {
      const inner = btf.typeById(resolve(btf, m.typeId));
      if (inner.kind === 'struct' || inner.kind === 'union') {
        flatten(btf, inner, base + m.bitOffset, out, visiting);
        continue;
      }
    }
    out.push(normaliseBitfield(btf, { ...m, bitOffset: base + m.bitOffset }));
  }
  visiting.delete(t.id);
}

// Old BTF (no kind_flag) encodes a bitfield as an int type narrower than its storage.
function normaliseBitfield(btf: Btf, m: BtfMember): BtfMember {
  if (m.bitSize !== 0) return m;
  const t = btf.typeById(resolve(btf, m.typeId));
  if (t.kind === 'int' && (t.bits !== t.size * 8 || t.offset !== 0) && t.bits !== 0) {
    return { ...m, bitOffset: m.bitOffset + t.offset, bitSize: t.bits };
  }
  return m;
}

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/;

export function findMember(btf: Btf, structId: number, path: string): BtfFieldLocation {
  let typeId = structId;
  let bitOffset = 0;
  let bitSize = 0;
  const segments = path.split('.');
  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s]!;
    const m = SEGMENT.exec(segment);
    if (!m) throw new BtfTypeError(`Cannot look up field ${path}: ${JSON.stringify(segment)} is not a field name`);
    const [, name, indexes] = m as unknown as [string, string, string];
    const ownerKind = btf.kindOf(resolve(btf, typeId));
    if (ownerKind !== 'struct' && ownerKind !== 'union') {
      const what = s === 0 ? `type ${typeId}` : segments.slice(0, s).join('.');
      throw new BtfTypeError(`Cannot look up field ${path}: ${what} is ${describeType(btf, typeId)}, not a struct or union`);
    }
    const owner = structOf(btf, typeId);
    const flat = flatMembers(btf, owner);
    const found = flat.byName.get(name);
    if (!found) {
      const names = flat.list.map((x) => x.name).filter((x) => x !== '');
      throw new BtfMissingFieldError(cName(owner), name, nearestFirst(name, names));
    }
    bitOffset += found.bitOffset;
    bitSize = found.bitSize;
    typeId = found.typeId;
    for (const idx of indexes.match(/\d+/g) ?? []) {
      const arr = btf.typeById(resolve(btf, typeId));
      if (arr.kind !== 'array') throw new BtfTypeError(`Cannot look up field ${path}: ${name} is ${describeType(btf, typeId)}, not an array`);
      const index = Number(idx);
      if (arr.nelems !== 0 && index >= arr.nelems) {
        throw new BtfTypeError(`Cannot look up field ${path}: index ${index} is past the ${arr.nelems} elements of ${name}`);
      }
      bitOffset += index * sizeOf(btf, arr.typeId) * 8;
      typeId = arr.typeId;
    }
  }
  const size = sizeOf(btf, typeId);
  return { path, byteOffset: Math.floor(bitOffset / 8), bitOffset, bitSize, typeId, size };
}

/** 'struct cfs_rq', 'union bpf_attr', 'struct (anon)' */
export function cName(t: BtfType): string {
  return `${t.kind === 'union' ? 'union' : 'struct'} ${t.name === '' ? '(anon)' : t.name}`;
}

function describeType(btf: Btf, id: number): string {
  try {
    return `'${btf.formatType(id)}'`;
  } catch {
    return describe(btf.typeById(id));
  }
}

function describe(t: BtfType): string {
  return t.name === '' ? `anonymous ${t.kind}` : `${t.kind} ${t.name}`;
}

/** Names sorted by edit distance to `target`, ties kept in declaration order. */
export function nearestFirst(target: string, names: string[]): string[] {
  return names
    .map((name, order) => ({ name, order, d: editDistance(target, name) }))
    .sort((a, b) => a.d - b.d || a.order - b.order)
    .map((x) => x.name);
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
