import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MapType, ProgType } from '../sys/index.js';
import {
  ATTACH_KINDS,
  haveBatchOps,
  haveFentry,
  haveHelper,
  haveKprobes,
  haveMapType,
  haveProgType,
  haveRingbuf,
  haveTracepointAttach,
  haveUprobeAttach,
  openUprobeCheck,
  requireFeature,
  vmlinuxBtfId,
} from './features.js';
import { ensureTracefs, skipUnless } from './testing.js';

const HELPER_GET_CURRENT_PID_TGID = 14;
const HELPER_SKB_STORE_BYTES = 9;

describe('feature probes', () => {
  it('caches each probe', () => {
    expect(haveMapType(MapType.HASH)).toBe(haveMapType(MapType.HASH));
  });

  it('finds the basic program and map types (root on a BPF kernel)', () => {
    expect(haveProgType(ProgType.TRACEPOINT)).toMatchObject({ ok: true, reason: '' });
    expect(haveMapType(MapType.ARRAY)).toMatchObject({ ok: true, reason: '' });
    expect(haveRingbuf().ok).toBe(true);
    expect(haveBatchOps().ok).toBe(true);
  });

  it('tells allowed helpers from unknown and forbidden ones by the verifier log', () => {
    expect(haveHelper(ProgType.TRACEPOINT, HELPER_GET_CURRENT_PID_TGID).ok).toBe(true);
    const unknown = haveHelper(ProgType.TRACEPOINT, 99999);
    expect(unknown.ok).toBe(false);
    expect(unknown.reason).toMatch(/invalid func|unknown func/);
    // skb_store_bytes is a networking helper: tracepoint programs may not call it.
    expect(haveHelper(ProgType.TRACEPOINT, HELPER_SKB_STORE_BYTES).ok).toBe(false);
  });

  it('agrees with sysfs and tracefs on kprobes', () => {
    const root = ensureTracefs();
    const present = existsSync('/sys/bus/event_source/devices/kprobe') || existsSync(`${root}/kprobe_events`);
    expect(haveKprobes().ok).toBe(present);
  });

  it('attaches a tracepoint program through perf_event_open', () => {
    ensureTracefs();
    expect(haveTracepointAttach()).toMatchObject({ ok: true });
  });

  it.skipIf(skipUnless(haveUprobeAttach()))('opens a real uprobe event when the uprobe PMU is there', () => {
    expect(openUprobeCheck(false)).toMatchObject({ ok: true });
    expect(openUprobeCheck(true)).toMatchObject({ ok: true });
  });

  it('gives a reason for every unsupported attach kind', () => {
    for (const [name, probe] of ATTACH_KINDS) {
      const f = probe();
      if (!f.ok) expect(f.reason, name).not.toBe('');
    }
  });

  it('names EPERM and the security module when fentry is refused', () => {
    const f = haveFentry();
    if (f.ok) console.warn('note: fentry works here; the refusal reason is not exercised');
    else expect(f.reason).toMatch(/^(EPERM: refused by a security module or lockdown|no bpf_fentry_test1)/);
  });
});

describe('skipUnless', () => {
  it('is false for a working feature and the reason otherwise', () => {
    expect(skipUnless({ name: 'x', ok: true, reason: '' })).toBe(false);
    expect(skipUnless({ name: 'thing', ok: false, reason: 'ENOENT' })).toBe('thing is not supported here: ENOENT');
  });
});

const bpftool = ['/usr/sbin/bpftool', '/usr/bin/bpftool'].find((p) => existsSync(p));
describe.skipIf(!bpftool && 'bpftool is not installed')('vmlinuxBtfId', () => {
  it('finds the same ids as bpftool', () => {
    const raw = execFileSync(bpftool ?? 'bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const idOf = (kind: string, name: string): number | undefined => {
      const m = new RegExp(`^\\[(\\d+)\\] ${kind} '${name}'`, 'm').exec(raw);
      return m ? Number(m[1]) : undefined;
    };
    expect(vmlinuxBtfId('btf_trace_sys_enter', 'typedef')).toBe(idOf('TYPEDEF', 'btf_trace_sys_enter'));
    expect(vmlinuxBtfId('bpf_fentry_test1', 'func')).toBe(idOf('FUNC', 'bpf_fentry_test1'));
    expect(vmlinuxBtfId('vfs_read', 'func')).toBe(idOf('FUNC', 'vfs_read'));
    expect(vmlinuxBtfId('no_such_function_anywhere', 'func')).toBeUndefined();
  });
});

describe('requireFeature', () => {
  it('throws UnsupportedFeatureError with the reason', () => {
    expect(() => requireFeature({ name: 'kprobes', ok: false, reason: 'no kprobe PMU' })).toThrow('kprobes is not supported here: no kprobe PMU');
    expect(() => requireFeature({ name: 'x', ok: true, reason: '' })).not.toThrow();
  });
});
