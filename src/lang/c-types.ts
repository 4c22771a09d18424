// Structs and unions the script declares in its C preamble (`struct A { int x[4]; }`), laid out as a C compiler
// on x86-64 would, so that casts like `(struct A *)arg0` can read their fields. They are `cstruct` types with
// negative ids (BTF ids are positive) and their fields are found here instead of in BTF.
import type * as A from './ast/index.js';
import type { Btf } from '../btf/index.js';
import { cField, cStructByName, type CField } from './btf-types.js';
import { alignOf, int, pointer, roundUp, sizeOf, string, type CStructType, type IntBits, type SizedType } from './types.js';

interface ScriptStruct {
  readonly type: CStructType;
  readonly fields: Map<string, CField>;
  /** Members without a name whose fields are reachable directly. */
  readonly anonymous: { readonly offset: number; readonly struct: ScriptStruct }[];
}

const BUILTIN_SIZES: Record<string, [number, boolean]> = {
  char: [1, true], 'signed char': [1, true], 'unsigned char': [1, false], bool: [1, false], _Bool: [1, false],
  short: [2, true], 'short int': [2, true], 'unsigned short': [2, false], 'unsigned short int': [2, false],
  int: [4, true], signed: [4, true], 'signed int': [4, true], unsigned: [4, false], 'unsigned int': [4, false],
  long: [8, true], 'long int': [8, true], 'unsigned long': [8, false], 'unsigned long int': [8, false],
  'long long': [8, true], 'long long int': [8, true], 'unsigned long long': [8, false], 'unsigned long long int': [8, false],
  u8: [1, false], u16: [2, false], u32: [4, false], u64: [8, false], s8: [1, true], s16: [2, true], s32: [4, true], s64: [8, true],
  __u8: [1, false], __u16: [2, false], __u32: [4, false], __u64: [8, false], __s8: [1, true], __s16: [2, true], __s32: [4, true], __s64: [8, true],
  uint8_t: [1, false], uint16_t: [2, false], uint32_t: [4, false], uint64_t: [8, false], int8_t: [1, true], int16_t: [2, true], int32_t: [4, true], int64_t: [8, true],
  size_t: [8, false], ssize_t: [8, true], pid_t: [4, true], uid_t: [4, false], gid_t: [4, false], loff_t: [8, true], off_t: [8, true],
  uint8: [1, false], uint16: [2, false], uint32: [4, false], uint64: [8, false], int8: [1, true], int16: [2, true], int32: [4, true], int64: [8, true],
};

export class ScriptTypes {
  private readonly byName = new Map<string, ScriptStruct>();
  private readonly byId = new Map<number, ScriptStruct>();

  constructor(
    defs: readonly (A.CDefinition | A.CPreprocessor)[],
    private readonly btf: () => Btf | undefined,
  ) {
    for (const d of defs) if (d.kind === 'CDefinition' && d.decl.kind === 'record') this.define(d.decl);
  }

  /** `struct A` (or `A`) when the script declares it. */
  struct(name: string): CStructType | undefined {
    const m = /^(struct|union)\s+(\S+)$/.exec(name.trim());
    return this.byName.get(m ? `${m[1]} ${m[2]}` : `struct ${name.trim()}`)?.type;
  }

  /** A field of a script struct (searching anonymous members), or of a BTF struct. */
  field(t: CStructType, name: string): CField | undefined {
    const s = this.byId.get(t.btfId);
    if (!s) {
      const btf = this.btf();
      return btf && t.btfId > 0 ? cField(btf, t.btfId, name) : undefined;
    }
    return findField(s, name);
  }

  /** Every named field of a struct in order (anonymous members' fields inlined), or undefined if unknown. */
  fields(t: CStructType): { name: string; field: CField }[] | undefined {
    const s = this.byId.get(t.btfId);
    if (s) {
      const out: { name: string; field: CField }[] = [];
      const add = (st: ScriptStruct, base: number) => {
        for (const [name, f] of st.fields) out.push({ name, field: { ...f, offset: f.offset + base } });
        for (const a of st.anonymous) add(a.struct, base + a.offset);
      };
      add(s, 0);
      return out;
    }
    const btf = this.btf();
    if (!btf || t.btfId <= 0) return undefined;
    const out: { name: string; field: CField }[] = [];
    const add = (id: number, base: number) => {
      for (const m of btf.members(btf.resolve(id))) {
        if (m.name === '') add(m.typeId, base + (m.bitOffset >> 3));
        else {
          const f = cField(btf, id, m.name);
          if (f) out.push({ name: m.name, field: { ...f, offset: f.offset + base } });
        }
      }
    };
    add(t.btfId, 0);
    return out;
  }

