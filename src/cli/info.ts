// `bpfkit --info`: what this kernel offers, each item found by trying it (probes run once, in this process).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import {
  ATTACH_KINDS,
  type Feature,
  haveBatchOps,
  haveBpfStats,
  haveMapType,
  haveProgType,
  mapTypeName,
  PROBED_MAP_TYPES,
  PROBED_PROG_TYPES,
  progTypeName,
} from '../kernel/features.js';

type Row = readonly [string, string];

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function btfLine(): string {
  const path = '/sys/kernel/btf/vmlinux';
  if (!existsSync(path)) return 'no (no /sys/kernel/btf/vmlinux: the kernel lacks CONFIG_DEBUG_INFO_BTF)';
  return `yes (${path}, ${(statSync(path).size / (1024 * 1024)).toFixed(1)} MB)`;
}

function lockdownLine(): string {
  const text = readTrimmed('/sys/kernel/security/lockdown');
  if (text === undefined) {
    return existsSync('/sys/kernel/security/integrity') || existsSync('/sys/kernel/security/lsm')
      ? 'unknown (no lockdown file: the kernel has no lockdown LSM)'
      : 'unknown (/sys/kernel/security is not mounted)';
  }
  // The active mode is the bracketed one: "none [integrity] confidentiality".
  return /\[(\w+)\]/.exec(text)?.[1] ?? text;
}

function unprivLine(): string {
  const v = readTrimmed('/proc/sys/kernel/unprivileged_bpf_disabled');
  const meaning: Record<string, string> = {
    '0': 'unprivileged BPF allowed',
    '1': 'unprivileged BPF off until reboot',
    '2': 'unprivileged BPF off; root may turn it on',
  };
  return v === undefined ? 'unknown (not readable)' : `${v} (${meaning[v] ?? 'unknown value'})`;
}

function jitLine(): string {
  const v = readTrimmed('/proc/sys/net/core/bpf_jit_enable');
  const meaning: Record<string, string> = { '0': 'off', '1': 'on', '2': 'on, with debug output' };
  return v === undefined ? 'unknown (not readable)' : `${v} (${meaning[v] ?? 'unknown value'})`;
}

function verdict(f: Feature): string {
  return f.ok ? 'yes' : `no (${f.reason})`;
}

function section(title: string, rows: readonly Row[], width: number): string {
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

export function infoReport(): string {
  const system: Row[] = [
    ['kernel release', release()],
    ['BTF', btfLine()],
    ['lockdown', lockdownLine()],
    ['unprivileged_bpf_disabled', unprivLine()],
    ['JIT', jitLine()],
    ['running as', process.getuid?.() === 0 ? 'root' : `uid ${process.getuid?.() ?? '?'} (most probes need root)`],
  ];
  const progs: Row[] = PROBED_PROG_TYPES.map((t) => [progTypeName(t), verdict(haveProgType(t))]);
  const maps: Row[] = PROBED_MAP_TYPES.map((t) => [mapTypeName(t), verdict(haveMapType(t))]);
  const attach: Row[] = ATTACH_KINDS.map(([name, probe]) => [name, verdict(probe())]);
  const other: Row[] = [
    ['batch map operations', verdict(haveBatchOps())],
    ['BPF_ENABLE_STATS', verdict(haveBpfStats())],
  ];
  const width = Math.max(...[system, progs, maps, attach, other].flat().map(([k]) => k.length));
  return [
    section('System', system, width),
    section('Program types', progs, width),
    section('Map types', maps, width),
    section('Attach kinds', attach, width),
    section('Other', other, width),
  ].join('\n\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    process.stderr.write(`ERROR: bpfkit --info takes no arguments: got ${argv.join(' ')}\n`);
    return 1;
  }
  process.stdout.write(`${infoReport()}\n`);
  return 0;
}
