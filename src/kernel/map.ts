// BPF maps: create, look up, update, delete, iterate (batched where the kernel can), per-CPU values, freeze, pin.
import { BpfCmd, Errno, MapType, sys, SysError, UpdateFlags } from '../sys/index.js';
import {
  decodeAttr,
  encodeAttr,
  fromCString,
  InfoByFdAttr,
  MapBatchAttr,
  MapCreateAttr,
  MapElemAttr,
  MapInfoLayout,
  readU32,
} from '../sys/bpf-attr.js';
import { possibleCpus } from './cpus.js';
import { rethrow } from './errors.js';
import { getPinned, pinObject } from './pin.js';

export interface MapSpec {
  /** Shown by bpftool and in errors; sanitized to the kernel's 15 characters of [A-Za-z0-9_.]. */
  name?: string;
  type: MapType;
  keySize: number;
  /** For per-CPU maps: the size of one CPU's value (the kernel rounds each slot up to 8 bytes). */
  valueSize: number;
  maxEntries: number;
  flags?: number;
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
}

export interface MapInfo {
  id: number;
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

const PERCPU_TYPES: ReadonlySet<number> = new Set([MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH, MapType.PERCPU_CGROUP_STORAGE]);

const ARRAY_TYPES: ReadonlySet<number> = new Set([MapType.ARRAY, MapType.PERCPU_ARRAY]);

/** The kernel accepts 15 characters of [A-Za-z0-9_.] in object names; anything else becomes '_'. */
export function sanitizeObjectName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 15);
}

function nameBytes(name: string): Uint8Array {
  return new TextEncoder().encode(sanitizeObjectName(name));
}

function isMissing(err: unknown): boolean {
  return err instanceof SysError && err.errno === Errno.ENOENT;
}

/** Errors that mean "this kernel or map type has no batch operations". */
function isBatchUnsupported(err: unknown): boolean {
  return err instanceof SysError && (err.errno === Errno.EINVAL || err.errno === Errno.ENOTSUPP || err.errno === Errno.EOPNOTSUPP);
}

export class BpfMap {
  readonly fd: number;
  readonly spec: MapSpec;
  readonly name: string;
  /** Bytes of one value as the syscalls carry it: for per-CPU maps, one 8-byte-aligned slot per possible CPU. */
  readonly valueBytes: number;
  private closed = false;

  constructor(fd: number, spec: MapSpec) {
    this.fd = fd;
    this.spec = spec;
    this.name = sanitizeObjectName(spec.name ?? '');
    this.valueBytes = this.isPerCpu ? perCpuSlot(spec.valueSize) * possibleCpus().length : spec.valueSize;
  }

  get isPerCpu(): boolean {
    return PERCPU_TYPES.has(this.spec.type);
  }

  private get label(): string {
    return this.name === '' ? `map fd ${this.fd}` : `map ${this.name}`;
  }

  private requirePerCpu(what: string): void {
    if (!this.isPerCpu) throw new TypeError(`${what} needs a per-CPU map: ${this.label} is of type ${this.spec.type}`);
  }

  private checkKey(key: Uint8Array): void {
    if (key.byteLength !== this.spec.keySize) {
      throw new RangeError(`Key for ${this.label} is ${key.byteLength} bytes: the map's keys are ${this.spec.keySize} bytes`);
    }
  }

