// uprobes and uretprobes through the uprobe PMU: perf_event_open on its dynamic type with the binary's path in
// config1 and the file offset of the instruction in config2. The retprobe bit and the reference-counter (USDT
// semaphore) offset sit in config where the PMU's format files say.
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { ElfError, openArchivedElf, openElf, resolveLibrary, splitArchivePath, type ElfFile, type ElfSymbol } from '../../elf/index.js';
import { Errno, PerfAttrFlag, cString, sys } from '../../sys/index.js';
import { formatBits, openPerfEvent, pmuFormatField, pmuType } from '../perf-event.js';
import { AttachError, AttachUnavailableError, attachFailure, type Link, type ProgramRef } from './link.js';
import { attachToPerfEvent } from './perf-link.js';

export interface UprobeOptions {
  /** The binary or library: a path, a library name ('libc'), or a program on $PATH ('bash'). */
  readonly path: string;
  /** The function; its file offset is found in the ELF symbol table. */
  readonly symbol?: string;
  /** A file offset, or with `symbol` an offset into the function. */
  readonly offset?: number | bigint;
  /** Only this process (its semaphores too); default every process running the file. */
  readonly pid?: number;
  readonly retprobe?: boolean;
  /** File offset of a reference counter the kernel increments while the probe is attached (USDT semaphores). */
  readonly refCtrOffset?: number | bigint;
}

