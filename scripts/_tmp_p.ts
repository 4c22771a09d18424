import { parse, printAst } from '../src/lang/index.js';
const r = parse(process.argv[2]!, 'stdin');
console.log(printAst(r.program));
console.log(r.diagnostics.all.map(d=>d.message));
