// Where tracefs is: /sys/kernel/tracing (mounted there if it is not), else the old debugfs location.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TracefsError } from './error.js';

export const TRACEFS = '/sys/kernel/tracing';
export const DEBUGFS_TRACING = '/sys/kernel/debug/tracing';

let cached: string | undefined;

/** The tracefs root, found once per process; mounts tracefs at /sys/kernel/tracing when nothing is there. */
export function tracefsRoot(): string {
  if (cached) return cached;
  if (isTracefs(TRACEFS)) return (cached = TRACEFS);
  let mountError = '';
  if (existsSync(TRACEFS)) {
    try {
      execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      // mount(8) may print several lines; the error is one line, so keep the first.
      mountError = ((err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message).trim().split('\n')[0] ?? '';
    }
    if (isTracefs(TRACEFS)) return (cached = TRACEFS);
  }
  if (isTracefs(DEBUGFS_TRACING)) return (cached = DEBUGFS_TRACING);
  throw new TracefsError(`Cannot find tracefs: not at ${TRACEFS} or ${DEBUGFS_TRACING}${mountError ? `, and mounting it failed: ${mountError}` : ''}`);
}

function isTracefs(dir: string): boolean {
  return existsSync(`${dir}/events`);
}
