// Kernel types from BTF as the language's types: integers, pointers, char arrays as strings, and structs and
// unions as `cstruct` whose fields are found on access (anonymous members searched through, offsets summed).
import type { Btf } from '../btf/index.js';
import { int, pointer, string, type IntBits, type SizedType } from './types.js';

export interface CField {
  readonly type: SizedType;
  /** Byte offset of the field's storage from the start of the struct. */
  readonly offset: number;
  /** For bitfields: bit offset inside the loaded storage and width; 0 width for ordinary fields. */
  readonly bitOffset: number;
  readonly bitSize: number;
  /** Bytes the field takes in its struct when that is not its type's size (a script's `char s[N]` is a string[N + 1]). */
  readonly storageSize?: number;
}

function intBits(size: number): IntBits {
  return size <= 1 ? 8 : size === 2 ? 16 : size <= 4 ? 32 : 64;
}

/** The language type of a BTF type (typedefs and qualifiers skipped). */
export function btfToSized(btf: Btf, id: number, depth = 0): SizedType {
  const rid = btf.resolve(id);
  if (rid === 0) return int(64, false);
  const t = btf.typeById(rid);
  switch (t.kind) {
    case 'int':
      return t.bool ? int(8, false) : int(intBits(t.size), t.signed);
    case 'enum':
    case 'enum64':
      return int(intBits(t.size), t.signed);
    case 'ptr': {
      if (depth > 3) return pointer(int(8, false));
      const target = btf.resolve(t.typeId);
      if (target === 0) return pointer(int(8, false));
      const pt = btf.typeById(target);
      if (pt.kind === 'func_proto') return pointer(int(8, false));
      return pointer(btfToSized(btf, target, depth + 1));
    }
    case 'struct':
    case 'union':
      return { kind: 'cstruct', name: `${t.kind} ${t.name}`, btfId: rid, size: t.size };
    case 'array': {
      const et = btf.typeById(btf.resolve(t.typeId));
      if (et.kind === 'int' && et.size === 1) return string(t.nelems);
      return { kind: 'array', element: btfToSized(btf, t.typeId, depth + 1), length: t.nelems };
    }
    case 'fwd':
      return { kind: 'cstruct', name: `${t.union ? 'union' : 'struct'} ${t.name}`, btfId: rid, size: 0 };
    default:
      return int(64, false);
  }
}

/** A field of a struct or union by name, looking inside anonymous members; undefined when there is none. */
export function cField(btf: Btf, structId: number, name: string): CField | undefined {
  const t = btf.typeById(btf.resolve(structId));
  if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
  for (const m of t.members) {
    if (m.name === name) {
      const type = btfToSized(btf, m.typeId);
      if (m.bitSize === 0) return { type, offset: m.bitOffset >> 3, bitOffset: 0, bitSize: 0 };
      // Bitfields are read as the 8 bytes that hold them (or fewer at the struct's end).
      const byte = m.bitOffset >> 3;
      return { type: int(64, false), offset: byte, bitOffset: m.bitOffset - byte * 8, bitSize: m.bitSize };
    }
    if (m.name === '') {
      const inner = cField(btf, m.typeId, name);
      if (inner) return { ...inner, offset: inner.offset + (m.bitOffset >> 3) };
    }
  }
  return undefined;
}

/** A struct or union type by its C name (`struct task_struct`, `task_struct`). */
export function cStructByName(btf: Btf, name: string): SizedType | undefined {
  const m = /^(struct|union)\s+(\S+)$/.exec(name.trim());
  const kind = m ? (m[1] as 'struct' | 'union') : 'struct';
  const bare = m ? m[2]! : name.trim();
  const t = btf.findByName(bare, kind) ?? btf.findByName(bare, 'typedef');
  if (!t) return undefined;
  return btfToSized(btf, t.id);
}
