// What bpftrace prints when a script ends: the end marker, then every map, by name.
import type { MapSnapshot } from '../value/index.js';
import { formatMap } from './format-map.js';
import type { Output } from './output.js';

/** Map names in the order the exit-time dump prints them (bytewise, as a std::map of names). */
export function exitMapOrder<T extends { readonly name: string }>(maps: readonly T[]): T[] {
  return [...maps].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
}

/**
 * end(), then each map as formatMap prints it (empty maps print nothing). Pass no maps when
 * config print_maps_on_exit is off or the run failed.
 */
export function printMapsAtExit(out: Output, maps: readonly MapSnapshot[]): void {
  out.end();
  for (const m of exitMapOrder(maps)) out.map(m.name, formatMap(m));
}

/** The warning bpftrace writes to stderr at exit when events were lost. */
export function lostEventsWarning(total: bigint | number): string {
  return `WARNING: Total lost event count: ${total}\n`;
}

/**
 * join(): the strings up to the first empty one, separated by `delimiter`. The output's join()
 * adds the newline.
 */
export function formatJoin(strings: readonly string[], delimiter = ' '): string {
  const parts: string[] = [];
  for (const s of strings) {
    if (s === '') break;
    parts.push(s);
  }
  return parts.join(delimiter);
}
