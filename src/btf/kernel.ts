// Loading the running kernel's BTF from sysfs: vmlinux once per process, modules as split BTF on top of it.
import { readdirSync, readFileSync } from 'node:fs';
import { Btf } from './btf.js';
import { BtfLoadError } from './errors.js';

const SYSFS_BTF = '/sys/kernel/btf';

let kernelBtf: Btf | undefined;

/** The kernel's own BTF (/sys/kernel/btf/vmlinux), parsed once and cached for the process. */
export function loadKernelBtf(path = `${SYSFS_BTF}/vmlinux`): Btf {
  if (kernelBtf && path === `${SYSFS_BTF}/vmlinux`) return kernelBtf;
  const btf = new Btf(readBtfFile(path, 'kernel BTF'));
  if (path === `${SYSFS_BTF}/vmlinux`) kernelBtf = btf;
  return btf;
}

/** A module's BTF (/sys/kernel/btf/<name>): split BTF whose type ids continue after vmlinux's. */
export function loadModuleBtf(name: string, base: Btf = loadKernelBtf()): Btf {
  if (name === '' || name.includes('/') || name === '.' || name === '..') {
    throw new BtfLoadError(`Cannot load BTF of module ${JSON.stringify(name)}: not a module name`, '', undefined);
  }
  return new Btf(readBtfFile(`${SYSFS_BTF}/${name}`, `BTF of module ${name}`), base);
}

/** Names of the modules that have BTF loaded (the files beside vmlinux). */
export function listModuleBtf(): string[] {
  try {
    return readdirSync(SYSFS_BTF).filter((n) => n !== 'vmlinux').sort();
  } catch {
    return [];
  }
}

function readBtfFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new BtfLoadError(`Cannot read ${what} from ${path}: ${code}`, path, code);
  }
}
