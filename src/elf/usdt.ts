// SystemTap SDT (USDT) probes: the `.note.stapsdt` records and their x86_64 argument specs.
import { ElfError } from './error.js';

export interface UsdtArg {
  /** bytes, 1/2/4/8 */
  size: number;
  signed: boolean;
  kind: 'reg' | 'mem' | 'const';
  /** the register of a 'reg' argument, without '%' (e.g. 'edi') */
  reg?: string;
  /** the base register of a 'mem' argument, without '%' */
  base?: string;
  /** the displacement of a 'mem' argument (0n when none is written); undefined when it is a symbol, see `symbol` */
  offset?: bigint;
  /** the value of a 'const' argument */
  value?: bigint;
  /** the index register of a scaled 'mem' argument, without '%' */
  index?: string;
  /** the scale of the index register (1 when not written) */
  scale?: number;
  /** a symbolic displacement such as `counter` in `4@counter(%rip)` */
  symbol?: string;
  /** the spec as written, e.g. `-4@%edi` */
  text: string;
}

export interface UsdtNote {
  provider: string;
  name: string;
  /** probe address after base adjustment */
  pc: bigint;
  /** the `.stapsdt.base` address recorded at link time */
  base: bigint;
  /** semaphore address after base adjustment, 0n when the probe has none */
  semaphore: bigint;
  args: UsdtArg[];
  argText: string;
  /** file offsets after base/prelink adjustment */
  pcFileOffset: bigint;
  /** file offset of the semaphore (uprobe ref_ctr_offset), 0n when the probe has none */
  semaphoreFileOffset: bigint;
}

/** The fixed part of a stapsdt note descriptor on a 64-bit target, before any address adjustment. */
export interface RawUsdtNote {
  provider: string;
  name: string;
  pc: bigint;
  base: bigint;
  semaphore: bigint;
  argText: string;
}

export const STAPSDT_NOTE_TYPE = 3;

export function parseUsdtNoteDesc(desc: Buffer, path: string): RawUsdtNote {
  if (desc.length < 24) {
    throw new ElfError(`Cannot read USDT note: descriptor is ${desc.length} bytes, shorter than its three addresses`, path);
  }
  const pc = desc.readBigUInt64LE(0);
  const base = desc.readBigUInt64LE(8);
  const semaphore = desc.readBigUInt64LE(16);
  const strings: string[] = [];
  let at = 24;
  for (let i = 0; i < 3; i++) {
    const end = desc.indexOf(0, at);
    if (end < 0) {
      if (i === 2 && at <= desc.length) {
        strings.push(desc.toString('latin1', at));
        break;
      }
      throw new ElfError('Cannot read USDT note: provider or name is not NUL-terminated', path);
    }
    strings.push(desc.toString('latin1', at, end));
    at = end + 1;
  }
  return { provider: strings[0] ?? '', name: strings[1] ?? '', pc, base, semaphore, argText: strings[2] ?? '' };
}

const SIZED = /^(-?\d+)@(.+)$/;
const REG = /^%([a-z][a-z0-9]*)$/i;
const CONST = /^\$(-?(?:0x[0-9a-f]+|\d+))$/i;
const MEM = /^(-?(?:0x[0-9a-f]+|\d+))?\(%([a-z][a-z0-9]*)(?:,%([a-z][a-z0-9]*)(?:,(\d+))?)?\)$/i;
const SYMBOL_MEM = /^([A-Za-z_.$][\w.$@]*(?:[+-]\d+)?)\(%([a-z][a-z0-9]*)\)$/i;

/** Parses one x86_64 argument spec (`-4@%edi`, `8@-16(%rbp)`, `-4@$5`, `4@(%rsi,%rdx,4)`) */
export function parseUsdtArg(text: string): UsdtArg {
  const sized = SIZED.exec(text);
  // Specs written without a size predate sized specs; they hold a pointer-sized value.
  const sizeNumber = sized ? Number(sized[1]) : 8;
  const spec = sized ? (sized[2] ?? '') : text;
  const size = Math.abs(sizeNumber);
  if (![1, 2, 4, 8].includes(size)) {
    throw new ElfError(`Cannot parse USDT argument: size ${size} is not 1, 2, 4 or 8: ${text}`);
  }
  const signed = sizeNumber < 0;
  let m = REG.exec(spec);
  if (m) return { size, signed, kind: 'reg', reg: (m[1] ?? '').toLowerCase(), text };
  m = CONST.exec(spec);
  if (m) return { size, signed, kind: 'const', value: parseSigned(m[1] ?? '0'), text };
  m = MEM.exec(spec);
  if (m) {
    const arg: UsdtArg = { size, signed, kind: 'mem', base: (m[2] ?? '').toLowerCase(), offset: m[1] ? parseSigned(m[1]) : 0n, text };
    if (m[3]) {
      arg.index = m[3].toLowerCase();
      arg.scale = m[4] ? Number(m[4]) : 1;
    }
    return arg;
  }
  m = SYMBOL_MEM.exec(spec);
  if (m) return { size, signed, kind: 'mem', base: (m[2] ?? '').toLowerCase(), symbol: m[1] ?? '', text };
  throw new ElfError(`Cannot parse USDT argument: unknown x86_64 operand form: ${text}`);
}

/** Parses a space-separated argument string; an empty string has no arguments. */
export function parseUsdtArgs(argText: string): UsdtArg[] {
  const parts = argText.trim().split(/\s+/).filter((p) => p.length > 0);
  return parts.map(parseUsdtArg);
}

function parseSigned(text: string): bigint {
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  const value = BigInt(digits);
  return negative ? -value : value;
}
