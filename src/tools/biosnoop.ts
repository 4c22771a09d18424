// biosnoop: each block I/O with the process that issued it, its device, offset, size and latency.
import { DURATION, NAME, PID, taskFilters, durationProbe } from './common.js';
import { CLEAR_SUBMITTERS, FORGET_SUBMITTER, RQ, submitterProbes } from './block-common.js';
import { headerPrintf } from './program.js';
import type { ToolSpec } from './tool.js';

export const biosnoop: ToolSpec = {
  name: 'biosnoop',
  summary: 'Trace block I/O with its issuer, size and latency',
  category: 'disks',
  needs: [
    { kind: 'tracepoint', event: 'block:block_rq_insert' },
    { kind: 'tracepoint', event: 'block:block_rq_issue' },
    { kind: 'tracepoint', event: 'block:block_rq_complete' },
  ],
  options: [{ ...PID, help: 'trace I/O issued by this process only' }, { ...NAME, help: 'trace I/O issued by tasks with this name only' }, DURATION],
  examples: [
    ['', 'trace all block I/O'],
    ['-n dd', 'only I/O that tasks named dd issue'],
  ],
  program(args) {
    const key = RQ;
    const filter = taskFilters('biosnoop', args).join(' && ');
    return `BEGIN
{
  ${headerPrintf('%-11s %-16s %-7s %-7s %-4s %-10s %7s %8s\n', 'TIME(s)', 'COMM', 'PID', 'DEV', 'RWBS', 'SECTOR', 'BYTES', 'LAT(ms)')}
}

${submitterProbes(filter, `@start[${key}] = nsecs;\n@bytes[${key}] = args.bytes;`)}
tracepoint:block:block_rq_complete
/@start[${key}]/
{
  $lat = (nsecs - @start[${key}]) / 1000;
  printf("%4d.%06d %-16s %-7d %3d,%-3d %-4s %-10d %7d %4d.%03d\\n", elapsed / 1000000000, (elapsed / 1000) % 1000000,
    @who_comm[${key}], @who_pid[${key}], args.dev >> 20, args.dev & 0xfffff, args.rwbs, args.sector, @bytes[${key}], $lat / 1000, $lat % 1000);
  delete(@start[${key}]);
  ${FORGET_SUBMITTER.split('\n').join('\n  ')}
  delete(@bytes[${key}]);
}

${durationProbe(args)}END
{
  clear(@start);
  ${CLEAR_SUBMITTERS.split('\n').join('\n  ')}
  clear(@bytes);
}
`;
  },
};
