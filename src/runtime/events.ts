// One ring-buffer record at a time: find its event by id, decode its fields by the artifact's wire layout,
// and hand the result to the Output (printing is the renderers' job, never done here).
import { execFileSync } from 'node:child_process';
import { openSync, readSync, closeSync } from 'node:fs';
import type { BpfMap } from '../kernel/map.js';
import type { CompiledArtifact, EventDef, MapDef, RuntimeErrorKind, SourceSite } from '../lang/codegen/artifact.js';
import { decodeValue, readI64, readU64, type DecodeContext } from './decode.js';
import { clearUserMap, readUserMap, zeroUserMap } from './map-reader.js';
import {
  formatJoin,
  formatMapForPrint,
  formatPrintf,
  formatTimeBuiltin,
  parseFormat,
  primitive,
  type FormatString,
  type Output,
  type SourceLocation,
} from './output/index.js';
import type { Value } from './value/index.js';

/** Raised by a record handler; the session prints it as bpftrace does (`ERROR: ...`) and goes on. */
export class EventError extends Error {
  override readonly name = 'EventError';
}

export interface EventHandlerOptions {
  readonly artifact: CompiledArtifact;
  readonly maps: ReadonlyMap<string, BpfMap>;
  readonly output: Output;
  readonly decode: DecodeContext;
  /** --unsafe: system() may run. */
  readonly unsafe: boolean;
  /** --no-warnings: warnf() prints nothing. */
  readonly warnings: boolean;
  /** exit(code) was called in a probe. */
  onExit(code: number): void;
  /** Output written by system()/cat() must come after what is buffered: flush before running them. */
  flush(): void;
}

// The compiler's source sites as the Output wants them.
function locationsOf(sites: readonly SourceSite[]): SourceLocation[] {
  return sites.map((s) => ({ location: s.location, filename: s.filename, line: s.line, column: s.column, context: s.context }));
}

export class EventHandler {
  readonly #o: EventHandlerOptions;
  readonly #formats = new Map<number, FormatString>();
  readonly #mapDefs = new Map<string, MapDef>();

  constructor(options: EventHandlerOptions) {
    this.#o = options;
    for (const m of options.artifact.maps) this.#mapDefs.set(m.name, m);
  }

  /** Handles one record (a view valid only during the call). */
  handle(record: Uint8Array): void {
    if (record.byteLength < 8) throw new EventError(`Ring buffer record of ${record.byteLength} bytes is too short`);
    const id = Number(readU64(record, 0));
    const ev = this.#o.artifact.events[id];
    if (ev === undefined) throw new EventError(`Unknown event id ${id} in the ring buffer`);
    this.#dispatch(ev, record);
  }

  #args(ev: EventDef, record: Uint8Array): Value[] {
    return ev.args.map((a) => decodeValue(a.type, record, a.offset, this.#o.decode));
  }

  #format(ev: { id: number; format: string }): FormatString {
    let f = this.#formats.get(ev.id);
    if (!f) {
      f = parseFormat(ev.format);
      this.#formats.set(ev.id, f);
    }
    return f;
  }