  /** The value for `key`, or undefined when absent. Per-CPU maps give every CPU's slot back to back (see lookupPerCpu). */
  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const value = new Uint8Array(this.valueBytes);
    const attr = encodeAttr(MapElemAttr, { mapFd: this.fd, key: addr(key), value: addr(value) });
    try {
      sys().bpf(BpfCmd.MAP_LOOKUP_ELEM, attr);
    } catch (err) {
      if (isMissing(err)) return undefined;
      rethrow(err, `Cannot look up a key in ${this.label}`);
    }
    return value;
  }

  /** One value per possible CPU, each `spec.valueSize` bytes, or undefined when the key is absent. */
  lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    this.requirePerCpu('lookupPerCpu');
    const raw = this.lookup(key);
    return raw === undefined ? undefined : this.splitPerCpu(raw);
  }

  /** Splits a raw per-CPU value (as from lookup or entries) into one value per CPU. */
  splitPerCpu(raw: Uint8Array): Uint8Array[] {
    const slot = perCpuSlot(this.spec.valueSize);
    const out: Uint8Array[] = [];
    for (let at = 0; at + slot <= raw.byteLength; at += slot) out.push(raw.slice(at, at + this.spec.valueSize));
    return out;
  }

  /** Sets `key` to `value` (for per-CPU maps either one value for every CPU or the full raw buffer). */
  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlags.ANY): void {
    this.checkKey(key);
    let raw = value;
    if (this.isPerCpu && value.byteLength === this.spec.valueSize && value.byteLength !== this.valueBytes) {
      raw = joinPerCpu(possibleCpus().map(() => value), this.spec.valueSize);
    }
    if (raw.byteLength !== this.valueBytes) {
      throw new RangeError(`Value for ${this.label} is ${value.byteLength} bytes: expected ${this.spec.valueSize}${this.isPerCpu ? ` or ${this.valueBytes}` : ''}`);
    }
    const attr = encodeAttr(MapElemAttr, { mapFd: this.fd, key: addr(key), value: addr(raw), flags });
    try {
      sys().bpf(BpfCmd.MAP_UPDATE_ELEM, attr);
    } catch (err) {
      rethrow(err, `Cannot update ${this.label}`, updateHint(err));
    }
  }

  /** Sets a per-CPU key to a different value on each CPU (one entry per possible CPU). */
  updatePerCpu(key: Uint8Array, values: readonly Uint8Array[], flags: number = UpdateFlags.ANY): void {
    this.requirePerCpu('updatePerCpu');
    if (values.length !== possibleCpus().length) {
      throw new RangeError(`updatePerCpu on ${this.label} needs ${possibleCpus().length} values, one per possible CPU: got ${values.length}`);
    }
    this.update(key, joinPerCpu(values, this.spec.valueSize), flags);
  }

  /** Removes `key`; false when it was absent. */
  delete(key: Uint8Array): boolean {
    this.checkKey(key);
    const attr = encodeAttr(MapElemAttr, { mapFd: this.fd, key: addr(key) });
    try {
      sys().bpf(BpfCmd.MAP_DELETE_ELEM, attr);
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      rethrow(err, `Cannot delete a key from ${this.label}`);
    }
  }

  /** The key after `key` (or the first key when undefined); undefined at the end. */
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const next = new Uint8Array(this.spec.keySize);
    const attr = encodeAttr(MapElemAttr, { mapFd: this.fd, key: key === undefined ? 0n : addr(key), value: addr(next) });
    try {
      sys().bpf(BpfCmd.MAP_GET_NEXT_KEY, attr);
    } catch (err) {
      if (isMissing(err)) return undefined;
      rethrow(err, `Cannot iterate ${this.label}`);
    }
    return next;
  }

  *keys(): IterableIterator<Uint8Array> {
    for (let k = this.nextKey(undefined); k !== undefined; k = this.nextKey(k)) yield k;
  }

  /** Key and value pairs by get_next_key + lookup; keys deleted meanwhile are skipped. */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v !== undefined) yield [k, v];
    }
  }

  /**
   * Every entry in one pass: BPF_MAP_LOOKUP_BATCH when the kernel has it for this map type, else get_next_key +
   * lookup. `batch: false` forces the fallback; `batch: true` refuses to fall back.
   */
  readAll(opts: { batch?: boolean } = {}): Array<[Uint8Array, Uint8Array]> {
    if (opts.batch !== false) {
      try {
        return this.lookupBatch();
      } catch (err) {
        if (opts.batch === true || !isBatchUnsupported(err)) throw err;
      }
    }
    return [...this.entries()];
  }

  /** BPF_MAP_LOOKUP_BATCH over the whole map; throws SysError (EINVAL/ENOTSUPP) where unsupported. */
  lookupBatch(chunk = 256): Array<[Uint8Array, Uint8Array]> {
    const out: Array<[Uint8Array, Uint8Array]> = [];
    const { keySize } = this.spec;
    // The batch token is opaque: hash maps use a u32 bucket index, arrays a key.
    const tokenSize = Math.max(keySize, 8);
    let inBatch: Uint8Array | undefined;
    let count = Math.max(1, Math.min(chunk, this.spec.maxEntries));
    for (;;) {
      const outBatch = new Uint8Array(tokenSize);
      const keys = new Uint8Array(keySize * count);
      const values = new Uint8Array(this.valueBytes * count);
      const attr = encodeAttr(MapBatchAttr, {
        inBatch: inBatch === undefined ? 0n : addr(inBatch),
        outBatch: addr(outBatch),
        keys: addr(keys),
        values: addr(values),
        count,
        mapFd: this.fd,
      });
      let done = false;
      try {
        sys().bpf(BpfCmd.MAP_LOOKUP_BATCH, attr);
      } catch (err) {
        // ENOENT: the walk reached the end (possibly with a final partial batch in `count`).
        if (isMissing(err)) done = true;
        // ENOSPC: a hash bucket holds more entries than `count`; retry the same position with room for more.
        else if (err instanceof SysError && err.errno === Errno.ENOSPC && count < this.spec.maxEntries) {
          count = Math.min(count * 2, this.spec.maxEntries);
          continue;
        } else rethrow(err, `Cannot batch-read ${this.label}`);
      }
      const got = readU32(MapBatchAttr, attr, 'count');
      for (let i = 0; i < got; i++) {
        out.push([keys.slice(i * keySize, (i + 1) * keySize), values.slice(i * this.valueBytes, (i + 1) * this.valueBytes)]);
      }
      if (done) return out;
      inBatch = outBatch;
    }
  }

  /** Removes every entry (arrays, whose entries cannot be removed, are zeroed instead). */
  clear(): void {
    if (ARRAY_TYPES.has(this.spec.type)) {
      this.zero();
      return;
    }
    // Collect first: deleting while walking with get_next_key can restart the walk on hash maps.
    for (const k of [...this.keys()]) this.delete(k);
  }

  /** Sets every present value to zero bytes, keeping the keys. */
  zero(): void {
    const zeros = new Uint8Array(this.valueBytes);
    for (const k of [...this.keys()]) {
      try {
        this.update(k, zeros, UpdateFlags.EXIST);
      } catch (err) {
        // Deleted by a program since the walk: nothing to zero.
        if (!(err instanceof SysError && err.errno === Errno.ENOENT)) throw err;
      }
    }
  }

  /** Makes the map read-only from user space (programs can still write); later updates fail with EPERM. */
  freeze(): void {
    try {
      sys().bpf(BpfCmd.MAP_FREEZE, encodeAttr(MapElemAttr, { mapFd: this.fd }));
    } catch (err) {
      rethrow(err, `Cannot freeze ${this.label}`);
    }
  }

  /** Pins the map in bpffs (mounting /sys/fs/bpf when needed); openPinnedMap(path) opens it again. */
  pin(path: string): void {
    pinObject(this.fd, path, this.label);
  }

  info(): MapInfo {
    const buf = new Uint8Array(MapInfoLayout.size);
    const attr = encodeAttr(InfoByFdAttr, { bpfFd: this.fd, infoLen: buf.byteLength, info: addr(buf) });
    try {
      sys().bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr);
    } catch (err) {
      rethrow(err, `Cannot read info of ${this.label}`);
    }
    return mapInfoFrom(buf);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    sys().close(this.fd);
  }
}

