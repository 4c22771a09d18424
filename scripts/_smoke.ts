import { compileOk, load, getpgid } from '../test/compiler/harness.js';
import { dumpBytecode } from '../src/lang/index.js';
const src = process.argv[2]!.replace(/PID/g, String(process.pid));
const art = compileOk(src);
if (process.argv[3]) console.log(dumpBytecode(art));
const l = load(art);
try {
  l.fire('begin');
  getpgid(1234567);
  console.log(l.drain().map(r => [r.id, Buffer.from(r.bytes).toString('hex')]));
  for (const [n, m] of l.maps) if (n.startsWith('@')) console.log(n, [...m.entries()].map(([k, v]) => [Buffer.from(k).toString('hex'), Buffer.from(v).toString('hex').slice(0, 64)]));
} finally { l.close(); }
