// The BTF that programs with subprograms (for-loop callbacks) must be loaded with: the kernel wants a BTF FUNC
// for every subprogram (func_info). One small blob serves every program: a `long` type, the main program's
// prototype `long (long ctx)`, the callback prototype `long (long map, long key, long value, long ctx)`, and
// a FUNC of each.

const BTF_MAGIC = 0xeb9f;
const KIND_INT = 1;
const KIND_FUNC = 12;
const KIND_FUNC_PROTO = 13;
const INT_SIGNED = 1;

/** Type ids in FUNC_INFO_BTF. */
export const MAIN_FUNC_TYPE_ID = 4;
export const CALLBACK_FUNC_TYPE_ID = 5;

/** One func_info record: the subprogram's first instruction and its BTF FUNC type id. */
export interface FuncInfo {
  readonly insnOff: number;
  readonly typeId: number;
}

/** Size of one func_info record (bpf_func_info: u32 insn_off, u32 type_id). */
export const FUNC_INFO_REC_SIZE = 8;

function build(): Uint8Array {
  const strings = ['', 'long', 'ctx', 'map', 'key', 'value', 'main', 'callback'];
  const strOff = new Map<string, number>();
  let strLen = 0;
  for (const s of strings) {
    strOff.set(s, strLen);
    strLen += Buffer.byteLength(s) + 1;
  }
  const words: number[] = [];
  const type = (name: string, kind: number, vlen: number, sizeOrType: number) => words.push(strOff.get(name)!, ((kind << 24) | vlen) >>> 0, sizeOrType);
  // 1: long
  type('long', KIND_INT, 0, 8);
  words.push(((INT_SIGNED << 24) | 64) >>> 0);
  // 2: long (long ctx)
  type('', KIND_FUNC_PROTO, 1, 1);
  words.push(strOff.get('ctx')!, 1);
  // 3: long (long map, long key, long value, long ctx)
  type('', KIND_FUNC_PROTO, 4, 1);
  for (const p of ['map', 'key', 'value', 'ctx']) words.push(strOff.get(p)!, 1);
  // 4: main, 5: callback (static linkage)
  type('main', KIND_FUNC, 0, 2);
  type('callback', KIND_FUNC, 0, 3);
  const typeLen = words.length * 4;
  const out = new Uint8Array(24 + typeLen + strLen);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, true);
  dv.setUint8(2, 1);
  dv.setUint8(3, 0);
  dv.setUint32(4, 24, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, typeLen, true);
  dv.setUint32(16, typeLen, true);
  dv.setUint32(20, strLen, true);
  words.forEach((w, i) => dv.setUint32(24 + i * 4, w, true));
  let p = 24 + typeLen;
  for (const s of strings) {
    out.set(Buffer.from(s), p);
    p += Buffer.byteLength(s) + 1;
  }
  return out;
}

/** The BTF blob (load with BPF_BTF_LOAD, pass as prog_btf_fd with the program's func_info). */
export const FUNC_INFO_BTF: Uint8Array = build();