function mapInfoFrom(buf: Uint8Array): MapInfo {
  const d = decodeAttr(MapInfoLayout, buf);
  return { id: d.id, name: fromCString(d.name), type: d.type, keySize: d.keySize, valueSize: d.valueSize, maxEntries: d.maxEntries, flags: d.mapFlags };
}

function updateHint(err: unknown): string | undefined {
  if (!(err instanceof SysError)) return undefined;
  if (err.errno === Errno.EPERM) return 'the map is frozen, or this needs root or CAP_BPF';
  if (err.errno === Errno.E2BIG) return 'the map is full';
  if (err.errno === Errno.EEXIST) return 'the key exists and NOEXIST was asked';
  if (err.errno === Errno.ENOENT) return 'the key is absent and EXIST was asked';
  return undefined;
}

function addr(buf: Uint8Array): bigint {
  return sys().address(buf);
}

function perCpuSlot(valueSize: number): number {
  return Math.ceil(valueSize / 8) * 8;
}

function joinPerCpu(values: readonly Uint8Array[], valueSize: number): Uint8Array {
  const slot = perCpuSlot(valueSize);
  const out = new Uint8Array(slot * values.length);
  values.forEach((v, i) => out.set(v.subarray(0, valueSize), i * slot));
  return out;
}

/** Sums little-endian u64 values (e.g. the per-CPU slots of a counter). */
export function sumU64(values: readonly Uint8Array[]): bigint {
  let total = 0n;
  for (const v of values) total += new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(0, true);
  return total;
}

