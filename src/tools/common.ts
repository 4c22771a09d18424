// Option specs and program fragments several tools share, so that -p, -t, -u, -n, -T and -d read the same everywhere.
import type { ToolArgs } from './options.js';
import { commName, quote } from './program.js';
import type { OptionSpec } from './tool.js';

export const PID: OptionSpec = { key: 'pid', short: 'p', long: 'pid', value: 'int', metavar: 'PID', help: 'trace this process only' };
export const TID: OptionSpec = { key: 'tid', short: 't', long: 'tid', value: 'int', metavar: 'TID', help: 'trace this thread only' };
export const UID: OptionSpec = { key: 'uid', short: 'u', long: 'uid', value: 'int', metavar: 'UID', help: 'trace this user id only' };
export const NAME: OptionSpec = { key: 'name', short: 'n', long: 'name', value: 'string', metavar: 'NAME', help: 'trace tasks with this name only' };
export const TIMESTAMP: OptionSpec = { key: 'timestamp', short: 'T', long: 'timestamp', help: 'print seconds since start' };
export const DURATION: OptionSpec = { key: 'duration', short: 'd', long: 'duration', value: 'int', metavar: 'SECS', help: 'stop after this many seconds' };

/** Conditions for the -p, -t, -u and -n options that are set. */
export function taskFilters(tool: string, args: ToolArgs): string[] {
  const out: string[] = [];
  const pid = args.int('pid');
  const tid = args.int('tid');
  const uid = args.int('uid');
  const name = args.str('name');
  if (pid !== undefined) out.push(`pid == ${pid}`);
  if (tid !== undefined) out.push(`tid == ${tid}`);
  if (uid !== undefined) out.push(`uid == ${uid}`);
  if (name !== undefined) out.push(`comm == ${quote(commName(tool, name))}`);
  return out;
}

/** A probe that ends the trace after -d seconds. */
export function durationProbe(args: ToolArgs): string {
  const d = args.int('duration');
  return d !== undefined && d > 0 ? `interval:s:${d} { exit(); }\n` : '';
}

/** The -T column: seconds since the trace started, with microseconds (12 characters with its space). */
export const TIME_HEADER = 'TIME(s)     ';
export const TIME_FORMAT = '%4d.%06d ';
export const TIME_ARGS = 'elapsed / 1000000000, (elapsed / 1000) % 1000000';
