// The trace events tracefs offers, listed from its events/ directory (directory reads only, no file opened per event).
import { readdirSync, readFileSync } from 'node:fs';
import { globToRegExp, isGlob } from '../elf/index.js';
import { TracefsError } from './error.js';
import { parseEventFormat, type EventFormat } from './format.js';
import { tracefsRoot } from './mount.js';

export interface TraceEventName {
  category: string;
  name: string;
}

/**
 * Files that sit beside the category directories, and `ftrace`: the tracer's own record layouts, which cannot be
 * enabled or attached to and are not in available_events.
 */
const NOT_CATEGORIES = new Set(['enable', 'header_page', 'header_event', 'filter', 'ftrace']);
const NOT_EVENTS = new Set(['enable', 'filter']);

export class TraceEvents {
  readonly root: string;
  private categoryList: string[] | undefined;
  private readonly eventLists = new Map<string, string[]>();
  private readonly formats = new Map<string, EventFormat>();

  /** `root` is the tracefs mount; found (and mounted if need be) when not given. */
  constructor(root?: string) {
    this.root = root ?? tracefsRoot();
  }

  categories(): string[] {
    this.categoryList ??= listDir(`${this.root}/events`)
      .filter((n) => !NOT_CATEGORIES.has(n))
      .sort();
    return this.categoryList;
  }

  /** The events of one category; empty when the category does not exist. */
  events(category: string): string[] {
    let list = this.eventLists.get(category);
    if (!list) {
      list = this.categories().includes(category) ? listDir(`${this.root}/events/${category}`).filter((n) => !NOT_EVENTS.has(n)).sort() : [];
      this.eventLists.set(category, list);
    }
    return list;
  }

  has(category: string, name: string): boolean {
    return this.events(category).includes(name);
  }

  /**
   * Events matching `category:name`, each part a glob (`syscalls:sys_enter_*`, `*:*open*`), sorted.
   * Categories are read only when their part can match them.
   */
  match(pattern: string): TraceEventName[] {
    const colon = pattern.indexOf(':');
    if (colon < 0) throw new TracefsError(`Cannot match trace events: pattern ${pattern} is not CATEGORY:EVENT`);
    const catPart = pattern.slice(0, colon);
    const eventPart = pattern.slice(colon + 1);
    const cats = isGlob(catPart) ? this.categories().filter((c) => globToRegExp(catPart).test(c)) : this.categories().includes(catPart) ? [catPart] : [];
    const eventRe = isGlob(eventPart) ? globToRegExp(eventPart) : undefined;
    const out: TraceEventName[] = [];
    for (const category of cats) {
      for (const name of this.events(category)) {
        if (eventRe ? eventRe.test(name) : name === eventPart) out.push({ category, name });
      }
    }
    return out;
  }

  /** The parsed `format` file of one event, read once. */
  format(category: string, name: string): EventFormat {
    const key = `${category}:${name}`;
    let format = this.formats.get(key);
    if (!format) {
      const path = `${this.root}/events/${category}/${name}/format`;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new TracefsError(code === 'ENOENT' ? `Cannot find tracepoint ${key}: no ${path}` : `Cannot read format of tracepoint ${key}: ${(err as Error).message}`);
      }
      format = parseEventFormat(text, path);
      this.formats.set(key, format);
    }
    return format;
  }

  /** The event id (what perf_event_open takes as config for PERF_TYPE_TRACEPOINT). */
  id(category: string, name: string): number {
    const path = `${this.root}/events/${category}/${name}/id`;
    try {
      return Number(readFileSync(path, 'utf8').trim());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // The cause keeps the errno, for callers that report it (the kernel layer's attach errors).
      throw new TracefsError(
        code === 'ENOENT' ? `Cannot find tracepoint ${category}:${name}: no ${path}` : `Cannot read id of tracepoint ${category}:${name}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (err) {
    throw new TracefsError(`Cannot list trace events in ${path}: ${(err as Error).message}`);
  }
}

let shared: TraceEvents | undefined;

/** The catalogue of this machine's tracefs, made once per process. */
export function traceEvents(): TraceEvents {
  shared ??= new TraceEvents();
  return shared;
}
