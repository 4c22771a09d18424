// Helpers for writing tools' program text: quoting values into bpftrace literals and joining predicates.
import { ToolUsageError } from './errors.js';

/** A bpftrace string literal holding `text`. */
export function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

/** `/a && b/` from the conditions that are set, or '' when none is. */
export function predicate(...conds: ReadonlyArray<string | false | undefined>): string {
  const set = conds.filter((c): c is string => typeof c === 'string' && c !== '');
  return set.length === 0 ? '' : `/${set.join(' && ')}/`;
}

/** A task name as the kernel keeps it: at most 15 bytes. */
export function commName(tool: string, name: string): string {
  if (Buffer.byteLength(name) > 15) throw new ToolUsageError(tool, `Invalid name ${name}: a task name has at most 15 bytes`);
  return name;
}

/**
 * The interval/count machinery of summary tools: every `interval` seconds run `body` (which prints and clears),
 * and stop after `count` intervals. Without an interval, nothing: the summary prints at Ctrl-C.
 *
 * A tick can come after the last one's exit() when the tracer is slow to stop (a loaded machine): the predicate
 * keeps it from printing again, and `intervalConfig` (which must start the program) keeps the counter, and
 * whatever such a tick collected, from being printed at exit, since the last interval printed everything.
 */
export function intervalBlock(interval: number | undefined, count: number | undefined, body: string): string {
  if (interval === undefined) return '';
  const guard = count !== undefined ? `/@__intervals < ${count}/\n` : '';
  const stop = count !== undefined ? `\n  @__intervals++;\n  if (@__intervals >= ${count}) {\n    exit();\n  }` : '';
  return `interval:s:${interval}\n${guard}{\n  ${body.trim().split('\n').join('\n  ')}${stop}\n}\n`;
}

/** The config line a program with `intervalBlock(interval, count, ...)` starts with, or ''. */
export function intervalConfig(interval: number | undefined, count: number | undefined): string {
  return interval !== undefined && count !== undefined ? 'config = { print_maps_on_exit = false }\n\n' : '';
}

/**
 * A header row as a printf statement with no arguments: `fmt` uses %s, %-Ns and %Ns only and is filled here,
 * so the program carries one string instead of one argument per column.
 */
export function headerPrintf(fmt: string, ...labels: string[]): string {
  let i = 0;
  const text = fmt.replace(/%(-?)(\d*)s/g, (_m, left: string, width: string) => {
    const label = labels[i++] ?? '';
    const w = width === '' ? 0 : Number(width);
    return left ? label.padEnd(w) : label.padStart(w);
  });
  return `printf(${quote(text)});`;
}
