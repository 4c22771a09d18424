import { loadKernelBtf } from '../src/btf/index.js';
const b = loadKernelBtf();
const t = b.findByName('task_struct', 'struct');
console.log(t?.id, t?.kind, b.formatType(t!.id));
const sig = b.rawTracepointArgs('sched_switch'); console.log(sig.params.map(p => [p.name, b.formatType(p.typeId)]));
