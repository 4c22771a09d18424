// Kernel symbols from /proc/kallsyms, held as sorted parallel typed arrays over the file's own bytes.
import { closeSync, openSync, readSync } from 'node:fs';
import { globToRegExp } from '../elf/index.js';
import { SymbolsError } from './error.js';

export interface KernelSymbolLocation {
  name: string;
  /** the symbol's own address */
  address: bigint;
  /** bytes from the symbol's address to the looked-up address */
  offset: bigint;
  /** the module from the `[mod]` suffix; undefined for the kernel image */
  module: string | undefined;
}

export interface KernelSymbol {
  name: string;
  address: bigint;
  /** the nm-style type letter: T, t, D, b, ... */
  type: string;
  module: string | undefined;
}

const NL = 0x0a;
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x61 + c] = 10 + c;
  HEX[0x41 + c] = 10 + c;
}
const TAB = 0x09;
const SPACE = 0x20;

/**
 * One snapshot of /proc/kallsyms. Addresses are two Uint32Arrays (high and low halves) in address order;
 * names stay in the file's bytes and are decoded only when asked for.
 */
export class KernelSymbols {
  readonly count: number;
  private readonly text: Buffer;
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly nameStart: Uint32Array;
  private readonly nameEnd: Uint32Array;
  private readonly typeAt: Uint32Array;
  /** index into moduleNames, 0 for the kernel image */
  private readonly moduleIndex: Uint16Array;
  private readonly moduleNames: Array<string | undefined>;

  /** Reads /proc/kallsyms (or a file in its format). */
  static load(path = '/proc/kallsyms'): KernelSymbols {
    return new KernelSymbols(readWhole(path), path);
  }

  /** Parses bytes in /proc/kallsyms format. */
  static parse(text: Buffer | string): KernelSymbols {
    return new KernelSymbols(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, '<memory>');
  }

  private constructor(text: Buffer, source: string) {
    this.text = text;
    const scan = scanKallsyms(text, source);
    const n = scan.count;
    this.count = n;
    this.moduleNames = scan.moduleNames;
    if (scan.sorted) {
      this.hi = scan.hi.slice(0, n);
      this.lo = scan.lo.slice(0, n);
      this.nameStart = scan.nameStart.slice(0, n);
      this.nameEnd = scan.nameEnd.slice(0, n);
      this.typeAt = scan.typeAt.slice(0, n);
      this.moduleIndex = scan.moduleIndex.slice(0, n);
    } else {
      const { hi, lo } = scan;
      // Stable: symbols sharing an address keep their file order.
      const order = Array.from({ length: n }, (_, k) => k);
      order.sort((a, b) => (hi[a] as number) - (hi[b] as number) || (lo[a] as number) - (lo[b] as number) || a - b);
      const permute = <T extends Uint32Array | Uint16Array>(src: T, dst: T): T => {
        for (let k = 0; k < n; k++) dst[k] = src[order[k] as number] as number;
        return dst;
      };
      this.hi = permute(hi, new Uint32Array(n));
      this.lo = permute(lo, new Uint32Array(n));
      this.nameStart = permute(scan.nameStart, new Uint32Array(n));
      this.nameEnd = permute(scan.nameEnd, new Uint32Array(n));
      this.typeAt = permute(scan.typeAt, new Uint32Array(n));
      this.moduleIndex = permute(scan.moduleIndex, new Uint16Array(n));
    }
  }

  /** The symbol at or before an address, preferring a function when several share that address. */
  lookup(address: bigint): KernelSymbolLocation | undefined {
    const h = Number(address >> 32n) >>> 0;
    const l = Number(address & 0xffffffffn) >>> 0;
    // Last index whose address <= the one asked for.
    let low = 0;
    let high = this.count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const mh = this.hi[mid] as number;
      const ml = this.lo[mid] as number;
      if (mh < h || (mh === h && ml <= l)) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (found < 0) return undefined;
    let first = found;
    while (first > 0 && this.hi[first - 1] === this.hi[found] && this.lo[first - 1] === this.lo[found]) first--;
    let pick = first;
    for (let k = first; k <= found; k++) {
      if (this.isFunction(k)) {
        pick = k;
        break;
      }
    }
    const symAddress = this.addressAt(pick);
    return { name: this.nameAt(pick), address: symAddress, offset: address - symAddress, module: this.moduleAt(pick) };
  }

