import { compile, formatDiagnostics, dumpBytecode } from '../src/lang/index.js';
const r = compile(process.argv[2]!, 'x.bt', {});
console.log(formatDiagnostics(r.diagnostics));
if (r.artifact) console.log(dumpBytecode(r.artifact));
