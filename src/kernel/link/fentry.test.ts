import { afterEach, describe, expect, it } from 'vitest';
import { AttachType, MapType, ProgType, sys } from '../../sys/index.js';
import { createMap, type BpfMap } from '../map.js';
import { loadProgram, type Program } from '../program.js';
import { attachFentry, attachFexit, closeAllLinks } from './index.js';
import { haveFentry, haveFexit, vmlinuxBtfId } from '../features.js';
import { skipUnless } from '../testing.js';
import { countProgram } from '../../../test/support/kernel-testkit.js';

const TARGET = '__do_sys_getpid';
const key0 = new Uint8Array(4);

// Loads and attaches a probe program; here a security module refuses fentry with EPERM after the verifier passes.
const skip = skipUnless(haveFentry()) || skipUnless(haveFexit());

describe('fentry and fexit', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  function load(attachType: number): { map: BpfMap; prog: Program } {
    const map = createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(map);
    const prog = loadProgram({ type: ProgType.TRACING, expectedAttachType: attachType as AttachType, attachBtfId: vmlinuxBtfId(TARGET, 'func')!, insns: countProgram({ pid: process.pid }, map.fd) });
    owned.push(prog);
    return { map, prog };
  }

  it.skipIf(skip !== false)(`fentry and fexit on ${TARGET} count exactly this process getpid calls`, () => {
    const entry = load(AttachType.TRACE_FENTRY);
    const exit = load(AttachType.TRACE_FEXIT);
    const l1 = attachFentry(entry.prog);
    const l2 = attachFexit(exit.prog);
    for (let i = 0; i < 40; i++) sys().getpid();
    l1.close();
    l2.close();
    const read = (m: BpfMap): bigint => new DataView(m.lookup(key0)!.buffer).getBigUint64(0, true);
    expect(read(entry.map)).toBe(40n);
    expect(read(exit.map)).toBe(40n);
  });
});
