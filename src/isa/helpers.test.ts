import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Helper, HELPER_MAX_ID, helperId, helperName } from './helpers.js';

/** `bpftool btf dump` prints enum members as `'BPF_FUNC_name' val=N`; undefined when bpftool is missing. */
function kernelHelpers(): Map<number, string> | undefined {
  const vmlinux = '/sys/kernel/btf/vmlinux';
  if (!existsSync(vmlinux)) return undefined;
  let out: string;
  try {
    out = execFileSync('bpftool', ['btf', 'dump', 'file', vmlinux], { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch {
    return undefined;
  }
  const found = new Map<number, string>();
  for (const m of out.matchAll(/'BPF_FUNC_(\w+)' val=(\d+)/g)) found.set(Number(m[2]), `bpf_${m[1]}`);
  return found;
}

const fromKernel = kernelHelpers();
if (!fromKernel) console.log('helpers.test: bpftool or /sys/kernel/btf/vmlinux missing, not comparing with the kernel');

describe('helpers', () => {
  it('maps ids to names and back', () => {
    expect(helperName(1)).toBe('bpf_map_lookup_elem');
    expect(helperName(Helper.ringbuf_output)).toBe('bpf_ringbuf_output');
    expect(helperName(HELPER_MAX_ID - 1)).toBe('bpf_cgrp_storage_delete');
    expect(helperName(HELPER_MAX_ID)).toBeUndefined();
    expect(helperName(-1)).toBeUndefined();
    expect(helperId('bpf_get_current_pid_tgid')).toBe(14);
    expect(helperId('probe_read_kernel')).toBe(113);
    expect(helperId('bpf_no_such_helper')).toBeUndefined();
    expect(helperId('toString')).toBeUndefined();
  });

  it('has one name per id, ids 0 to HELPER_MAX_ID - 1 without gaps', () => {
    const ids = Object.values(Helper).sort((a, b) => a - b);
    expect(ids).toEqual([...Array(HELPER_MAX_ID).keys()]);
    for (const id of ids) expect(helperId(helperName(id)!)).toBe(id);
  });

  it.skipIf(!fromKernel)('agrees with the running kernel enum bpf_func_id', () => {
    const kernel = fromKernel!;
    // This kernel may know helpers added after this table (never fewer: ids are append-only ABI).
    expect(kernel.size).toBeGreaterThanOrEqual(HELPER_MAX_ID);
    for (let id = 0; id < HELPER_MAX_ID; id++) expect(helperName(id), `id ${id}`).toBe(kernel.get(id));
  });
});
