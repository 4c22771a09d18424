import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKernelBtf } from '../../btf/index.js';
import { atomic, exit, ldxMem, mov64Imm } from '../../isa/encode.js';
import { AtomicOp, JmpOp, Size } from '../../isa/opcodes.js';
import { AttachType, MapType, ProgType } from '../../sys/index.js';
import { asm, jumpIf, lookupSlot0 } from '../../../test/support/kernel-testkit.js';
import { haveIter, vmlinuxBtfId } from '../features.js';
import { createMap } from '../map.js';
import { loadProgram } from '../program.js';
import { AttachError, attachIter, closeAllLinks } from './index.js';

const iter = haveIter('task');
if (!iter.ok) console.log(`skipping the iterator tests: ${iter.reason}`);

const u64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);

describe.skipIf(!iter.ok)('attachIter', () => {
  const owned: { close(): void }[] = [];
  afterEach(() => {
    closeAllLinks();
    for (const o of owned.splice(0).reverse()) o.close();
  });

  it('runs the program once per task on each pass: it sees every thread of this process', () => {
    const btf = loadKernelBtf();
    const task = btf.findByName('task_struct', 'struct')!;
    const tgid = btf.findMember(task.id, 'tgid').byteOffset;
    const counter = createMap({ name: 'threads', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    owned.push(counter);
    // struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; }: task is NULL on the last call.
    const insns = asm([
      ldxMem(Size.DW, 6, 1, 8),
      jumpIf(JmpOp.JEQ, 6, 0, 'out'),
      ldxMem(Size.W, 7, 6, tgid),
      jumpIf(JmpOp.JNE, 7, process.pid, 'out'),
      ...lookupSlot0(counter.fd, 'out'),
      mov64Imm(1, 1),
      atomic(Size.DW, AtomicOp.ADD, 0, 1, 0),
      'out',
      mov64Imm(0, 0),
      exit(),
    ]);
    const prog = loadProgram({ name: 'threads', type: ProgType.TRACING, insns, expectedAttachType: AttachType.TRACE_ITER, attachBtfId: vmlinuxBtfId('bpf_iter_task', 'func')! });
    owned.push(prog);
    const link = attachIter(prog, 'task');
    expect(link.kind).toBe('iter');
    expect(link.description).toBe('bpf_iter_task');
    const threads = readdirSync('/proc/self/task').length;
    expect(link.run()).toBe(0); // the program writes no seq output
    expect(u64(counter.lookup(new Uint8Array(4))!)).toBe(BigInt(threads));
    link.run();
    expect(u64(counter.lookup(new Uint8Array(4))!)).toBe(BigInt(threads * 2));
    link.close();
  });

  it('refuses a program that was not loaded as an iterator', () => {
    const prog = loadProgram({ name: 'plain', type: ProgType.RAW_TRACEPOINT, insns: [mov64Imm(0, 0), exit()] });
    owned.push(prog);
    expect(() => attachIter(prog, 'task')).toThrow(AttachError);
  });
});
