import { compile, formatDiagnostics } from '../src/lang/index.js';
const t0 = performance.now();
const r = compile(process.argv[2]!, 'x.bt', { positional: process.argv.slice(3) });
console.log(formatDiagnostics(r.diagnostics));
console.log(r.artifact?.probes.length, 'probes', (performance.now() - t0).toFixed(0), 'ms', r.artifact?.probes.map(p => p.insns.length).slice(0, 5));
