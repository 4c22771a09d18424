// Layouts of the `union bpf_attr` variants and info structs bpfkit uses, as typed writers and readers.
// Offsets are facts from linux/bpf.h; bpf-attr.test.ts checks them against the running kernel's BTF.

/** A field: byte offset, and its kind (u32, u64, or a fixed-size byte array such as a name). */
export interface Field {
  readonly offset: number;
  readonly kind: 'u32' | 'u64' | 'bytes';
  /** Size in bytes for 'bytes' fields. */
  readonly size?: number;
}

export interface Layout<F extends Record<string, Field>> {
  /** The member of union bpf_attr (or the struct) this describes, for the BTF check. */
  readonly cName: string;
  readonly size: number;
  readonly fields: F;
}

/** A value for a field: numbers and bigints for integers (pointers are bigint addresses), bytes for arrays. */
export type FieldValue = number | bigint | Uint8Array;
export type Values<F extends Record<string, Field>> = { readonly [K in keyof F]?: FieldValue };
export type Decoded<F extends Record<string, Field>> = {
  readonly [K in keyof F]: F[K]['kind'] extends 'u64' ? bigint : F[K]['kind'] extends 'u32' ? number : Uint8Array;
};

const u32 = (offset: number) => ({ offset, kind: 'u32' }) as const;
const u64 = (offset: number) => ({ offset, kind: 'u64' }) as const;
const bytes = (offset: number, size: number) => ({ offset, kind: 'bytes', size }) as const;

function layout<F extends Record<string, Field>>(cName: string, size: number, fields: F): Layout<F> {
  return { cName, size, fields };
}

export const BPF_OBJ_NAME_LEN = 16;

export const MapCreateAttr = layout('map_create', 80, {
  mapType: u32(0),
  keySize: u32(4),
  valueSize: u32(8),
  maxEntries: u32(12),
  mapFlags: u32(16),
  innerMapFd: u32(20),
  numaNode: u32(24),
  mapName: bytes(28, BPF_OBJ_NAME_LEN),
  mapIfindex: u32(44),
  btfFd: u32(48),
  btfKeyTypeId: u32(52),
  btfValueTypeId: u32(56),
  btfVmlinuxValueTypeId: u32(60),
  mapExtra: u64(64),
});

export const MapElemAttr = layout('map_elem', 32, {
  mapFd: u32(0),
  key: u64(8),
  /** `value` or `next_key`, which share the slot. */
  value: u64(16),
  flags: u64(24),
});

export const MapBatchAttr = layout('batch', 56, {
  inBatch: u64(0),
  outBatch: u64(8),
  keys: u64(16),
  values: u64(24),
  count: u32(32),
  mapFd: u32(36),
  elemFlags: u64(40),
  flags: u64(48),
});

export const ProgLoadAttr = layout('prog_load', 152, {
  progType: u32(0),
  insnCnt: u32(4),
  insns: u64(8),
  license: u64(16),
  logLevel: u32(24),
  logSize: u32(28),
  logBuf: u64(32),
  kernVersion: u32(40),
  progFlags: u32(44),
  progName: bytes(48, BPF_OBJ_NAME_LEN),
  progIfindex: u32(64),
  expectedAttachType: u32(68),
  progBtfFd: u32(72),
  funcInfoRecSize: u32(76),
  funcInfo: u64(80),
  funcInfoCnt: u32(88),
  lineInfoRecSize: u32(92),
  lineInfo: u64(96),
  lineInfoCnt: u32(104),
  attachBtfId: u32(108),
  /** `attach_prog_fd` or `attach_btf_obj_fd`, which share the slot. */
  attachBtfObjFd: u32(112),
  coreReloCnt: u32(116),
  fdArray: u64(120),
  coreRelos: u64(128),
  coreReloRecSize: u32(136),
  logTrueSize: u32(140),
});

export const ObjPinAttr = layout('obj_pin', 24, {
  pathname: u64(0),
  bpfFd: u32(8),
  fileFlags: u32(12),
  pathFd: u32(16),
});

