// path(): bpf_d_path on a `struct path *` or an embedded struct path. fentry programs cannot load on this
// machine (a security module refuses them), so this checks the helper call the code generator emits: the
// destination in scratch, the clamped size in r3. The refusal in other probe types is in
// test/runtime-e2e/lang4-compiler-fixes.test.ts.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/lang/index.js';
import { formatDiagnostics } from '../../src/lang/diagnostics.js';

const BPF_CALL = 0x85;
const BPF_MOV64_IMM = 0xb7;
const D_PATH = 147;

const haveBtf = existsSync('/sys/kernel/btf/vmlinux');
if (!haveBtf) console.log('skipping path() code generation tests: no kernel BTF for fentry arguments');

function dPathSizes(source: string): number[] {
  const r = compile(source, 'test.bt', { config: { max_strlen: 64 } });
  if (!r.artifact) throw new Error(formatDiagnostics(r.diagnostics));
  const insns = r.artifact.probes[0]!.insns;
  const sizes: number[] = [];
  insns.forEach((insn, i) => {
    if (insn.code !== BPF_CALL || insn.imm !== D_PATH) return;
    const prev = insns[i - 1]!;
    expect(prev.code).toBe(BPF_MOV64_IMM);
    expect(prev.dst).toBe(3);
    sizes.push(prev.imm);
  });
  return sizes;
}

describe.skipIf(!haveBtf)('path() code generation', () => {
  it('calls bpf_d_path with the given size, or max_strlen', () => {
    expect(dPathSizes('fentry:security_file_open { print(path(args.file.f_path, 48)); print(path(args.file.f_path)); }')).toEqual([48, 64]);
  });

  it('takes a struct path pointer and clamps a size above max_strlen', () => {
    expect(dPathSizes('fexit:vfs_open { print(path(args.path, 100)); }')).toEqual([64]);
  });
});
