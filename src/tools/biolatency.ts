// biolatency: block I/O latency as a histogram, from issue (or insert, with -Q) to completion.
import { NAME, PID, taskFilters, TIMESTAMP } from './common.js';
import { FORGET_SUBMITTER, RQ, submitterProbes } from './block-common.js';
import { intervalBlock, intervalConfig, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const biolatency: ToolSpec = {
  name: 'biolatency',
  summary: 'Summarize block I/O latency as a histogram',
  category: 'disks',
  needs: [
    { kind: 'tracepoint', event: 'block:block_rq_insert' },
    { kind: 'tracepoint', event: 'block:block_rq_issue' },
    { kind: 'tracepoint', event: 'block:block_rq_complete' },
  ],
  options: [
    TIMESTAMP,
    { key: 'ms', short: 'm', long: 'milliseconds', help: 'histogram in milliseconds' },
    { key: 'disks', short: 'D', long: 'disks', help: 'a histogram per disk (major, minor)' },
    { key: 'queued', short: 'Q', long: 'queued', help: 'include the time queued in the kernel' },
    { key: 'flags', short: 'F', long: 'flags', help: 'a histogram per I/O flags (rwbs)' },
    { ...PID, help: 'count I/O issued by this process only' },
    { ...NAME, help: 'count I/O issued by tasks with this name only' },
  ],
  positionals: [
    { key: 'interval', help: 'print every this many seconds' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [
    ['', 'one histogram at Ctrl-C'],
    ['1 10', 'print every second, ten times'],
    ['-mQ', 'milliseconds, including queue time'],
    ['-D', 'a histogram per disk'],
  ],
  program(args) {
    const unit = args.flag('ms') ? 'msecs' : 'usecs';
    const div = args.flag('ms') ? 1000000 : 1000;
    const keyParts = [
      ...(args.flag('disks') ? ['args.dev >> 20', 'args.dev & 0xfffff'] : []),
      ...(args.flag('flags') ? ['args.rwbs'] : []),
    ];
    const key = keyParts.length > 0 ? `[${keyParts.join(', ')}]` : '';
    const filter = taskFilters('biolatency', args);
    const queued = args.flag('queued');
    // With -Q the clock starts at insert; requests dispatched straight to the driver skip insert, so issue
    // starts it only when insert did not.
    // With -Q the clock starts at insert; requests dispatched straight to the driver skip insert, so issue
    // starts it only when insert did not. Without -Q it starts at issue, for the requests whose submitter
    // passes the filter (see block-common).
    const start = queued
      ? `tracepoint:block:block_rq_insert
${predicate(...filter)}
{
  @start[args.dev, args.sector] = nsecs;
}

tracepoint:block:block_rq_issue
${predicate('!@start[args.dev, args.sector]', ...filter)}
{
  @start[args.dev, args.sector] = nsecs;
}
`
      : filter.length === 0
        ? `tracepoint:block:block_rq_issue
{
  @start[args.dev, args.sector] = nsecs;
}
`
        : submitterProbes(filter.join(' && '), `@start[${RQ}] = nsecs;\n${FORGET_SUBMITTER}`);
    const interval = args.int('interval');
    const stamp = args.flag('timestamp') ? 'time("%H:%M:%S\\n");\n' : '';
    return `${intervalConfig(interval, args.int('count'))}BEGIN
{
  printf("Tracing block device I/O... Hit Ctrl-C to end.\\n");
}

${start}
tracepoint:block:block_rq_complete
/@start[args.dev, args.sector]/
{
  @${unit}${key} = hist((nsecs - @start[args.dev, args.sector]) / ${div});
  delete(@start[args.dev, args.sector]);
}

${intervalBlock(interval, args.int('count'), `printf("\\n");\n${stamp}print(@${unit});\nclear(@${unit});`)}END
{
  clear(@start);${filter.length > 0 && !queued ? '\n  clear(@who_pid);\n  clear(@who_comm);' : ''}${interval !== undefined ? `\n  clear(@${unit});` : ''}
}
`;
  },
};