  #dispatch(ev: EventDef, record: Uint8Array): void {
    const out = this.#o.output;
    switch (ev.kind) {
      case 'printf':
        out.printf(formatPrintf(this.#format(ev), this.#args(ev, record)));
        return;
      case 'errorf':
        out.printf(formatPrintf(this.#format(ev), this.#args(ev, record)), 'error', locationsOf(ev.locations));
        return;
      case 'warnf':
        if (!this.#o.warnings) return;
        out.printf(formatPrintf(this.#format(ev), this.#args(ev, record)), 'warning', locationsOf(ev.locations));
        return;
      case 'debugf':
        // bpf_trace_printk output goes to the trace pipe, not through the ring buffer.
        return;
      case 'system': {
        if (!this.#o.unsafe) throw new EventError("syscall() not allowed in safe mode. Use '--unsafe'.");
        const command = formatPrintf(this.#format(ev), this.#args(ev, record));
        this.#o.flush();
        out.syscall(runShell(command));
        return;
      }
      case 'cat': {
        const path = formatPrintf(this.#format(ev), this.#args(ev, record));
        const max = Number(this.#o.artifact.config.raw['max_cat_bytes'] ?? 10240);
        out.cat(readHead(path, max));
        return;
      }
      case 'print_map': {
        const top = ev.args[0] ? Number(readU64(record, ev.args[0].offset)) : 0;
        const div = ev.args[1] ? Number(readU64(record, ev.args[1].offset)) : 0;
        const def = this.#mapDefs.get(ev.map);
        const map = this.#o.maps.get(ev.map);
        if (!def || !map || !def.user) throw new EventError(`print() of unknown map ${ev.map}`);
        out.map(def.user.name, formatMapForPrint(readUserMap(def, map, this.#o.decode), { top, div }));
        return;
      }
      case 'print_value':
        out.value(primitive(decodeValue(ev.args[0].type, record, ev.args[0].offset, this.#o.decode)));
        return;
      case 'clear':
      case 'zero': {
        const map = this.#o.maps.get(ev.map);
        const def = this.#mapDefs.get(ev.map);
        if (!map || !def) throw new EventError(`${ev.kind}() of unknown map ${ev.map}`);
        if (ev.kind === 'clear') clearUserMap(map);
        else zeroUserMap(def, map);
        return;
      }
      case 'exit':
        this.#o.onExit(Number(BigInt.asIntN(32, readI64(record, ev.args[0].offset))));
        return;
      case 'time':
        out.time(formatTimeBuiltin(ev.format));
        return;
      case 'runtime_error': {
        if (!this.#o.warnings) return;
        const locations = locationsOf(ev.locations);
        if (ev.error === 'helper') {
          const retcode = Number(BigInt.asIntN(32, readI64(record, ev.args[0].offset)));
          out.runtimeError({ kind: 'helper', helper: ev.helper ?? 'unknown', retcode, locations });
        } else out.runtimeError({ kind: 'other', message: RUNTIME_ERROR_MESSAGES[ev.error], locations });
        return;
      }
      case 'join': {
        // The strings are the array field; an integer field before it counts the ones read (the rest is stale).
        const field = ev.args.find((a) => a.type.kind === 'array') ?? ev.args[0];
        const countField = ev.args.find((a) => a.type.kind === 'int');
        const v = decodeValue(field.type, record, field.offset, this.#o.decode);
        let strings = v.kind === 'array' ? v.elements.map((e) => (e.kind === 'string' ? e.value : '')) : [];
        if (countField) strings = strings.slice(0, Number(readU64(record, countField.offset)));
        out.join(formatJoin(strings, ev.separator));
        return;
      }
    }
  }
}

// bpftrace's wording of the run-time errors that are not a helper's.
const RUNTIME_ERROR_MESSAGES: Readonly<Record<Exclude<RuntimeErrorKind, 'helper'>, string>> = {
  divide_by_zero: 'Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.',
  array_out_of_bounds: 'Array access out of bounds. This can lead to unexpected results.',
};

// system(): through a shell, stdout and stderr together, as bpftrace runs it.
function runShell(command: string): string {
  try {
    return execFileSync('/bin/sh', ['-c', `exec 2>&1; ${command}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (err) {
    const e = err as { status?: number | null; stdout?: string };
    if (typeof e.status === 'number') throw new EventError(`command exited with code ${e.status}`);
    throw new EventError('child process did not exit normally');
  }
}

// cat(): the first `max` bytes of a file.
function readHead(path: string, max: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : String(code);
    throw new EventError(`failed to open file '${path}' (${reason})`);
  }
  try {
    const buf = Buffer.alloc(max);
    let got = 0;
    while (got < max) {
      const n = readSync(fd, buf, got, max - got, null);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('latin1');
  } finally {
    closeSync(fd);
  }
}
