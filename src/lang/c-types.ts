// Structs and unions the script declares in its C preamble (`struct A { int x[4]; }`), laid out as a C compiler
// on x86-64 would, so that casts like `(struct A *)arg0` can read their fields. They are `cstruct` types with
// negative ids (BTF ids are positive) and their fields are found here instead of in BTF.
import { existsSync } from 'node:fs';
import { machine } from 'node:os';
import { join } from 'node:path';
import type * as A from './ast/index.js';
import type { Btf } from '../btf/index.js';
import { cField, cStructByName, type CField } from './btf-types.js';
import { alignOf, int, NONE, pointer, roundUp, sizeOf, string, type CStructType, type IntBits, type SizedType } from './types.js';

/** A field's type and the room it takes in its struct, which differ for floats and one-dimensional char arrays. */
interface FieldLayout {
  readonly type: SizedType;
  readonly size: number;
  readonly align: number;
}

// bpftrace has no floating-point type: such fields keep their size and alignment and are printed as null.
const FLOAT_SIZES: Record<string, number> = { float: 4, double: 8, 'long double': 16 };

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

/** A definition the preamble cannot be compiled with, found while laying the structs out. */
export interface ScriptTypeError {
  readonly message: string;
  readonly definition: A.CDefinition;
}

/**
 * A C integer type named in a cast or sizeof (`int`, `unsigned long`, `u32`, `size_t`), as the preamble's fields
 * read it; undefined for any other name.
 */
export function cIntegerType(name: string): SizedType | undefined {
  const b = BUILTIN_SIZES[name.replace(/\s+/g, ' ').trim()];
  return b ? int((b[0] * 8) as IntBits, b[1]) : undefined;
}

export class ScriptTypes {
  private readonly byName = new Map<string, ScriptStruct>();
  private readonly byId = new Map<number, ScriptStruct>();
  private readonly declared: readonly string[];
  private redefinesKernelType: boolean | undefined;
  private current: A.CDefinition | undefined;
  readonly errors: ScriptTypeError[] = [];

  constructor(
    defs: readonly (A.CDefinition | A.CPreprocessor)[],
    private readonly btf: () => Btf | undefined,
  ) {
    // Definitions the preprocessor drops (`#ifndef BPFTRACE_HAVE_BTF` fallbacks) do not exist.
    const states = preprocessorStates(defs);
    const records = defs.filter((d, i): d is A.CDefinition => d.kind === 'CDefinition' && d.decl.kind === 'record' && states[i] !== false);
    this.declared = records.flatMap((d) => (d.decl.kind === 'record' && d.decl.name !== undefined ? [`${d.decl.keyword} ${d.decl.name}`] : []));
    for (const d of records) {
      this.current = d;
      this.define(d.decl as A.CRecordDecl);
    }
    this.current = undefined;
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
      const layout = this.fieldLayout(f);
      let t = layout.type;
      const a = packed ? 1 : layout.align;
      align = Math.max(align, a);
      const width = f.bitWidth === undefined ? undefined : Number(f.bitWidth);
      if (width !== undefined && Number.isInteger(width) && width >= 0 && width <= 64 && f.bitWidth !== undefined) {
        const unit = layout.size * 8;
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
        const storage = t.kind === 'string' && layout.size !== sizeOf(t) ? { storageSize: layout.size } : {};
        fields.set(f.name, { type: t, offset: at, bitOffset: 0, bitSize: 0, ...storage });
      }
      bits = 0;
      const end = at + (f.bitWidth !== undefined ? sizeOf(t) : layout.size);
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

  private fieldLayout(f: A.CField): FieldLayout {
    const spec = f.type;
    const floatSize = spec.kind === 'name' && f.pointers === 0 ? FLOAT_SIZES[spec.name.replace(/\s+/g, ' ').trim()] : undefined;
    if (floatSize !== undefined) {
      const count = f.arrays.reduce((n, d) => n * arrayLength(d), 1);
      const type = f.arrays.length === 0 ? NONE : { kind: 'array' as const, element: NONE, length: count };
      return { type, size: floatSize * count, align: floatSize };
    }
    const type = this.fieldType(f);
    // A script's `char s[N]` holds N bytes that need not end in a NUL; bpftrace reads it as string[N + 1] so
    // that all N characters print. BTF's char arrays keep their size.
    if (type.kind === 'string' && f.arrays.length === 1) return { type: string(type.size + 1), size: type.size, align: 1 };
    return { type, size: sizeOf(type), align: alignOf(type) };
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
        const kernel = f.pointers > 0 || this.byName.has(full) ? undefined : this.completeFromBtf(full, f);
        base = this.byName.get(full)?.type ?? kernel ?? { kind: 'cstruct', name: full, btfId: 0, size: 0 };
        if (f.pointers > 0 && (base as CStructType).btfId === 0) base = this.fromBtf(full) ?? base;
      }
    } else {
      base = cIntegerType(spec.name) ?? int(64, false);
    }
    for (let i = 0; i < f.pointers; i++) base = pointer(base);
    for (let i = f.arrays.length - 1; i >= 0; i--) {
      const len = arrayLength(f.arrays[i]);
      base = base.kind === 'int' && base.bits === 8 ? string(len) : { kind: 'array', element: base, length: len };
    }
    return base;
  }

  // A struct held by value must be complete. Like bpftrace, kernel types complete the script's structs only
  // while the script redefines none of them: then every type it uses must be its own.
  private completeFromBtf(name: string, f: A.CField): SizedType | undefined {
    this.redefinesKernelType ??= this.declared.some((n) => this.fromBtf(n) !== undefined);
    const found = this.redefinesKernelType ? undefined : this.fromBtf(name);
    if (found === undefined && this.current !== undefined) {
      const why = this.redefinesKernelType ? ' (the script redefines a kernel type, so kernel types are not used)' : '';
      this.errors.push({ message: `Type error: field '${f.name ?? ''}' has incomplete type '${name}'${why}`, definition: this.current });
    }
    return found;
  }

  private fromBtf(name: string): SizedType | undefined {
    const btf = this.btf();
    return btf ? cStructByName(btf, name) : undefined;
  }
}

