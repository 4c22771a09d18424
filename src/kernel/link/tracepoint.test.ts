import { afterEach, describe, expect, it } from 'vitest';
import { MapType, ProgType } from '../../sys/index.js';
import { createMap, type BpfMap } from '../map.js';
import { loadProgram, type Program } from '../program.js';
import { AttachError, attachTracepoint, closeAllLinks, openLinkCount } from './index.js';
import { countProgram, markedCall, markedCalls } from '../../../test/support/kernel-testkit.js';

const key0 = new Uint8Array(4);
const counter = (m: BpfMap): bigint => new DataView(m.lookup(key0)!.buffer).getBigUint64(0, true);

describe('attachTracepoint', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  function setup(): { map: BpfMap; prog: Program } {
    const map = createMap({ name: 'tp_count', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(map);
    const prog = loadProgram({ name: 'tp_count', type: ProgType.TRACEPOINT, insns: countProgram(markedCalls(), map.fd) });
    owned.push(prog);
    return { map, prog };
  }

  it('counts exactly the marked getpgid calls this process makes, and stops counting once closed', () => {
    const { map, prog } = setup();
    const link = attachTracepoint(prog, 'syscalls', 'sys_enter_getpgid');
    expect(link.kind).toBe('tracepoint');
    expect(link.description).toBe('syscalls:sys_enter_getpgid');
    for (let i = 0; i < 250; i++) markedCall();
    expect(counter(map)).toBe(250n);
    link.close();
    for (let i = 0; i < 10; i++) markedCall();
    expect(counter(map)).toBe(250n);
  });

  it('detaches every open link through closeAllLinks', () => {
    const { map, prog } = setup();
    // The kernel refuses the same program twice on one tracepoint (EEXIST), so the second link gets a twin.
    const twin = loadProgram({ name: 'tp_count2', type: ProgType.TRACEPOINT, insns: countProgram(markedCalls(), map.fd) });
    owned.push(twin);
    const before = openLinkCount();
    attachTracepoint(prog, 'syscalls', 'sys_enter_getpgid');
    attachTracepoint(twin, 'syscalls', 'sys_enter_getpgid');
    expect(openLinkCount()).toBe(before + 2);
    for (let i = 0; i < 7; i++) markedCall();
    expect(counter(map)).toBe(14n); // two links, each runs the program once per call
    closeAllLinks();
    expect(openLinkCount()).toBe(0);
    markedCall();
    expect(counter(map)).toBe(14n);
  });

  it('names a missing tracepoint with ENOENT', () => {
    const { prog } = setup();
    let caught: unknown;
    try {
      attachTracepoint(prog, 'syscalls', 'sys_enter_foo');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AttachError);
    const err = caught as AttachError;
    expect(err.code).toBe('ENOENT');
    expect(err.message).toMatch(/^Cannot attach tracepoint to syscalls:sys_enter_foo: ENOENT: no such tracepoint syscalls:sys_enter_foo/);
  });

  it('refuses a program of the wrong type with a typed error', () => {
    const map = createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(map);
    const raw = loadProgram({ name: 'raw', type: ProgType.RAW_TRACEPOINT, insns: countProgram(markedCalls(), map.fd) });
    owned.push(raw);
    expect(() => attachTracepoint(raw, 'syscalls', 'sys_enter_getpgid')).toThrow(AttachError);
    expect(openLinkCount()).toBe(0);
  });
});
