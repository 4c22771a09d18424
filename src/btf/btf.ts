// The BTF reader: one pass over the type section records where each type starts; names, the name index and
// type objects are built only when asked, so opening the 5.5 MB vmlinux BTF costs a scan of typed arrays.
import { BtfParseError, BtfTypeError } from './errors.js';
import { formatDecl, formatDefinition, formatType } from './format.js';
import { alignOf, findMember, members, resolve, sizeOf } from './layout.js';
import {
  BtfKindCode,
  kindNames,
  maxKindCode,
  type BtfEnumValue,
  type BtfFieldLocation,
  type BtfKind,
  type BtfLinkage,
  type BtfMember,
  type BtfParam,
  type BtfType,
} from './types.js';

const MAGIC = 0xeb9f;
const HEADER_MIN = 24;
const TYPE_HEADER = 12;
const linkages: BtfLinkage[] = ['static', 'global', 'extern'];
const RAW_TP_FUNC_PREFIXES = ['__probestub_', '__traceiter_', '__bpf_trace_'];
const CTYPE_PREFIX = /^(struct|union|enum)\s+(\S+)$/;

/** A parameter list as the listing of fentry or raw tracepoint arguments shows it. */
export interface BtfFunctionSignature {
  /** The FUNC or typedef name the prototype came from. */
  name: string;
  protoId: number;
  returnTypeId: number;
  params: BtfParam[];
}

export interface BtfRawTracepointSignature extends BtfFunctionSignature {
  /** The `btf_trace_<name>` typedef (what tp_btf programs attach by), when BTF has it. */
  typedefId: number | undefined;
}

export interface BtfEnumeratorHit {
  /** The enum (or enum64) type that declares the enumerator. */
  typeId: number;
  value: bigint;
}

export class Btf {
  /** The BTF this one extends (vmlinux, for module BTF), or undefined. */
  readonly base: Btf | undefined;
  /** The first type id this blob defines (1, or one past the base's last id). */
  readonly firstId: number;
  /** The last valid type id, counting the base's types. */
  readonly lastId: number;

  private readonly bytes: Buffer;
  private readonly view: DataView;
  private readonly le: boolean;
  private readonly typeStart: number;
  private readonly strStart: number;
  private readonly strLen: number;
  /** String offsets below this belong to the base's string section. */
  private readonly strBase: number;
  /** The type section as 32-bit words in host order (an aligned copy when the blob is unaligned or big-endian). */
  private readonly words: Uint32Array;
  private readonly offsets: Uint32Array;
  private readonly kinds: Uint8Array;
  private readonly nameOffs: Uint32Array;
  private readonly cache: (BtfType | undefined)[] = [];
  private readonly strings = new Map<number, string>();
  private buckets: Int32Array | undefined;
  private chain: Int32Array | undefined;
  private enumerators: Map<string, BtfEnumeratorHit[]> | undefined;
  private ptrSize: number | undefined;
  private readonly nameLookups = new Map<string, number[]>();

  constructor(bytes: Uint8Array, base?: Btf) {
    // A view, not a copy: the blob must not change while this Btf is in use.
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.base = base;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < HEADER_MIN) throw new BtfParseError(`blob of ${bytes.byteLength} bytes is shorter than the header`);
    const magicLe = this.view.getUint16(0, true);
    if (magicLe === MAGIC) this.le = true;
    else if (this.view.getUint16(0, false) === MAGIC) this.le = false;
    else throw new BtfParseError(`bad magic 0x${magicLe.toString(16)}`, 0);
    const version = bytes[2];
    if (version !== 1) throw new BtfParseError(`unsupported version ${version}`, 2);
    const hdrLen = this.u32(4);
    if (hdrLen < HEADER_MIN || hdrLen > bytes.byteLength) throw new BtfParseError(`header length ${hdrLen} out of range`, 4);
    const typeOff = this.u32(8);
    const typeLen = this.u32(12);
    const strOff = this.u32(16);
    const strLen = this.u32(20);
    this.typeStart = hdrLen + typeOff;
    this.strStart = hdrLen + strOff;
    this.strLen = strLen;
    if (this.typeStart + typeLen > bytes.byteLength) throw new BtfParseError(`type section (${typeLen} bytes) runs past the end`, 8);
    if (this.strStart + strLen > bytes.byteLength) throw new BtfParseError(`string section (${strLen} bytes) runs past the end`, 16);
    if (strLen === 0 && !base) throw new BtfParseError('empty string section', 20);
    if (strLen > 0 && bytes[this.strStart + strLen - 1] !== 0) throw new BtfParseError('string section is not NUL-terminated', this.strStart + strLen - 1);
    if (typeLen % 4 !== 0) throw new BtfParseError(`type section length ${typeLen} is not a multiple of 4`, 12);
    this.words = typeWords(bytes, this.typeStart, typeLen, this.le);
    this.strBase = base ? base.strBase + base.strLen : 0;
    this.firstId = base ? base.lastId + 1 : 1;

