// faults: user page faults counted by user stack and process name, from exceptions:page_fault_user.
import { PID } from './common.js';
import { predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const faults: ToolSpec = {
  name: 'faults',
  summary: 'Count user page faults by stack',
  category: 'memory',
  needs: [{ kind: 'tracepoint', event: 'exceptions:page_fault_user' }],
  options: [
    PID,
    { key: 'kernel', short: 'K', long: 'kernel', help: 'count faults taken in kernel mode, by kernel stack' },
  ],
  positionals: [{ key: 'duration', help: 'stop after this many seconds' }],
  examples: [
    ['-p 185', 'page faults of PID 185 by user stack'],
  ],
  program(args) {
    const pid = args.int('pid');
    const event = args.flag('kernel') ? 'page_fault_kernel' : 'page_fault_user';
    const duration = args.int('duration');
    return `BEGIN
{
  printf("Tracing page faults by stack... Hit Ctrl-C to end.\\n");
}

tracepoint:exceptions:${event}
${predicate(pid !== undefined && `pid == ${pid}`)}
{
  @[${args.flag('kernel') ? 'kstack' : 'ustack'}, comm] = count();
}
${duration !== undefined ? `\ninterval:s:${duration} { exit(); }\n` : ''}`;
  },
};
