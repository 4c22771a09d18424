// bitesize: the sizes of block I/O each process issues, as a histogram per process name.
import { NAME, PID, taskFilters } from './common.js';
import { intervalBlock, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const bitesize: ToolSpec = {
  name: 'bitesize',
  summary: 'Show block I/O sizes as a histogram per process',
  category: 'disks',
  needs: [{ kind: 'tracepoint', event: 'block:block_rq_issue' }],
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
    return `BEGIN
{
  printf("Tracing block device I/O... Hit Ctrl-C to end.\\n");
}

tracepoint:block:block_rq_issue
${predicate(...taskFilters('bitesize', args))}
{
  @kbytes[comm] = hist(args.bytes / 1024);
}

${intervalBlock(interval, args.int('count'), 'printf("\\n");\nprint(@kbytes);\nclear(@kbytes);')}${interval !== undefined ? 'END\n{\n  clear(@kbytes);\n}\n' : ''}`;
  },
};
