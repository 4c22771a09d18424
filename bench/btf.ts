// BTF reader benchmark: cold parse + name index of vmlinux BTF in fresh processes, then lookup throughput.
// Run: node scripts/run-ts.mjs bench/btf.ts [runs]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseBtf } from '../src/btf/index.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

function cold(): { readMs: number; parseMs: number; indexMs: number } {
  const t0 = performance.now();
  const bytes = readFileSync(VMLINUX);
  const t1 = performance.now();
  const btf = parseBtf(bytes);
  const t2 = performance.now();
  if (btf.findByName('task_struct', 'struct') === undefined) throw new Error('task_struct not found');
  const t3 = performance.now();
  return { readMs: t1 - t0, parseMs: t2 - t1, indexMs: t3 - t2 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function rate(label: string, n: number, run: () => void): void {
  const t = performance.now();
  run();
  const ms = performance.now() - t;
  console.log(`${label.padEnd(44)} ${(n / (ms / 1000)).toFixed(0).padStart(10)} /s  (${n} in ${ms.toFixed(1)} ms)`);
}

if (process.argv.includes('--child')) {
  process.stdout.write(JSON.stringify(cold()));
} else {
  const runs = Number(process.argv[2] ?? 7);
  const results: { readMs: number; parseMs: number; indexMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'bench/btf.ts', '--child'], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`child run failed: ${child.stderr}`);
    results.push(JSON.parse(child.stdout) as { readMs: number; parseMs: number; indexMs: number });
  }
  const total = results.map((r) => r.readMs + r.parseMs + r.indexMs);
  console.log(`vmlinux BTF: ${readFileSync(VMLINUX).length} bytes; median of ${runs} fresh processes:`);
  console.log(`  read file        ${median(results.map((r) => r.readMs)).toFixed(1)} ms`);
  console.log(`  parse (scan)     ${median(results.map((r) => r.parseMs)).toFixed(1)} ms`);
  console.log(`  name index+find  ${median(results.map((r) => r.indexMs)).toFixed(1)} ms`);
  console.log(`  total            ${median(total).toFixed(1)} ms  (target < 150 ms)`);

  const btf = parseBtf(readFileSync(VMLINUX));
  const names: string[] = [];
  for (let id = 1; id <= btf.lastId; id += 7) {
    const n = btf.nameOf(id);
    if (n !== '') names.push(n);
  }
  rate(`findByName, first lookup of ${names.length} names`, names.length, () => {
    for (const n of names) btf.findByName(n);
  });
  rate('findByName(name, kind) repeated', 200_000, () => {
    for (let i = 0; i < 200_000; i++) btf.findByName('task_struct', 'struct');
  });
  const task = btf.getByName('task_struct', 'struct').id;
  rate("findMember(task_struct, 'se.cfs_rq')", 20_000, () => {
    for (let i = 0; i < 20_000; i++) btf.findMember(task, 'se.cfs_rq');
  });
  rate('typeById, every type (first materialisation)', btf.lastId, () => {
    for (let id = 1; id <= btf.lastId; id++) btf.typeById(id);
  });
  const funcs = [...btf.ids('func')];
  rate('funcProto + formatDecl of every FUNC', funcs.length, () => {
    for (const id of funcs) {
      const p = btf.funcProto(btf.nameOf(id));
      for (const a of p.params) btf.formatDecl(a.typeId, a.name);
    }
  });
}