/** Finds the file a user named: a path as given, else a shared library, else a program on $PATH. */
export function resolveBinary(name: string, pid?: number): string | undefined {
  const inArchive = splitArchivePath(name);
  if (inArchive) return `${resolve(inArchive.archive)}!/${inArchive.member}`;
  if (name.includes('/')) return existsSync(name) ? resolve(name) : undefined;
  const lib = resolveLibrary(name, pid);
  if (lib) return lib;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The ELF file a uprobe path names and where its bytes start in the file the kernel maps: 0 for an ordinary
 * file, the member's data offset for `archive.zip!/member`.
 */
export function openUprobeBinary(path: string): { elf: ElfFile; baseOffset: bigint; kernelPath: string } {
  const inArchive = splitArchivePath(path);
  if (inArchive) {
    const { elf, baseOffset } = openArchivedElf(inArchive.archive, inArchive.member);
    return { elf, baseOffset: BigInt(baseOffset), kernelPath: inArchive.archive };
  }
  return { elf: openElf(path), baseOffset: 0n, kernelPath: path };
}

/** Where a uprobe goes, or why it cannot go there, in bpftrace's words. */
export type UprobeSite = { readonly symbol: string; readonly offset: bigint } | { readonly problem: string };

const UNSAFE_HINT = 'Use --unsafe to force attachment. WARNING: This option could lead to data corruption in the target process.';

/**
 * Checks a uprobe site as bpftrace does before attaching: an address must fall inside a symbol, an offset must
 * stay inside its function, and a function of size 0 (no known end) needs --unsafe. The site comes back as a
 * symbol and an offset into it.
 */
export function checkUprobeSite(elf: ElfFile, path: string, where: { symbol: string; offset: bigint } | { address: bigint }, unsafe: boolean): UprobeSite {
  let sym: ElfSymbol | undefined;
  let offset: bigint;
  if ('address' in where) {
    sym = elf
      .symbols()
      .find((s) => s.section !== 0 && (s.type === 'func' || s.type === 'ifunc' || s.type === 'object') && s.size > 0n && where.address >= s.value && where.address < s.value + s.size);
    if (!sym) return { problem: `Could not resolve address: ${path}:0x${where.address.toString(16)}` };
    offset = where.address - sym.value;
  } else {
    sym = elf.symbol(where.symbol);
    if (!sym) return { problem: `Could not resolve symbol: ${path}:${where.symbol}` };
    offset = where.offset;
  }
  if (sym.size === 0n && offset === 0n) {
    if (!unsafe) return { problem: `Could not determine boundary for ${sym.name} (symbol has size 0).\n${UNSAFE_HINT}` };
  } else if (offset >= sym.size) {
    return { problem: `Offset outside the function bounds ('${sym.name}' size is ${sym.size})` };
  }
  return { symbol: sym.name, offset };
}

/** The file offset of `symbol` (+ `offset`) in `path`, as an AttachError naming the probe when it cannot be found. */
export function uprobeOffset(kind: string, path: string, symbol: string, offset = 0n): bigint {
  const target = `${path}:${symbol}`;
  let elf: ElfFile;
  let base = 0n;
  try {
    ({ elf, baseOffset: base } = openUprobeBinary(path));
  } catch (e) {
    if (e instanceof ElfError) throw new AttachError(kind, target, `cannot read the binary: ${e.message}`, { cause: e });
    throw e;
  }
  if (elf.symbol(symbol) === undefined) {
    if (elf.symbolsNamed(symbol).length > 0) {
      throw new AttachError(kind, target, 'symbol is imported, not defined, in this file', { hint: 'attach to the library that defines it' });
    }
    throw new AttachError(kind, target, 'symbol not found');
  }
  try {
    return base + elf.symbolFileOffset(symbol) + offset;
  } catch (e) {
    if (e instanceof ElfError) throw new AttachError(kind, target, e.message, { cause: e });
    throw e;
  }
}

/** Attaches a kprobe-type program (BPF_PROG_TYPE_KPROBE) to a function or file offset in a user-space binary. */
export function attachUprobe(prog: ProgramRef, opts: UprobeOptions): Link {
  const kind = opts.retprobe ? 'uretprobe' : 'uprobe';
  const named = `${opts.path}:${opts.symbol ?? `0x${BigInt(opts.offset ?? 0).toString(16)}`}`;
  const path = resolveBinary(opts.path, opts.pid);
  if (path === undefined) throw new AttachError(kind, named, `no such file or library ${opts.path}`, { errno: Errno.ENOENT });
  if (opts.symbol === undefined && opts.offset === undefined) throw new AttachError(kind, named, 'give a symbol or a file offset');
  const type = pmuType('uprobe');
  if (type === undefined) {
    throw new AttachUnavailableError('uprobes', 'CONFIG_UPROBE_EVENTS is not set', 'uprobes are not available on this kernel (CONFIG_UPROBE_EVENTS is not set)');
  }
  const offset = opts.symbol !== undefined ? uprobeOffset(kind, path, opts.symbol, BigInt(opts.offset ?? 0)) : BigInt(opts.offset ?? 0);
  const target = opts.symbol !== undefined ? `${path}:${opts.symbol}${opts.offset ? `+${opts.offset}` : ''}` : `${path}:0x${offset.toString(16)}`;

  let config = 0n;
  if (opts.retprobe) {
    const bit = pmuFormatField('uprobe', 'retprobe');
    if (!bit) throw new AttachUnavailableError('uretprobes', 'the uprobe PMU has no retprobe format', 'uretprobes are not available on this kernel');
    config |= formatBits(bit, 1n);
  }
  if (opts.refCtrOffset !== undefined && BigInt(opts.refCtrOffset) !== 0n) {
    const field = pmuFormatField('uprobe', 'ref_ctr_offset');
    if (!field) {
      throw new AttachUnavailableError('uprobe reference counters', 'the uprobe PMU has no ref_ctr_offset format (kernel before 4.20)', 'USDT semaphores are not supported by this kernel (no uprobe ref_ctr_offset)');
    }
    config |= formatBits(field, BigInt(opts.refCtrOffset));
  }

  // A binary inside a zip archive is mapped from the archive, so the probe goes on the archive.
  const pathBytes = cString(splitArchivePath(path)?.archive ?? path);
  const pid = opts.pid ?? -1;
  let fd: number;
  try {
    fd = openPerfEvent(
      { type, config, config1: sys().address(pathBytes), config2: offset, samplePeriod: 1n, wakeupEvents: 1, flags: PerfAttrFlag.DISABLED },
      pid,
      pid >= 0 ? -1 : 0,
    );
  } catch (e) {
    throw attachFailure(kind, target, e, {
      ENOENT: { detail: `no such file ${path}` },
      ESRCH: { detail: `no process ${pid}` },
      EINVAL: { detail: `cannot probe offset 0x${offset.toString(16)}`, hint: 'the offset must be on an instruction inside an executable mapping; a semaphore must match the one other probes at this place use' },
      EPERM: { detail: 'permission denied', hint: 'needs root or CAP_PERFMON' },
    });
  }
  return attachToPerfEvent(kind, target, prog, fd, {
    EINVAL: { detail: 'the program is not a kprobe-type program', hint: 'load it as BPF_PROG_TYPE_KPROBE' },
  });
}
