// oomkill: processes the OOM killer picks, with their memory at the time, from oom:mark_victim.
import { headerPrintf } from './program.js';
import type { ToolSpec } from './tool.js';

export const oomkill: ToolSpec = {
  name: 'oomkill',
  summary: 'Trace OOM killer victims with their memory use',
  category: 'memory',
  needs: [{ kind: 'tracepoint', event: 'oom:mark_victim' }],
  options: [],
  examples: [['', 'trace OOM kills until Ctrl-C']],
  program() {
    // The victim is named by the event; the task it runs in is the one whose allocation failed.
    return `BEGIN
{
  ${headerPrintf('%-9s %-7s %-16s %-6s %12s %12s %s\n', 'TIME', 'PID', 'COMM', 'UID', 'TOTAL_VM(KB)', 'ANON_RSS(KB)', 'TRIGGERED BY')}
}

tracepoint:oom:mark_victim
{
  printf("%-8s  %-7d %-16s %-6d %12d %12d %d (%s)\\n", strftime("%H:%M:%S", nsecs), args.pid, str(args.comm), args.uid, args.total_vm, args.anon_rss, pid, comm);
}
`;
  },
};