export const TestRunAttr = layout('test', 80, {
  progFd: u32(0),
  retval: u32(4),
  dataSizeIn: u32(8),
  dataSizeOut: u32(12),
  dataIn: u64(16),
  dataOut: u64(24),
  repeat: u32(32),
  duration: u32(36),
  ctxSizeIn: u32(40),
  ctxSizeOut: u32(44),
  ctxIn: u64(48),
  ctxOut: u64(56),
  flags: u32(64),
  cpu: u32(68),
  batchSize: u32(72),
});

export const InfoByFdAttr = layout('info', 16, {
  bpfFd: u32(0),
  infoLen: u32(4),
  info: u64(8),
});

export const EnableStatsAttr = layout('enable_stats', 8, {
  type: u32(0),
});

/** BPF_LINK_CREATE; the tail is a union whose members are named by the attach kind. */
export const LinkCreateAttr = layout('link_create', 64, {
  progFd: u32(0),
  /** `target_fd` or `target_ifindex`. */
  targetFd: u32(4),
  attachType: u32(8),
  flags: u32(12),
  /** tracing / tp_btf: `target_btf_id`. */
  targetBtfId: u32(16),
  /** perf_event: `perf_event.bpf_cookie`. */
  perfEventBpfCookie: u64(16),
  /** tracing: `tracing.cookie`. */
  tracingCookie: u64(24),
  kprobeMultiFlags: u32(16),
  kprobeMultiCnt: u32(20),
  kprobeMultiSyms: u64(24),
  kprobeMultiAddrs: u64(32),
  kprobeMultiCookies: u64(40),
  uprobeMultiPath: u64(16),
  uprobeMultiOffsets: u64(24),
  uprobeMultiRefCtrOffsets: u64(32),
  uprobeMultiCookies: u64(40),
  uprobeMultiCnt: u32(48),
  uprobeMultiFlags: u32(52),
  uprobeMultiPid: u32(56),
});

export const BtfLoadAttr = layout('btf_load', 40, {
  btf: u64(0),
  btfLogBuf: u64(8),
  btfSize: u32(16),
  btfLogSize: u32(20),
  btfLogLevel: u32(24),
  btfLogTrueSize: u32(28),
  btfFlags: u32(32),
  btfTokenFd: u32(36),
});

export const RawTracepointOpenAttr = layout('raw_tracepoint', 24, {
  name: u64(0),
  progFd: u32(8),
  cookie: u64(16),
});

export const TaskFdQueryAttr = layout('task_fd_query', 48, {
  pid: u32(0),
  fd: u32(4),
  flags: u32(8),
  bufLen: u32(12),
  buf: u64(16),
  progId: u32(24),
  fdType: u32(28),
  probeOffset: u64(32),
  probeAddr: u64(40),
});

/** struct bpf_prog_info (read with BPF_OBJ_GET_INFO_BY_FD). */
export const ProgInfoLayout = layout('bpf_prog_info', 232, {
  type: u32(0),
  id: u32(4),
  tag: bytes(8, 8),
  jitedProgLen: u32(16),
  xlatedProgLen: u32(20),
  jitedProgInsns: u64(24),
  xlatedProgInsns: u64(32),
  loadTime: u64(40),
  createdByUid: u32(48),
  nrMapIds: u32(52),
  mapIds: u64(56),
  name: bytes(64, BPF_OBJ_NAME_LEN),
  ifindex: u32(80),
  netnsDev: u64(88),
  netnsIno: u64(96),
  btfId: u32(128),
  runTimeNs: u64(192),
  runCnt: u64(200),
  recursionMisses: u64(208),
  verifiedInsns: u32(216),
  attachBtfObjId: u32(220),
  attachBtfId: u32(224),
});

