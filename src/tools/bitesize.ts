// bitesize: the sizes of block I/O each process issues, as a histogram per process name.
import { NAME, PID, taskFilters } from './common.js';
import { CLEAR_SUBMITTERS, FORGET_SUBMITTER, RQ, submitterProbes } from './block-common.js';
import { intervalBlock, intervalConfig } from './program.js';
import type { ToolSpec } from './tool.js';

export const bitesize: ToolSpec = {
  name: 'bitesize',
  summary: 'Show block I/O sizes as a histogram per process',
  category: 'disks',
  needs: [
    { kind: 'tracepoint', event: 'block:block_rq_insert' },
    { kind: 'tracepoint', event: 'block:block_rq_issue' },
  ],
  options: [PID, NAME],
  positionals: [
    { key: 'interval', help: 'print every this many seconds' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [
    ['', 'histograms at Ctrl-C'],
    ['-n dd', 'only tasks named dd'],
  ],
  program(args) {
    const interval = args.int('interval');
    return `${intervalConfig(interval, args.int('count'))}BEGIN
{
  printf("Tracing block device I/O... Hit Ctrl-C to end.\\n");
}

${submitterProbes(taskFilters('bitesize', args).join(' && '), `@kbytes[@who_comm[${RQ}]] = hist(args.bytes / 1024);\n${FORGET_SUBMITTER}`)}
${intervalBlock(interval, args.int('count'), 'printf("\\n");\nprint(@kbytes);\nclear(@kbytes);')}END
{
  ${CLEAR_SUBMITTERS.split('\n').join('\n  ')}${interval !== undefined ? '\n  clear(@kbytes);' : ''}
}
`;
  },
};
