// USDT probes: each location of a provider:name note in the binary gets a uprobe; a probe guarded by a semaphore
// has the kernel count it up through the uprobe reference counter, so the guarded code runs only while attached.
import { ElfError, openElf, type UsdtNote } from '../../elf/index.js';
import { Errno } from '../../sys/index.js';
import { AttachError, MultiLink, type Link, type ProgramRef } from './link.js';
import { attachUprobe, resolveBinary } from './uprobe.js';

export interface UsdtOptions {
  /** The binary or library holding the probe (path, library name, or program on $PATH). */
  readonly path: string;
  readonly provider: string;
  readonly name: string;
  /** Only this process (and only its semaphore is set); default every process running the file. */
  readonly pid?: number;
}

/** The notes of provider:name in a binary (one per inlined or repeated site). */
export function usdtLocations(path: string, provider: string, name: string): UsdtNote[] {
  const target = `${path}:${provider}:${name}`;
  let notes: UsdtNote[];
  try {
    notes = openElf(path).usdtNotes();
  } catch (e) {
    if (e instanceof ElfError) throw new AttachError('usdt', target, `cannot read USDT notes: ${e.message}`, { cause: e });
    throw e;
  }
  return notes.filter((n) => n.provider === provider && n.name === name);
}

/** Attaches a kprobe-type program to every location of a USDT probe; one Link closes them all. */
export function attachUsdt(prog: ProgramRef, opts: UsdtOptions): Link {
  const named = `${opts.path}:${opts.provider}:${opts.name}`;
  const path = resolveBinary(opts.path, opts.pid);
  if (path === undefined) throw new AttachError('usdt', named, `no such file or library ${opts.path}`, { errno: Errno.ENOENT });
  const target = `${path}:${opts.provider}:${opts.name}`;
  const locations = usdtLocations(path, opts.provider, opts.name);
  if (locations.length === 0) throw new AttachError('usdt', target, 'no such USDT probe', { hint: `readelf -n ${path} lists the probes` });
  const links: Link[] = [];
  try {
    for (const loc of locations) {
      try {
        links.push(attachUprobe(prog, { path, offset: loc.pcFileOffset, pid: opts.pid, refCtrOffset: loc.semaphoreFileOffset }));
      } catch (e) {
        if (!(e instanceof AttachError)) throw e;
        const where = `${target} (file offset 0x${loc.pcFileOffset.toString(16)})`;
        throw new AttachError('usdt', where, e.detail, { errno: e.errno, hint: e.hint, cause: e });
      }
    }
  } catch (e) {
    for (const l of links) l.close();
    throw e;
  }
  return new MultiLink('usdt', target, links);
}
