// pidpersec: new processes per second (forks), from sched:sched_process_fork.
import { PID } from './common.js';
import { intervalBlock, intervalConfig, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const pidpersec: ToolSpec = {
  name: 'pidpersec',
  summary: 'Count new processes per second',
  category: 'processes',
  needs: [{ kind: 'tracepoint', event: 'sched:sched_process_fork' }],
  options: [{ ...PID, help: 'count processes this parent creates only' }],
  positionals: [{ key: 'count', help: 'stop after this many seconds' }],
  examples: [
    ['', 'print the rate every second until Ctrl-C'],
    ['10', 'for ten seconds'],
  ],
  program(args) {
    const pid = args.int('pid');
    const count = args.int('count');
    return `${intervalConfig(1, count)}BEGIN
{
  printf("Tracing new processes... Hit Ctrl-C to end.\\n");
}

tracepoint:sched:sched_process_fork
${predicate(pid !== undefined && `args.parent_pid == ${pid}`)}
{
  @new++;
}

${intervalBlock(1, count, 'printf("%s PIDs/sec: %d\\n", strftime("%H:%M:%S", nsecs), @new);\n@new = 0;')}
END
{
  clear(@new);
}
`;
  },
};