/** Sums a per-CPU value made of u64 fields field by field (e.g. a histogram's buckets across CPUs). */
export function sumU64Fields(values: readonly Uint8Array[]): bigint[] {
  const n = Math.floor((values[0]?.byteLength ?? 0) / 8);
  const out: bigint[] = new Array<bigint>(n).fill(0n);
  for (const v of values) {
    const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
    for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0n) + view.getBigUint64(i * 8, true);
  }
  return out;
}

function createHint(spec: MapSpec, err: unknown): string | undefined {
  if (!(err instanceof SysError)) return undefined;
  if (err.errno === Errno.EINVAL) return 'this kernel refuses the map type, sizes or flags';
  if (err.errno === Errno.E2BIG) return 'the key or value is larger than the kernel accepts';
  if (err.errno === Errno.ENOMEM) return `not enough memory for ${spec.maxEntries} entries`;
  return undefined;
}

export function createMap(spec: MapSpec): BpfMap {
  const attr = encodeAttr(MapCreateAttr, {
    mapType: spec.type,
    keySize: spec.keySize,
    valueSize: spec.valueSize,
    maxEntries: spec.maxEntries,
    mapFlags: spec.flags ?? 0,
    mapName: nameBytes(spec.name ?? ''),
    btfFd: spec.btfFd ?? 0,
    btfKeyTypeId: spec.btfKeyTypeId ?? 0,
    btfValueTypeId: spec.btfValueTypeId ?? 0,
  });
  let fd: number;
  try {
    fd = sys().bpf(BpfCmd.MAP_CREATE, attr);
  } catch (err) {
    rethrow(err, `Cannot create map${spec.name ? ` ${sanitizeObjectName(spec.name)}` : ''}`, createHint(spec, err));
  }
  return new BpfMap(fd, spec);
}

/** Opens a map pinned in bpffs; its spec is read back from the kernel. */
export function openPinnedMap(path: string): BpfMap {
  const fd = getPinned(path, 'map');
  return mapFromFd(fd);
}

/** Wraps an fd of an existing map (taking ownership of the fd). */
export function mapFromFd(fd: number): BpfMap {
  const buf = new Uint8Array(MapInfoLayout.size);
  const attr = encodeAttr(InfoByFdAttr, { bpfFd: fd, infoLen: buf.byteLength, info: sys().address(buf) });
  try {
    sys().bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr);
  } catch (err) {
    sys().close(fd);
    rethrow(err, `Cannot read info of map fd ${fd}`);
  }
  const info = mapInfoFrom(buf);
  return new BpfMap(fd, {
    name: info.name,
    type: info.type as MapType,
    keySize: info.keySize,
    valueSize: info.valueSize,
    maxEntries: info.maxEntries,
    flags: info.flags,
  });
}
