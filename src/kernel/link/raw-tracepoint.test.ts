import { afterEach, describe, expect, it } from 'vitest';
import { AttachType, MapType, ProgType } from '../../sys/index.js';
import { createMap, type BpfMap } from '../map.js';
import { loadProgram } from '../program.js';
import { AttachError, attachRawTracepoint, attachTpBtf, closeAllLinks } from './index.js';
import { vmlinuxBtfId } from '../features.js';
import { countProgram, getppid } from '../../../test/support/kernel-testkit.js';

const SYS_getppid = 110; // x86_64
const key0 = new Uint8Array(4);
const counter = (m: BpfMap): bigint => new DataView(m.lookup(key0)!.buffer).getBigUint64(0, true);

describe('raw tracepoints and tp_btf', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  function counterMap(): BpfMap {
    const map = createMap({ name: 'raw_count', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(map);
    return map;
  }

  it('raw tracepoint sys_enter counts exactly this process getppid calls (syscall id from args[1])', () => {
    const map = counterMap();
    const prog = loadProgram({
      name: 'raw_sys_enter',
      type: ProgType.RAW_TRACEPOINT,
      insns: countProgram({ pid: process.pid, arg: { offset: 8, value: SYS_getppid } }, map.fd),
    });
    owned.push(prog);
    const link = attachRawTracepoint(prog, 'sys_enter');
    expect(link.kind).toBe('raw_tracepoint');
    for (let i = 0; i < 123; i++) getppid();
    link.close();
    getppid();
    expect(counter(map)).toBe(123n);
  });

  it('names a missing raw tracepoint with ENOENT', () => {
    const map = counterMap();
    const prog = loadProgram({ type: ProgType.RAW_TRACEPOINT, insns: countProgram({ pid: process.pid }, map.fd) });
    owned.push(prog);
    expect(() => attachRawTracepoint(prog, 'no_such_tracepoint')).toThrow(/^Cannot attach raw_tracepoint to no_such_tracepoint: ENOENT: no such raw tracepoint/);
  });

  it('tp_btf sys_enter (attach_btf_id of btf_trace_sys_enter) counts exactly this process getppid calls', () => {
    const btfId = vmlinuxBtfId('btf_trace_sys_enter', 'typedef');
    expect(btfId).toBeGreaterThan(0);
    const map = counterMap();
    const prog = loadProgram({
      name: 'tpbtf_sys_enter',
      type: ProgType.TRACING,
      expectedAttachType: AttachType.TRACE_RAW_TP,
      attachBtfId: btfId,
      insns: countProgram({ pid: process.pid, arg: { offset: 8, value: SYS_getppid } }, map.fd),
    });
    owned.push(prog);
    const link = attachTpBtf(prog);
    expect(link.kind).toBe('tp_btf');
    for (let i = 0; i < 77; i++) getppid();
    link.close();
    getppid();
    expect(counter(map)).toBe(77n);
  });

  it('refuses a raw tracepoint program as tp_btf with a typed error', () => {
    const map = counterMap();
    const prog = loadProgram({ type: ProgType.RAW_TRACEPOINT, insns: countProgram({ pid: process.pid }, map.fd) });
    owned.push(prog);
    expect(() => attachTpBtf(prog)).toThrow(AttachError);
  });
});