  private define(decl: A.CRecordDecl): ScriptStruct {
    const fields = new Map<string, CField>();
    const anonymous: ScriptStruct['anonymous'] = [];
    let off = 0;
    let align = 1;
    let size = 0;
    // packed: no padding anywhere (alignment 1), as GCC and clang lay such structs out.
    const packed = decl.attributes.some((a) => /\bpacked\b|__packed__/.test(a));
    // Bitfields fill the storage unit of their declared type; `bits` is the bit position after the last one.
    let bits = 0;
    for (const f of decl.fields) {
      let t = this.fieldType(f);
      const a = packed ? 1 : alignOf(t);
      align = Math.max(align, a);
      const width = f.bitWidth === undefined ? undefined : Number(f.bitWidth);
      if (width !== undefined && Number.isInteger(width) && width >= 0 && width <= 64 && f.bitWidth !== undefined) {
        const unit = sizeOf(t) * 8;
        let pos = decl.keyword === 'union' ? 0 : Math.max(bits, off * 8);
        // A field that would straddle its unit (or `:0`) starts the next unit, as GCC lays them out on x86-64.
        if (width === 0 || (!packed && Math.floor(pos / unit) !== Math.floor((pos + width - 1) / unit))) pos = roundUp(pos, unit);
        if (f.name !== undefined && width > 0) {
          const byte = Math.floor(pos / 8);
          fields.set(f.name, { type: int(64, false), offset: byte, bitOffset: pos - byte * 8, bitSize: width });
        }
        size = Math.max(size, Math.ceil((pos + width) / 8));
        if (decl.keyword !== 'union') bits = pos + width;
        continue;
      }
      if (bits > off * 8) off = Math.ceil(bits / 8);
      const at = decl.keyword === 'union' ? 0 : roundUp(off, a);
      if (f.name === undefined) {
        if (f.type.kind === 'inline' && f.type.decl.kind === 'record') {
          const inner = this.byId.get((t as CStructType).btfId);
          if (inner) anonymous.push({ offset: at, struct: inner });
        }
      } else {
        if (f.bitWidth !== undefined) t = int(64, false);
        fields.set(f.name, { type: t, offset: at, bitOffset: 0, bitSize: 0 });
      }
      bits = 0;
      const end = at + sizeOf(t);
      size = Math.max(size, end);
      if (decl.keyword !== 'union') off = end;
    }
    // Numbered after the fields: inline structs among them are defined (and numbered) first.
    const id = -(this.byId.size + 1);
    const name = `${decl.keyword} ${decl.name ?? `anon${-id}`}`;
    const s: ScriptStruct = { type: { kind: 'cstruct', name, btfId: id, size: roundUp(size, align), align }, fields, anonymous };
    this.byId.set(id, s);
    if (decl.name !== undefined) this.byName.set(name, s);
    return s;
  }

  private fieldType(f: A.CField): SizedType {
    let base: SizedType;
    const spec = f.type;
    if (spec.kind === 'inline') {
      base = spec.decl.kind === 'record' ? this.define(spec.decl).type : int(32, false);
    } else if (spec.kind === 'tagged') {
      if (spec.keyword === 'enum') base = int(32, false);
      else {
        const full = `${spec.keyword} ${spec.name}`;
        base = this.byName.get(full)?.type ?? (f.pointers > 0 ? undefined : this.fromBtf(full)) ?? { kind: 'cstruct', name: full, btfId: 0, size: 0 };
        if (f.pointers > 0 && (base as CStructType).btfId === 0) base = this.fromBtf(full) ?? base;
      }
    } else {
      const b = BUILTIN_SIZES[spec.name.replace(/\s+/g, ' ').trim()];
      base = b ? int((b[0] * 8) as IntBits, b[1]) : int(64, false);
    }
    for (let i = 0; i < f.pointers; i++) base = pointer(base);
    for (let i = f.arrays.length - 1; i >= 0; i--) {
      const n = Number(f.arrays[i] ?? 0);
      const len = Number.isFinite(n) ? n : 0;
      base = base.kind === 'int' && base.bits === 8 ? string(len) : { kind: 'array', element: base, length: len };
    }
    return base;
  }

  private fromBtf(name: string): SizedType | undefined {
    const btf = this.btf();
    return btf ? cStructByName(btf, name) : undefined;
  }
}

function findField(s: ScriptStruct, name: string): CField | undefined {
  const f = s.fields.get(name);
  if (f) return f;
  for (const a of s.anonymous) {
    const inner = findField(a.struct, name);
    if (inner) return { ...inner, offset: inner.offset + a.offset };
  }
  return undefined;
}