/** struct bpf_map_info. */
export const MapInfoLayout = layout('bpf_map_info', 104, {
  type: u32(0),
  id: u32(4),
  keySize: u32(8),
  valueSize: u32(12),
  maxEntries: u32(16),
  mapFlags: u32(20),
  name: bytes(24, BPF_OBJ_NAME_LEN),
  ifindex: u32(40),
  btfVmlinuxValueTypeId: u32(44),
  netnsDev: u64(48),
  netnsIno: u64(56),
  btfId: u32(64),
  btfKeyTypeId: u32(68),
  btfValueTypeId: u32(72),
  btfVmlinuxId: u32(76),
  mapExtra: u64(80),
});

/** BPF_ENABLE_STATS types. */
export const BpfStatsType = { RUN_TIME: 0 } as const;

/** Writes `values` into a zeroed buffer of the layout's size; unset fields stay zero, as the kernel requires. */
export function encodeAttr<F extends Record<string, Field>>(l: Layout<F>, values: Values<F>): Uint8Array {
  const out = new Uint8Array(l.size);
  const view = new DataView(out.buffer);
  for (const key of Object.keys(values) as (keyof F & string)[]) {
    const v = values[key];
    if (v === undefined) continue;
    const f = l.fields[key];
    if (f === undefined) throw new Error(`Unknown field ${key} in ${l.cName}`);
    writeField(view, out, f, v, `${l.cName}.${key}`);
  }
  return out;
}

/** Reads every field of the layout from `buf` (a kernel-filled struct; shorter buffers read as zero past their end). */
export function decodeAttr<F extends Record<string, Field>>(l: Layout<F>, buf: Uint8Array): Decoded<F> {
  const padded = buf.byteLength >= l.size ? buf : padTo(buf, l.size);
  const view = new DataView(padded.buffer, padded.byteOffset, padded.byteLength);
  const out: Record<string, number | bigint | Uint8Array> = {};
  for (const [key, f] of Object.entries(l.fields)) {
    if (f.kind === 'u32') out[key] = view.getUint32(f.offset, true);
    else if (f.kind === 'u64') out[key] = view.getBigUint64(f.offset, true);
    else out[key] = padded.slice(f.offset, f.offset + (f.size ?? 0));
  }
  return out as Decoded<F>;
}

/** Reads one u32 field back, e.g. an out-parameter the kernel wrote into an attr (test_run.retval, batch.count). */
export function readU32<F extends Record<string, Field>>(l: Layout<F>, buf: Uint8Array, key: keyof F): number {
  const f = l.fields[key];
  if (f === undefined || f.kind !== 'u32') throw new Error(`Field ${String(key)} of ${l.cName} is not a u32`);
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(f.offset, true);
}

/** Overwrites one field of an encoded attr in place (for retries that change only a size or a pointer). */
export function writeAttrField<F extends Record<string, Field>>(l: Layout<F>, buf: Uint8Array, key: keyof F, v: FieldValue): void {
  const f = l.fields[key];
  if (f === undefined) throw new Error(`Unknown field ${String(key)} in ${l.cName}`);
  writeField(new DataView(buf.buffer, buf.byteOffset, buf.byteLength), buf, f, v, `${l.cName}.${String(key)}`);
}

function writeField(view: DataView, out: Uint8Array, f: Field, v: FieldValue, where: string): void {
  if (f.kind === 'bytes') {
    if (!(v instanceof Uint8Array)) throw new Error(`Field ${where} takes bytes`);
    out.set(v.subarray(0, f.size ?? 0), f.offset);
  } else if (v instanceof Uint8Array) {
    throw new Error(`Field ${where} takes a number`);
  } else if (f.kind === 'u32') {
    view.setUint32(f.offset, Number(v) >>> 0, true);
  } else {
    view.setBigUint64(f.offset, BigInt.asUintN(64, BigInt(v)), true);
  }
}

function padTo(buf: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(buf);
  return out;
}

/** A NUL-terminated C string, for pointer fields such as license, pathname and tracepoint names. */
export function cString(s: string): Uint8Array {
  const enc = new TextEncoder().encode(s);
  const out = new Uint8Array(enc.length + 1);
  out.set(enc);
  return out;
}

/** Reads a NUL-terminated name out of a fixed-size byte field. */
export function fromCString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
}
