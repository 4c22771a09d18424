// Pinning BPF objects in bpffs (BPF_OBJ_PIN) and opening them again (BPF_OBJ_GET).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BpfCmd, sys } from '../sys/index.js';
import { cString, encodeAttr, ObjPinAttr } from '../sys/bpf-attr.js';
import { rethrow } from './errors.js';

export const BPFFS = '/sys/fs/bpf';

function isBpffsMounted(dir: string): boolean {
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((line) => {
    const [, where, type] = line.split(' ');
    return where === dir && type === 'bpf';
  });
}

/** Mounts bpffs at /sys/fs/bpf when nothing is mounted there (needs root). */
export function ensureBpffs(): void {
  if (isBpffsMounted(BPFFS)) return;
  if (!existsSync(BPFFS)) mkdirSync(BPFFS, { recursive: true });
  try {
    // There is no mount(2) in the sys seam; mount(8) is always present where bpffs can be mounted at all.
    execFileSync('mount', ['-t', 'bpf', 'bpf', BPFFS], { stdio: 'pipe' });
  } catch (err) {
    // mount(8)'s own message says why; the error object's message only repeats the command line.
    const why = ((err as { stderr?: Buffer }).stderr?.toString() || (err instanceof Error ? err.message : String(err))).trim().split('\n')[0];
    throw new Error(`Cannot mount bpffs at ${BPFFS}: ${why}`);
  }
}

/** Pins the object behind `fd` at `path` (under a bpffs mount; parent folders are created). */
export function pinObject(fd: number, path: string, what: string): void {
  if (path.startsWith(`${BPFFS}/`)) {
    ensureBpffs();
    mkdirSync(dirname(path), { recursive: true });
  }
  const name = cString(path);
  const attr = encodeAttr(ObjPinAttr, { pathname: sys().address(name), bpfFd: fd });
  try {
    sys().bpf(BpfCmd.OBJ_PIN, attr);
  } catch (err) {
    rethrow(err, `Cannot pin ${what} at ${path}`, undefined);
  }
}

/** Opens a pinned object and returns a new fd for it. */
export function getPinned(path: string, what: string): number {
  const name = cString(path);
  const attr = encodeAttr(ObjPinAttr, { pathname: sys().address(name) });
  try {
    return sys().bpf(BpfCmd.OBJ_GET, attr);
  } catch (err) {
    rethrow(err, `Cannot open pinned ${what} ${path}`, undefined);
  }
}