  /** `name+0xoff`, `name` at offset 0, or the address in hex when no symbol is at or below it. */
  format(address: bigint, withOffset = true): string {
    const hit = this.lookup(address);
    if (!hit) return `0x${address.toString(16)}`;
    return withOffset && hit.offset !== 0n ? `${hit.name}+0x${hit.offset.toString(16)}` : hit.name;
  }

  /** The address of the first symbol with this name (kernel image before modules, file order otherwise). */
  address(name: string): bigint | undefined {
    const list = this.indexesNamed(name);
    if (list.length === 0) return undefined;
    const best = list.find((k) => this.moduleIndex[k] === 0) ?? (list[0] as number);
    return this.addressAt(best);
  }

  /** Every symbol with this name (static functions can repeat across files and modules). */
  symbolsNamed(name: string): KernelSymbol[] {
    return this.indexesNamed(name).map((k) => this.symbolAt(k));
  }

  /** Symbols whose names match a glob, in address order. */
  match(pattern: string): KernelSymbol[] {
    const re = globToRegExp(pattern);
    const out: KernelSymbol[] = [];
    for (let k = 0; k < this.count; k++) {
      if (re.test(this.nameAt(k))) out.push(this.symbolAt(k));
    }
    return out;
  }

  /** Names of the modules that have symbols. */
  modules(): string[] {
    return this.moduleNames.filter((m): m is string => m !== undefined);
  }

  symbolAt(index: number): KernelSymbol {
    return { name: this.nameAt(index), address: this.addressAt(index), type: String.fromCharCode(this.text[this.typeAt[index] as number] as number), module: this.moduleAt(index) };
  }

  /** A byte scan rather than a name index: lookups by name are rare (attach time) and an index costs a string per symbol. */
  private indexesNamed(name: string): number[] {
    const want = Buffer.from(name, 'latin1');
    const size = want.length;
    const first = want[0];
    const out: number[] = [];
    for (let k = 0; k < this.count; k++) {
      const from = this.nameStart[k] as number;
      if ((this.nameEnd[k] as number) - from !== size || this.text[from] !== first) continue;
      if (this.text.compare(want, 0, size, from, from + size) === 0) out.push(k);
    }
    return out;
  }

  private isFunction(k: number): boolean {
    const t = this.text[this.typeAt[k] as number];
    return t === 0x54 || t === 0x74 || t === 0x57 || t === 0x77; // T t W w
  }

  private nameAt(k: number): string {
    return this.text.toString('latin1', this.nameStart[k] as number, this.nameEnd[k] as number);
  }

  private addressAt(k: number): bigint {
    return (BigInt(this.hi[k] as number) << 32n) | BigInt(this.lo[k] as number);
  }

  private moduleAt(k: number): string | undefined {
    return this.moduleNames[this.moduleIndex[k] as number];
  }
}

interface Scan {
  count: number;
  sorted: boolean;
  hi: Uint32Array;
  lo: Uint32Array;
  nameStart: Uint32Array;
  nameEnd: Uint32Array;
  typeAt: Uint32Array;
  moduleIndex: Uint16Array;
  moduleNames: Array<string | undefined>;
}

