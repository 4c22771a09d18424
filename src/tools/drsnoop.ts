// drsnoop: memory reclaim done in the allocating task's own context (direct reclaim, and reclaim forced by a
// memory cgroup's limit), with its latency and the pages it freed, from the vmscan tracepoints.
import { DURATION, NAME, PID, taskFilters, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

const KINDS: ReadonlyArray<readonly [string, string]> = [
  ['direct', 'mm_vmscan_direct_reclaim'],
  ['memcg', 'mm_vmscan_memcg_reclaim'],
];

export const drsnoop: ToolSpec = {
  name: 'drsnoop',
  summary: 'Trace direct and memory cgroup reclaim with latency',
  category: 'memory',
  needs: KINDS.flatMap(([, tp]) => [
    { kind: 'tracepoint', event: `vmscan:${tp}_begin` } as const,
    { kind: 'tracepoint', event: `vmscan:${tp}_end` } as const,
  ]),
  options: [PID, NAME, DURATION],
  examples: [
    ['', 'trace all reclaim in task context'],
    ['-p 185', 'only PID 185'],
  ],
  program(args) {
    const filter = predicate(...taskFilters('drsnoop', args));
    const blocks = KINDS.map(
      ([kind, tp]) => `tracepoint:vmscan:${tp}_begin
${filter}
{
  @start[tid] = nsecs;
}

tracepoint:vmscan:${tp}_end
/@start[tid]/
{
  $us = (nsecs - @start[tid]) / 1000;
  printf("%-8s %-16s %-7d %-6s %4d.%03d %d\\n", strftime("%H:%M:%S", nsecs), comm, pid, "${kind}", $us / 1000, $us % 1000, args.nr_reclaimed);
  delete(@start[tid]);
}
`,
    ).join('\n');
    return `BEGIN
{
  ${headerPrintf('%-8s %-16s %-7s %-6s %8s %s\n', 'TIME', 'COMM', 'PID', 'TYPE', 'LAT(ms)', 'PAGES')}
}

${blocks}
${durationProbe(args)}END
{
  clear(@start);
}
`;
  },
};