function arrayLength(dim: string | undefined): number {
  const n = Number(dim ?? 0);
  return Number.isFinite(n) ? n : 0;
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

/** An `#include` whose header is in none of the include directories. */
export interface MissingInclude {
  readonly directive: A.CPreprocessor;
  readonly header: string;
  /** Offset of the header's opening `<` or `"` in the directive's text. */
  readonly column: number;
  /** The line bpftrace's clang reports it at: the preamble is compiled as `definitions.h` after one line of its own. */
  readonly definitionsLine: number;
}

// Headers bpftrace ships with itself (clang's freestanding headers), found without any system headers.
const BUNDLED_HEADERS = new Set(['stddef.h', 'stdarg.h', 'stdbool.h', 'stdint.h', 'float.h', 'limits.h', 'stdalign.h', 'stdnoreturn.h']);

/** The directories searched for `#include <...>` when no -I is given, as bpftrace searches them. */
export function systemIncludeDirs(): string[] {
  return ['/usr/local/include', '/usr/include', `/usr/include/${machine()}-linux-gnu`];
}

/**
 * Whether the preprocessor compiles each of the preamble's items: true, false (inside `#ifndef
 * BPFTRACE_HAVE_BTF`, as bpfkit always has BTF, or a similar condition on a macro the preamble defines), or
 * undefined when it depends on a condition bpfkit does not evaluate (`#if ...`).
 */
export function preprocessorStates(defs: readonly (A.CDefinition | A.CPreprocessor)[]): (boolean | undefined)[] {
  // One entry per open conditional: whether its lines are compiled, undefined when that is not known.
  const conditions: (boolean | undefined)[] = [];
  const state = (): boolean | undefined => (conditions.includes(false) ? false : conditions.every((c) => c === true) ? true : undefined);
  return defs.map((d) => {
    if (d.kind !== 'CPreprocessor') return state();
    const arg = d.text.replace(/^#\s*[A-Za-z_]+/, '').trim();
    switch (d.directive) {
      case 'if':
        conditions.push(undefined);
        break;
      case 'ifdef':
      case 'ifndef': {
        const defined = arg === 'BPFTRACE_HAVE_BTF' || defs.some((c) => c.kind === 'CPreprocessor' && c.define?.name === arg) ? true : undefined;
        conditions.push(defined === undefined ? undefined : d.directive === 'ifdef' ? defined : !defined);
        break;
      }
      case 'elif':
        if (conditions.length > 0) conditions[conditions.length - 1] = undefined;
        break;
      case 'else': {
        const top = conditions[conditions.length - 1];
        if (conditions.length > 0) conditions[conditions.length - 1] = top === undefined ? undefined : !top;
        break;
      }
      case 'endif':
        conditions.pop();
        break;
      default:
        return state();
    }
    // A conditional directive itself is always read.
    return true;
  });
}

/** The preamble's includes that the preprocessor surely reads and that name no existing file. */
export function missingIncludes(
  defs: readonly (A.CDefinition | A.CPreprocessor)[],
  dirs: readonly string[],
  exists: (path: string) => boolean = existsSync,
): MissingInclude[] {
  const out: MissingInclude[] = [];
  const states = preprocessorStates(defs);
  let line = 2;
  defs.forEach((d, i) => {
    const here = line;
    line += d.text.split('\n').length;
    if (d.kind !== 'CPreprocessor' || d.directive !== 'include' || states[i] !== true) return;
    const m = /^(<([^>]*)>|"([^"]*)")/.exec(d.text.replace(/^#\s*include/, '').trim());
    if (!m) return;
    const header = m[2] ?? m[3]!;
    const searched = m[3] !== undefined ? ['.', ...dirs] : dirs;
    if (header.startsWith('/') ? exists(header) : BUNDLED_HEADERS.has(header) || searched.some((dir) => exists(join(dir, header)))) return;
    out.push({ directive: d, header, column: d.text.indexOf(m[1]!), definitionsLine: here });
  });
  return out;
}