/** One pass over the bytes: "ffffffff81000000 T _text" lines, optionally followed by "\t[module]". */
function scanKallsyms(buf: Buffer, source: string): Scan {
  const text = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const length = text.length;
  // The shortest line ("0 T x\n") is 6 bytes; real ones are ~40. Size for the worst case; the caller trims.
  const capacity = Math.ceil(length / 6) + 1;
  const hi = new Uint32Array(capacity);
  const lo = new Uint32Array(capacity);
  const nameStart = new Uint32Array(capacity);
  const nameEnd = new Uint32Array(capacity);
  const typeAt = new Uint32Array(capacity);
  const moduleIndex = new Uint16Array(capacity);
  const moduleNames: Array<string | undefined> = [undefined];
  const moduleIds = new Map<string, number>();
  let lastModuleStart = -1;
  let lastModuleEnd = -1;
  let lastModuleId = 0;
  let n = 0;
  let sorted = true;
  let nonzero = false;
  let at = 0;
  while (at < length) {
    if (text[at] === NL) {
      at++;
      continue;
    }
    let h = 0;
    let l = 0;
    let i = at;
    for (; i < length; i++) {
      const v = HEX[text[i] as number] as number;
      if (v < 0) break;
      h = ((h << 4) | (l >>> 28)) >>> 0;
      l = ((l << 4) | v) >>> 0;
    }
    const digits = i - at;
    const nameFrom = i + 3;
    if (digits === 0 || digits > 16 || text[i] !== SPACE || nameFrom > length || text[i + 2] !== SPACE || text[i + 1] === NL) {
      let lineEnd = at;
      while (lineEnd < length && text[lineEnd] !== NL) lineEnd++;
      throw new SymbolsError(`Cannot parse kernel symbols from ${source}: bad line: ${buf.toString('latin1', at, Math.min(lineEnd, at + 120))}`);
    }
    let nameTo = nameFrom;
    while (nameTo < length) {
      const c = text[nameTo];
      if (c === NL || c === TAB) break;
      nameTo++;
    }
    let end = nameTo;
    let mod = 0;
    if (text[nameTo] === TAB) {
      while (end < length && text[end] !== NL) end++;
      const modFrom = nameTo + 2;
      const modTo = text[end - 1] === 0x5d ? end - 1 : end;
      // Module symbols come in runs; compare bytes with the last run before building a string.
      if (modTo - modFrom === lastModuleEnd - lastModuleStart && buf.compare(buf, lastModuleStart, lastModuleEnd, modFrom, modTo) === 0) {
        mod = lastModuleId;
      } else {
        const name = buf.toString('latin1', modFrom, modTo);
        let id = moduleIds.get(name);
        if (id === undefined) {
          id = moduleNames.length;
          moduleNames.push(name);
          moduleIds.set(name, id);
        }
        mod = id;
        lastModuleId = id;
      }
      lastModuleStart = modFrom;
      lastModuleEnd = modTo;
    }
    if (n > 0 && (h < (hi[n - 1] as number) || (h === hi[n - 1] && l < (lo[n - 1] as number)))) sorted = false;
    if (h !== 0 || l !== 0) nonzero = true;
    hi[n] = h;
    lo[n] = l;
    typeAt[n] = i + 1;
    nameStart[n] = nameFrom;
    nameEnd[n] = nameTo;
    moduleIndex[n] = mod;
    n++;
    at = end + 1;
  }
  if (n > 0 && !nonzero) {
    throw new SymbolsError(`Cannot read kernel symbols from ${source}: every address is zero (kernel.kptr_restrict hides them; run as root)`);
  }
  return { count: n, sorted, hi, lo, nameStart, nameEnd, typeAt, moduleIndex, moduleNames };
}

let cached: KernelSymbols | undefined;

/** /proc/kallsyms, loaded once per process. */
export function kernelSymbols(): KernelSymbols {
  cached ??= KernelSymbols.load();
  return cached;
}

/** Forgets the cached snapshot, e.g. after modules were loaded. */
export function reloadKernelSymbols(): KernelSymbols {
  cached = undefined;
  return kernelSymbols();
}

/** procfs files report size 0, so read in large chunks until EOF. */
function readWhole(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new SymbolsError(`Cannot read kernel symbols from ${path}: ${(err as Error).message}`);
  }
  try {
    let buf = Buffer.allocUnsafe(8 << 20);
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    return buf.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}
