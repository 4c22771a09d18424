// runqlen: CPU run queue length, sampled on every CPU, as a linear histogram. The length is read from the
// current task's CFS run queue through the kernel's BTF; its field has changed name across kernels
// (nr_running before 6.12-era reworks, nr_queued since), so the one this kernel has is picked here.
import { BtfLoadError, loadKernelBtf } from '../btf/index.js';
import { ToolUnavailableError } from './errors.js';
import type { ToolSpec } from './tool.js';

// Fields counting the entities queued on a cfs_rq, the current one included, in order of preference.
const LENGTH_FIELDS = ['nr_running', 'nr_queued'];

/** The cfs_rq field this kernel counts queued tasks in, or a reason there is none. */
export function cfsRqLengthField(): { field: string } | { reason: string } {
  let members: string[];
  try {
    const t = loadKernelBtf().findByName('cfs_rq', 'struct');
    if (!t || (t.kind !== 'struct' && t.kind !== 'union')) return { reason: 'no struct cfs_rq in the kernel BTF' };
    members = t.members.map((m) => m.name);
  } catch (err) {
    if (err instanceof BtfLoadError) return { reason: `kernel BTF is not readable: ${err.message}` };
    throw err;
  }
  const field = LENGTH_FIELDS.find((f) => members.includes(f));
  return field ? { field } : { reason: `struct cfs_rq has none of ${LENGTH_FIELDS.join(', ')}` };
}

export const runqlen: ToolSpec = {
  name: 'runqlen',
  summary: 'Sample CPU run queue length as a histogram',
  category: 'processes',
  needs: [{ kind: 'profile' }],
  options: [
    { key: 'frequency', short: 'F', long: 'frequency', value: 'int', metavar: 'HZ', help: 'samples per second per CPU (default 99)' },
    { key: 'cpus', short: 'C', long: 'cpus', help: 'a histogram per CPU' },
  ],
  positionals: [{ key: 'duration', help: 'stop after this many seconds' }],
  examples: [
    ['', 'queue lengths at Ctrl-C'],
    ['-C 10', 'per CPU, for ten seconds'],
  ],
  program(args) {
    const found = cfsRqLengthField();
    if ('reason' in found) throw new ToolUnavailableError('runqlen', found.reason);
    const hz = args.int('frequency') ?? 99;
    const duration = args.int('duration');
    return `BEGIN
{
  printf("Sampling run queue length at ${hz} Hertz... Hit Ctrl-C to end.\\n");
}

profile:hz:${hz}
{
  // The count includes the task running now; the queue is what waits behind it.
  $len = curtask->se.cfs_rq->${found.field};
  $len = $len > 0 ? $len - 1 : 0;
  @runqlen${args.flag('cpus') ? '[cpu]' : ''} = lhist($len, 0, 100, 1);
}
${duration !== undefined ? `\ninterval:s:${duration} { exit(); }\n` : ''}`;
  },
};
