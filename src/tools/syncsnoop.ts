// syncsnoop: calls that flush data to storage (sync, syncfs, fsync, fdatasync, msync, sync_file_range).
import { DURATION, NAME, PID, taskFilters, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

const CALLS = ['sync', 'syncfs', 'fsync', 'fdatasync', 'msync', 'sync_file_range'];

export const syncsnoop: ToolSpec = {
  name: 'syncsnoop',
  summary: 'Trace sync, fsync and the other flush calls',
  category: 'files',
  needs: CALLS.map((c) => ({ kind: 'tracepoint', event: `syscalls:sys_enter_${c}` }) as const),
  options: [PID, NAME, DURATION],
  examples: [['', 'trace all flush calls']],
  program(args) {
    const filter = predicate(...taskFilters('syncsnoop', args));
    return `BEGIN
{
  ${headerPrintf('%-11s %-7s %-16s %s\n', 'TIME(s)', 'PID', 'COMM', 'CALL')}
}

${CALLS.map(
  (c) => `tracepoint:syscalls:sys_enter_${c}
${filter}
{
  printf("%4d.%06d %-7d %-16s ${c}\\n", elapsed / 1000000000, (elapsed / 1000) % 1000000, pid, comm);
}
`,
).join('\n')}
${durationProbe(args)}`;
  },
};
