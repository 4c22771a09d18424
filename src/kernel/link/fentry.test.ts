import { afterEach, describe, expect, it } from 'vitest';
import { AttachType, MapType, ProgType, sys, SysError } from '../../sys/index.js';
import { createMap, type BpfMap } from '../map.js';
import { loadProgram, type Program } from '../program.js';
import { attachFentry, attachFexit, closeAllLinks } from './index.js';
import { BtfKind, countProgram, vmlinuxTypeId } from './testkit.js';

const TARGET = '__do_sys_getpid';
const key0 = new Uint8Array(4);

// The feature probe: load a real fentry program. Security modules refuse it here with EPERM after the verifier passes.
function probe(): { reason?: string } {
  const id = vmlinuxTypeId(TARGET, BtfKind.FUNC);
  if (id === undefined) return { reason: `no BTF FUNC ${TARGET}` };
  const map = createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
  try {
    loadProgram({ type: ProgType.TRACING, expectedAttachType: AttachType.TRACE_FENTRY, attachBtfId: id, insns: countProgram({ pid: process.pid }, map.fd) }).close();
    return {};
  } catch (e) {
    // Only "the kernel will not": a verifier rejection of this program would be a bug and must fail the run.
    if (e instanceof SysError && ['EPERM', 'EACCES', 'ENOTSUPP', 'EOPNOTSUPP'].includes(e.code)) {
      return { reason: `fentry programs cannot be loaded here: ${e.message}` };
    }
    throw e;
  } finally {
    map.close();
  }
}

const feature = probe();
if (feature.reason) console.log(`skipping fentry/fexit tests: ${feature.reason}`);

describe('fentry and fexit', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  function load(attachType: number): { map: BpfMap; prog: Program } {
    const map = createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(map);
    const prog = loadProgram({ type: ProgType.TRACING, expectedAttachType: attachType as AttachType, attachBtfId: vmlinuxTypeId(TARGET, BtfKind.FUNC)!, insns: countProgram({ pid: process.pid }, map.fd) });
    owned.push(prog);
    return { map, prog };
  }

  it.skipIf(feature.reason !== undefined)(`fentry and fexit on ${TARGET} count exactly this process getpid calls`, () => {
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
