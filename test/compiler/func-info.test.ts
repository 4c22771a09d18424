// Programs with callback subprograms (for over a map: bpf_for_each_map_elem) load through the kernel layer's
// BTF object and func_info support, and the verifier accepts them.
import { afterEach, describe, expect, it } from 'vitest';
import { applyRelocations } from '../../src/isa/index.js';
import { createMap, loadBtfObject, loadProgram, type BpfMap, type BtfObject, type Program } from '../../src/kernel/index.js';
import { compile } from '../../src/lang/index.js';
import { formatDiagnostics } from '../../src/lang/diagnostics.js';

describe('func_info', () => {
  const open: Array<BpfMap | BtfObject | Program> = [];
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });

  it('loads a program iterating a map with its BTF and function records', () => {
    const r = compile('tracepoint:syscalls:sys_enter_getpgid { @m[1] = 1; for ($kv : @m) { @n = $kv.1; } }', 'test.bt');
    if (!r.artifact) throw new Error(formatDiagnostics(r.diagnostics));
    const artifact = r.artifact;
    const program = artifact.probes.find((p) => p.funcInfo.length > 0);
    expect(program, 'a program with callbacks').toBeDefined();
    if (!program) return;

    const fds = new Map<string, number>();
    for (const spec of artifact.maps) {
      const m = createMap({ name: spec.name, type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries, flags: spec.flags ?? 0 });
      open.push(m);
      fds.set(spec.name, m.fd);
    }
    const btf = loadBtfObject(artifact.btf);
    open.push(btf);
    const prog = loadProgram({
      name: program.name,
      type: program.progType,
      insns: applyRelocations(program.insns, program.relocations, (name) => fds.get(name)),
      funcInfo: { btfFd: btf.fd, records: program.funcInfo },
    });
    open.push(prog);
    expect(prog.fd).toBeGreaterThan(0);
    // The kernel kept one function record per subprogram: the main program and each callback.
    expect(program.funcInfo.length).toBeGreaterThanOrEqual(2);
    expect(prog.info().verifiedInsns).toBeGreaterThan(0);
  });
});
