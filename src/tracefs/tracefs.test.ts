import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEventFormat, TraceEvents, TracefsError, tracefsRoot } from './index.js';

interface RawField { name: string; offset: number; size: number; signed: boolean }

/** Fields straight from the format file with one regex: the name is the last identifier of the declaration. */
function rawFields(category: string, name: string): RawField[] {
  const text = readFileSync(`${tracefsRoot()}/events/${category}/${name}/format`, 'utf8');
  return [...text.matchAll(/field:[^;]*?(\w+)(?:\[[^\]]*\])?;\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d)/g)].map((m) => ({
    name: m[1] ?? '',
    offset: Number(m[2]),
    size: Number(m[3]),
    signed: m[4] === '1',
  }));
}

/** The kernel's own list of events, "category:name" per line. */
function availableEvents(): string[] {
  return readFileSync(`${tracefsRoot()}/available_events`, 'utf8').trim().split('\n');
}

describe('tracefs', () => {
  const events = new TraceEvents();

  it('is found at /sys/kernel/tracing', () => {
    expect(tracefsRoot()).toBe('/sys/kernel/tracing');
    expect(events.root).toBe('/sys/kernel/tracing');
  });

  it('reads syscalls:sys_enter_openat as its format file says', () => {
    const f = events.format('syscalls', 'sys_enter_openat');
    const raw = rawFields('syscalls', 'sys_enter_openat');
    const all = [...f.commonFields, ...f.fields];
    expect(all.map(({ name, offset, size, signed }) => ({ name, offset, size, signed }))).toEqual(raw);
    expect(f.commonFields.map((x) => x.name)).toEqual(['common_type', 'common_flags', 'common_preempt_count', 'common_pid']);
    const byName = new Map(f.fields.map((x) => [x.name, x]));
    for (const name of ['filename', 'flags', 'mode']) {
      expect(byName.get(name)?.offset, name).toBe(raw.find((r) => r.name === name)?.offset);
    }
    expect(byName.get('filename')).toMatchObject({ type: 'const char *', isArray: false, isDataLoc: false, size: 8 });
    expect(f.id).toBe(Number(readFileSync(`${tracefsRoot()}/events/syscalls/sys_enter_openat/id`, 'utf8')));
    expect(events.id('syscalls', 'sys_enter_openat')).toBe(f.id);
    expect(f.name).toBe('sys_enter_openat');
  });

  it('reads the char[16] arrays of sched:sched_switch', () => {
    const f = events.format('sched', 'sched_switch');
    const raw = rawFields('sched', 'sched_switch').filter((r) => !r.name.startsWith('common_'));
    expect(f.fields.map(({ name, offset, size, signed }) => ({ name, offset, size, signed }))).toEqual(raw);
    for (const name of ['prev_comm', 'next_comm']) {
      expect(f.fields.find((x) => x.name === name)).toMatchObject({ type: 'char', isArray: true, arrayLength: 16, size: 16, isDataLoc: false });
    }
    expect(f.fields.find((x) => x.name === 'prev_pid')).toMatchObject({ type: 'pid_t', isArray: false, signed: true });
  });

  it('recognises the __data_loc filename of sched:sched_process_exec', () => {
    const f = events.format('sched', 'sched_process_exec');
    const raw = rawFields('sched', 'sched_process_exec').find((r) => r.name === 'filename');
    expect(f.fields.find((x) => x.name === 'filename')).toEqual({
      name: 'filename',
      type: 'char',
      decl: '__data_loc char[] filename',
      offset: raw?.offset,
      size: 4,
      signed: false,
      isDataLoc: true,
      isRelLoc: false,
      isArray: true,
      arrayLength: undefined,
    });
  });

  it('matches globs as the kernel event list does', () => {
    const all = availableEvents();
    const count = (re: RegExp): number => all.filter((e) => re.test(e)).length;
    expect(events.match('syscalls:sys_enter_*').length).toBe(count(/^syscalls:sys_enter_/));
    expect(events.match('*:*open*').length).toBe(count(/^[^:]+:.*open/));
    expect(events.match('sched:sched_switch')).toEqual([{ category: 'sched', name: 'sched_switch' }]);
    expect(events.match('sched:sched_sw?tch').length).toBe(1);
    expect(events.match('nope:nothing')).toEqual([]);
    expect(events.match('*:*').map((e) => `${e.category}:${e.name}`).sort()).toEqual([...all].sort());
    expect(events.categories()).toEqual([...new Set(all.map((e) => e.split(':')[0]))].sort());
    expect(() => events.match('no_colon')).toThrow(TracefsError);
  });

  it('parses every format file on this machine, ids agreeing with the id files', () => {
    let dataLocs = 0;
    for (const category of events.categories()) {
      for (const name of readdirSync(`${events.root}/events/${category}`)) {
        if (name === 'enable' || name === 'filter') continue;
        const f = events.format(category, name);
        expect(f.name).toBe(name);
        expect([...f.commonFields, ...f.fields].length).toBe(rawFields(category, name).length);
        dataLocs += f.fields.filter((x) => x.isDataLoc).length;
      }
    }
    expect(dataLocs).toBeGreaterThan(0);
  });

  it('names the tracepoint when it does not exist', () => {
    expect(() => events.format('sched', 'no_such_event')).toThrow('Cannot find tracepoint sched:no_such_event: no /sys/kernel/tracing/events/sched/no_such_event/format');
    expect(() => events.id('nope', 'nothing')).toThrow(TracefsError);
    expect(events.has('sched', 'sched_switch')).toBe(true);
    expect(events.has('sched', 'nothing')).toBe(false);
  });
});

describe('event format text', () => {
  const text = [
    'name: example',
    'ID: 42',
    'format:',
    '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
    '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
    '',
    '\tfield:__rel_loc u8[] blob;\toffset:8;\tsize:4;\tsigned:0;',
    '\tfield:u8 addr[sizeof(struct sockaddr_in6)];\toffset:12;\tsize:28;\tsigned:0;',
    '\tfield:char buf[];\toffset:40;\tsize:0;\tsigned:0;',
    '\tfield:unsigned long args[6];\toffset:40;\tsize:48;\tsigned:0;',
    '',
    'print fmt: "%d", REC->x',
  ].join('\n');

  it('reads dynamic, expression-sized and flexible arrays', () => {
    const f = parseEventFormat(text);
    expect(f.id).toBe(42);
    expect(f.printFmt).toBe('"%d", REC->x');
    expect(f.commonFields.length).toBe(2);
    expect(f.fields.map((x) => [x.name, x.type, x.isDataLoc, x.isRelLoc, x.isArray, x.arrayLength])).toEqual([
      ['blob', 'u8', true, true, true, undefined],
      ['addr', 'u8', false, false, true, 28],
      ['buf', 'char', false, false, true, 0],
      ['args', 'unsigned long', false, false, true, 6],
    ]);
  });

  it('rejects a file without an ID', () => {
    expect(() => parseEventFormat('name: x\nformat:\n', 'x/format')).toThrow('Cannot parse event format x/format: no ID line');
  });
});