    const scanned = this.scan(typeLen);
    this.offsets = scanned.offsets;
    this.kinds = scanned.kinds;
    this.nameOffs = scanned.nameOffs;
    this.lastId = this.firstId + this.offsets.length - 1;
  }

  /** Size in bytes of a pointer: the size of `long` when the BTF has it, else 8. */
  get pointerSize(): number {
    this.ptrSize ??= this.base ? this.base.pointerSize : this.guessPointerSize();
    return this.ptrSize;
  }

  /** Number of types this blob defines (not counting the base's). */
  get ownTypeCount(): number {
    return this.offsets.length;
  }

  private u32(pos: number): number {
    return this.view.getUint32(pos, this.le);
  }

  /** A word of the type section, by byte position in the blob. */
  private w(pos: number): number {
    return this.words[(pos - this.typeStart) >>> 2]!;
  }

  private scan(typeLen: number): { offsets: Uint32Array; kinds: Uint8Array; nameOffs: Uint32Array } {
    // A type takes at least 12 bytes, which bounds the count before we know it.
    const capacity = Math.floor(typeLen / TYPE_HEADER);
    let offsets = new Uint32Array(capacity);
    let kinds = new Uint8Array(capacity);
    let nameOffs = new Uint32Array(capacity);
    const words = this.words;
    const count = words.length;
    const strLimit = this.strBase + this.strLen;
    const start = this.typeStart;
    let w = 0;
    let n = 0;
    while (w < count) {
      if (w + 3 > count) throw new BtfParseError('type record truncated', start + 4 * w);
      const nameOff = words[w]!;
      const info = words[w + 1]!;
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      if (kind === 0 || kind > maxKindCode) throw new BtfParseError(`unknown kind ${kind} for type ${this.firstId + n}`, start + 4 * w);
      if (nameOff >= strLimit) throw new BtfParseError(`name offset ${nameOff} of type ${this.firstId + n} is past the strings`, start + 4 * w);
      offsets[n] = start + 4 * w;
      kinds[n] = kind;
      nameOffs[n] = nameOff;
      n++;
      w += 3 + (extraBytes(kind, vlen) >>> 2);
      if (w > count) throw new BtfParseError(`type ${this.firstId + n - 1} runs past the type section`, offsets[n - 1]);
    }
    if (n < capacity) {
      offsets = offsets.slice(0, n);
      kinds = kinds.slice(0, n);
      nameOffs = nameOffs.slice(0, n);
    }
    return { offsets, kinds, nameOffs };
  }

  private guessPointerSize(): number {
    for (const name of ['long int', 'long unsigned int']) {
      const id = this.idsByName(name, 'int')[0];
      if (id !== undefined) {
        const t = this.typeById(id);
        if (t.kind === 'int' && (t.size === 4 || t.size === 8)) return t.size;
      }
    }
    return 8;
  }

  /** The string at a name offset ('' for offset 0). */
  str(off: number): string {
    if (off < this.strBase) {
      if (!this.base) throw new BtfParseError(`string offset ${off} is below this blob's strings`);
      return this.base.str(off);
    }
    const cached = this.strings.get(off);
    if (cached !== undefined) return cached;
    const local = off - this.strBase;
    if (local >= this.strLen) throw new BtfParseError(`string offset ${off} is past the strings`);
    const start = this.strStart + local;
    const end = this.bytes.indexOf(0, start);
    const s = this.bytes.toString('utf8', start, end);
    this.strings.set(off, s);
    return s;
  }

  /** The kind of a type id, without materialising it. */
  kindOf(id: number): BtfKind {
    if (id === 0) return 'void';
    if (id < this.firstId && this.base) return this.base.kindOf(id);
    const i = id - this.firstId;
    if (i < 0 || i >= this.offsets.length) throw new BtfTypeError(`Cannot find BTF type: id ${id} is out of range 0..${this.lastId}`);
    return kindNames[this.kinds[i]!]!;
  }

  /** The name of a type id ('' for anonymous types), without materialising it. */
  nameOf(id: number): string {
    if (id === 0) return 'void';
    if (id < this.firstId && this.base) return this.base.nameOf(id);
    const i = id - this.firstId;
    if (i < 0 || i >= this.offsets.length) throw new BtfTypeError(`Cannot find BTF type: id ${id} is out of range 0..${this.lastId}`);
    return this.str(this.nameOffs[i]!);
  }

  /** The type with this id; id 0 is void. Throws BtfTypeError for ids this BTF does not have. */
  typeById(id: number): BtfType {
    if (id === 0) return { kind: 'void', id: 0, name: 'void' };
    if (id < this.firstId && this.base) return this.base.typeById(id);
    const i = id - this.firstId;
    if (!Number.isInteger(i) || i < 0 || i >= this.offsets.length) {
      throw new BtfTypeError(`Cannot find BTF type: id ${id} is out of range 0..${this.lastId}`);
    }
    let t = this.cache[i];
    if (!t) {
      t = this.materialise(id, i);
      this.cache[i] = t;
    }
    return t;
  }

  private materialise(id: number, i: number): BtfType {
    const pos = this.offsets[i]!;
    const info = this.w(pos + 4);
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const sizeOrType = this.w(pos + 8);
    const name = this.str(this.nameOffs[i]!);
    const body = pos + TYPE_HEADER;
    const kind = kindNames[this.kinds[i]!]!;
    switch (kind) {
      case 'int': {
        const enc = this.w(body);
        const encoding = (enc >>> 24) & 0x0f;
        return {
          kind, id, name, size: sizeOrType, bits: enc & 0xff, offset: (enc >>> 16) & 0xff,
          signed: (encoding & 1) !== 0, char: (encoding & 2) !== 0, bool: (encoding & 4) !== 0,
        };
      }
      case 'ptr':
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
        return { kind, id, name, typeId: sizeOrType };
      case 'array':
        return { kind, id, name, typeId: this.w(body), indexTypeId: this.w(body + 4), nelems: this.w(body + 8) };
      case 'struct':
      case 'union': {
        const members: BtfMember[] = [];
        for (let k = 0; k < vlen; k++) {
          const m = body + k * 12;
          const off = this.w(m + 8);
          members.push({
            name: this.str(this.w(m)),
            typeId: this.w(m + 4),
            bitOffset: kflag ? off & 0xffffff : off,
            bitSize: kflag ? off >>> 24 : 0,
          });
        }
        return { kind, id, name, size: sizeOrType, members };
      }
      case 'enum':
      case 'enum64': {
        const values: BtfEnumValue[] = [];
        const stride = kind === 'enum' ? 8 : 12;
        for (let k = 0; k < vlen; k++) {
          const e = body + k * stride;
          let value: bigint;
          if (kind === 'enum') {
            value = BigInt(kflag ? this.w(e + 4) | 0 : this.w(e + 4));
          } else {
            const raw = (BigInt(this.w(e + 8)) << 32n) | BigInt(this.w(e + 4));
            value = kflag ? BigInt.asIntN(64, raw) : raw;
          }
          values.push({ name: this.str(this.w(e)), value });
        }
        return { kind, id, name, size: sizeOrType, signed: kflag, values };
      }
      case 'fwd':
        return { kind, id, name, union: kflag };
      case 'func':
        return { kind, id, name, typeId: sizeOrType, linkage: linkages[vlen] ?? 'static' };
      case 'func_proto': {
        const params: BtfParam[] = [];
        for (let k = 0; k < vlen; k++) {
          const p = body + k * 8;
          params.push({ name: this.str(this.w(p)), typeId: this.w(p + 4) });
        }
        return { kind, id, name, returnTypeId: sizeOrType, params };
      }
      case 'var':
        return { kind, id, name, typeId: sizeOrType, linkage: linkages[this.w(body)] ?? 'static' };
      case 'datasec': {
        const vars = [];
        for (let k = 0; k < vlen; k++) {
          const v = body + k * 12;
          vars.push({ typeId: this.w(v), offset: this.w(v + 4), size: this.w(v + 8) });
        }
        return { kind, id, name, size: sizeOrType, vars };
      }
      case 'float':
        return { kind, id, name, size: sizeOrType };
      case 'decl_tag':
        return { kind, id, name, typeId: sizeOrType, componentIdx: this.w(body) | 0 };
      case 'void':
        break;
    }
    throw new BtfParseError(`unknown kind for type ${id}`, pos);
  }

  // Name index: a chained hash table over the raw name bytes, in typed arrays. Chains hold local indexes + 1.
  private buildIndex(): void {
    const n = this.offsets.length;
    let size = 1024;
    while (size < n) size <<= 1;
    const buckets = new Int32Array(size);
    const chain = new Int32Array(n);
    const mask = size - 1;
    const nameOffs = this.nameOffs;
    const own = this.bytes;
    const strStart = this.strStart;
    const strBase = this.strBase;
    // Insert from the last id down so each chain lists ids in ascending order.
    for (let i = n - 1; i >= 0; i--) {
      const off = nameOffs[i]!;
      if (off === 0) continue;
      let h = 0x811c9dc5;
      if (off >= strBase) {
        for (let p = strStart + off - strBase; ; p++) {
          const c = own[p]!;
          if (c === 0) break;
          h = Math.imul(h ^ c, 0x01000193);
        }
      } else {
        h = this.hashAt(off);
      }
      const b = h & mask;
      chain[i] = buckets[b]!;
      buckets[b] = i + 1;
    }
    this.buckets = buckets;
    this.chain = chain;
  }

  private hashAt(off: number): number {
    const [bytes, start] = this.strLocation(off);
    let h = 0x811c9dc5;
    for (let p = start; ; p++) {
      const c = bytes[p]!;
      if (c === 0) break;
      h = Math.imul(h ^ c, 0x01000193);
    }
    return h;
  }

  private strLocation(off: number): [Uint8Array, number] {
    if (off < this.strBase) return this.base!.strLocation(off);
    return [this.bytes, this.strStart + off - this.strBase];
  }

  private nameEquals(off: number, query: Uint8Array): boolean {
    const [bytes, start] = this.strLocation(off);
    const len = query.length;
    if (start + len >= bytes.length) return false;
    for (let k = 0; k < len; k++) if (bytes[start + k] !== query[k]) return false;
    return bytes[start + len] === 0;
  }

  private ownIdsByName(query: Uint8Array, kindCode: number | undefined, out: number[]): void {
    if (!this.buckets) this.buildIndex();
    let h = 0x811c9dc5;
    for (const c of query) h = Math.imul(h ^ c, 0x01000193);
    const buckets = this.buckets!;
    const chain = this.chain!;
    let matchedOff = -1;
    for (let e = buckets[h & (buckets.length - 1)]!; e !== 0; e = chain[e - 1]!) {
      const i = e - 1;
      if (kindCode !== undefined && this.kinds[i] !== kindCode) continue;
      const off = this.nameOffs[i]!;
      if (off === matchedOff || this.nameEquals(off, query)) {
        matchedOff = off;
        out.push(this.firstId + i);
      }
    }
  }

  /**
   * Ids of the types with this name, ascending, this blob's after its base's. `kind` narrows the search;
   * without it, 'struct task_struct', 'union x' and 'enum y' are understood as C spellings.
   */
  idsByName(name: string, kind?: BtfKind): number[] {
    const key = `${kind ?? ''}:${name}`;
    let ids = this.nameLookups.get(key);
    if (!ids) {
      ids = this.lookupName(name, kind);
      this.nameLookups.set(key, ids);
    }
    return ids.slice();
  }

  private lookupName(name: string, kind: BtfKind | undefined): number[] {
    if (kind === undefined) {
      const m = CTYPE_PREFIX.exec(name);
      if (m) {
        const [, prefix, bare] = m as unknown as [string, 'struct' | 'union' | 'enum', string];
        if (prefix !== 'enum') return this.idsByName(bare, prefix);
        return [...this.idsByName(bare, 'enum'), ...this.idsByName(bare, 'enum64')].sort((a, b) => a - b);
      }
    }
    const out: number[] = [];
    if (name === '') return out;
    const query = Buffer.from(name, 'utf8');
    const code = kind === undefined ? undefined : BtfKindCode[kind];
    const chainOfBlobs: Btf[] = [];
    for (let b: Btf | undefined = this; b; b = b.base) chainOfBlobs.unshift(b);
    for (const b of chainOfBlobs) b.ownIdsByName(query, code, out);
    return out;
  }

  /**
   * The first type with this name (of this kind when given), or undefined. Without a kind, a complete
   * struct/union/enum is preferred over a forward declaration of the same name.
   */
  findByName(name: string, kind?: BtfKind): BtfType | undefined {
    const ids = this.idsByName(name, kind);
    if (ids.length === 0) return undefined;
    if (kind === undefined) {
      const complete = ids.find((id) => this.kindOf(id) !== 'fwd');
      if (complete !== undefined) return this.typeById(complete);
    }
    return this.typeById(ids[0]!);
  }

  /** Like findByName, but throws BtfTypeError when there is no such type. */
  getByName(name: string, kind?: BtfKind): BtfType {
    const t = this.findByName(name, kind);
    if (!t) throw new BtfTypeError(`Cannot find BTF type: no ${kind ?? 'type'} named ${name}`);
    return t;
  }

  /** Every type with this name (of this kind when given). */
  findAllByName(name: string, kind?: BtfKind): BtfType[] {
    return this.idsByName(name, kind).map((id) => this.typeById(id));
  }

  /** Every type id, base first, for listings (e.g. all FUNCs). */
  *ids(kind?: BtfKind): Generator<number> {
    if (this.base) yield* this.base.ids(kind);
    const code = kind === undefined ? undefined : BtfKindCode[kind];
    for (let i = 0; i < this.kinds.length; i++) {
      if (code === undefined || this.kinds[i] === code) yield this.firstId + i;
    }
  }

  /** The enumerator with this name: its enum type and value. Throws BtfTypeError when none has it. */
  enumValue(name: string): BtfEnumeratorHit {
    const hit = this.findEnumerators(name)[0];
    if (!hit) throw new BtfTypeError(`Cannot find enum value: no enumerator named ${name}`);
    return hit;
  }

  /** Every enumerator with this name (several enums may declare the same one). */
  findEnumerators(name: string): BtfEnumeratorHit[] {
    if (!this.enumerators) {
      const index = new Map<string, BtfEnumeratorHit[]>();
      for (const kind of ['enum', 'enum64'] as const) {
        for (const id of this.ids(kind)) {
          const t = this.typeById(id);
          if (t.kind !== 'enum' && t.kind !== 'enum64') continue;
          for (const v of t.values) {
            const hits = index.get(v.name);
            if (hits) hits.push({ typeId: id, value: v.value });
            else index.set(v.name, [{ typeId: id, value: v.value }]);
          }
        }
      }
      this.enumerators = index;
    }
    return this.enumerators.get(name) ?? [];
  }

  /** The id reached by skipping typedef, const, volatile, restrict and type_tag. */
  resolve(id: number): number {
    return resolve(this, id);
  }

  /** Size in bytes, as C sizeof. Throws BtfTypeError for void, functions and forward declarations. */
  sizeOf(id: number): number {
    return sizeOf(this, id);
  }

  /** Natural alignment in bytes (1 for a packed struct). */
  alignOf(id: number): number {
    return alignOf(this, id);
  }

  /** Members of a struct or union (through typedefs), anonymous struct/union members flattened as C lookup sees them. */
  members(id: number): BtfMember[] {
    return members(this, id);
  }

  /** Where a field path ('se.cfs_rq', 'thread_info.flags') lands inside a struct or union. */
  findMember(structId: number, path: string): BtfFieldLocation {
    return findMember(this, structId, path);
  }

  /** C type text: 'const char *', 'struct task_struct *', 'int[16]', 'void (*)(int)'. */
  formatType(id: number): string {
    return formatType(this, id);
  }

  /** A declaration as bpftrace lists probe arguments: 'const char * filename'. */
  formatDecl(id: number, name: string): string {
    return formatDecl(this, id, name);
  }

  /** The C definition of a struct, union, enum or typedef, ending in ';' (as `bpftool btf dump format c`). */
  formatDefinition(id: number): string {
    return formatDefinition(this, id);
  }

  /** The prototype of a kernel function (a FUNC), as fentry sees its arguments. */
  funcProto(name: string): BtfFunctionSignature {
    const func = this.findByName(name, 'func');
    if (!func || func.kind !== 'func') throw new BtfTypeError(`Cannot find kernel function ${name}: no FUNC of that name in BTF`);
    const proto = this.typeById(func.typeId);
    if (proto.kind !== 'func_proto') throw new BtfTypeError(`Cannot read prototype of ${name}: type ${func.typeId} is ${proto.kind}, not func_proto`);
    return { name, protoId: proto.id, returnTypeId: proto.returnTypeId, params: proto.params };
  }

  /** Names of the raw tracepoints this BTF describes (from its `btf_trace_<name>` typedefs), sorted. */
  rawTracepointNames(): string[] {
    const names: string[] = [];
    for (const id of this.ids('typedef')) {
      const name = this.nameOf(id);
      if (name.startsWith('btf_trace_')) names.push(name.slice('btf_trace_'.length));
    }
    return names.sort();
  }

  /**
   * Arguments of a raw tracepoint. The `btf_trace_<name>` typedef (the id tp_btf attaches by) points to a
   * prototype without parameter names, so names come from the tracepoint's `__probestub_`/`__traceiter_`/
   * `__bpf_trace_` function when the kernel has one. The first parameter is the tracing context (`void *`),
   * not an argument of the event, and is dropped.
   */
  rawTracepointArgs(name: string): BtfRawTracepointSignature {
    const typedefName = `btf_trace_${name}`;
    const td = this.findByName(typedefName, 'typedef');
    let proto: BtfType | undefined;
    for (const prefix of RAW_TP_FUNC_PREFIXES) {
      const func = this.findByName(prefix + name, 'func');
      if (func?.kind === 'func') {
        proto = this.typeById(func.typeId);
        break;
      }
    }
    if (!proto && td?.kind === 'typedef') {
      const ptr = this.typeById(this.resolve(td.typeId));
      proto = ptr.kind === 'ptr' ? this.typeById(this.resolve(ptr.typeId)) : ptr;
    }
    if (!proto) throw new BtfTypeError(`Cannot find raw tracepoint ${name}: no typedef ${typedefName} in BTF`);
    if (proto.kind !== 'func_proto') {
      throw new BtfTypeError(`Cannot read arguments of raw tracepoint ${name}: its BTF type is a ${proto.kind}, not a function prototype`);
    }
    return {
      name,
      protoId: proto.id,
      returnTypeId: proto.returnTypeId,
      params: proto.params.slice(1),
      typedefId: td?.kind === 'typedef' ? td.id : undefined,
    };
  }
}

function typeWords(bytes: Uint8Array, start: number, length: number, le: boolean): Uint32Array {
  const offset = bytes.byteOffset + start;
  if (le && hostIsLittleEndian && offset % 4 === 0) return new Uint32Array(bytes.buffer, offset, length / 4);
  const words = new Uint32Array(length / 4);
  const view = new DataView(bytes.buffer, offset, length);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, le);
  return words;
}

const hostIsLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case BtfKindCode.int:
    case BtfKindCode.var:
    case BtfKindCode.decl_tag:
      return 4;
    case BtfKindCode.array:
      return 12;
    case BtfKindCode.struct:
    case BtfKindCode.union:
    case BtfKindCode.datasec:
    case BtfKindCode.enum64:
      return 12 * vlen;
    case BtfKindCode.enum:
    case BtfKindCode.func_proto:
      return 8 * vlen;
    default:
      return 0;
  }
}

/** Parse a BTF blob; `base` is the BTF that split (module) BTF extends. */
export function parseBtf(bytes: Uint8Array, base?: Btf): Btf {
  return new Btf(bytes, base);
}
