// biostacks: block I/O latency histograms keyed by the kernel stack that issued the request (taken at
// block:block_rq_issue, in the issuing task's context when it submits directly).
import { NAME, PID, taskFilters } from './common.js';
import { FORGET_SUBMITTER, submitterProbes } from './block-common.js';
import type { ToolSpec } from './tool.js';

export const biostacks: ToolSpec = {
  name: 'biostacks',
  summary: 'Show block I/O latency by issuing kernel stack',
  category: 'disks',
  needs: [
    { kind: 'tracepoint', event: 'block:block_rq_insert' },
    { kind: 'tracepoint', event: 'block:block_rq_issue' },
    { kind: 'tracepoint', event: 'block:block_rq_complete' },
  ],
  options: [{ ...PID, help: 'count I/O issued by this process only' }, { ...NAME, help: 'count I/O issued by tasks with this name only' }],
  positionals: [{ key: 'duration', help: 'stop after this many seconds' }],
  examples: [['', 'latency by issuing stack at Ctrl-C']],
  program(args) {
    const key = 'args.dev, args.sector';
    const duration = args.int('duration');
    return `BEGIN
{
  printf("Tracing block I/O with issue stacks. Hit Ctrl-C to end.\\n");
}

// The stack is the issuing one (a worker's, when the submitter's request was queued first).
${submitterProbes(taskFilters('biostacks', args).join(' && '), `@start[${key}] = nsecs;\n@stack[${key}] = kstack;\n${FORGET_SUBMITTER}`)}
tracepoint:block:block_rq_complete
/@start[${key}]/
{
  @usecs[@stack[${key}]] = hist((nsecs - @start[${key}]) / 1000);
  delete(@start[${key}]);
  delete(@stack[${key}]);
}
${duration !== undefined ? `\ninterval:s:${duration} { exit(); }\n` : ''}
END
{
  clear(@start);
  clear(@stack);
  clear(@who_pid);
  clear(@who_comm);
}
`;
  },
};
