// pmlock and pmheld: pthread mutex lock wait time and hold time, as histograms by lock address and user stack.
import { PID } from './common.js';
import { ToolUsageError } from './errors.js';
import type { ToolArgs } from './options.js';
import type { ToolSpec } from './tool.js';

const OPTIONS = [
  { ...PID, help: 'trace this process (required)' },
  { key: 'nostack', short: 'S', long: 'no-stacks', help: 'key by lock and task name only, without user stacks' },
];

function requirePid(tool: string, args: ToolArgs): number {
  const pid = args.int('pid');
  if (pid === undefined) throw new ToolUsageError(tool, `Option -p PID is required: ${tool} traces one process`);
  return pid;
}

export const pmlock: ToolSpec = {
  name: 'pmlock',
  summary: 'Show pthread mutex lock wait times by lock and stack',
  category: 'applications',
  needs: [
    { kind: 'uprobe', binary: 'libc', symbol: 'pthread_mutex_lock' },
    { kind: 'uprobe', binary: 'libc', symbol: 'pthread_mutex_lock', ret: true },
  ],
  options: OPTIONS,
  examples: [['-p 185', 'lock waits of PID 185 at Ctrl-C']],
  program(args) {
    const pid = requirePid('pmlock', args);
    const key = args.flag('nostack') ? 'usym(@lock_addr[tid]), comm' : 'usym(@lock_addr[tid]), ustack, comm';
    return `BEGIN
{
  printf("Tracing libpthread mutex lock latency, Ctrl-C to end.\\n");
}

uprobe:libc:pthread_mutex_lock
/pid == ${pid}/
{
  @lock_start[tid] = nsecs;
  @lock_addr[tid] = arg0;
}

uretprobe:libc:pthread_mutex_lock
/pid == ${pid} && @lock_start[tid]/
{
  @lock_latency_ns[${key}] = hist(nsecs - @lock_start[tid]);
  delete(@lock_start[tid]);
  delete(@lock_addr[tid]);
}

END
{
  clear(@lock_start);
  clear(@lock_addr);
}
`;
  },
};

export const pmheld: ToolSpec = {
  name: 'pmheld',
  summary: 'Show pthread mutex hold times by lock and stack',
  category: 'applications',
  needs: [
    { kind: 'uprobe', binary: 'libc', symbol: 'pthread_mutex_lock' },
    { kind: 'uprobe', binary: 'libc', symbol: 'pthread_mutex_lock', ret: true },
    { kind: 'uprobe', binary: 'libc', symbol: 'pthread_mutex_unlock' },
  ],
  options: OPTIONS,
  examples: [['-p 185', 'lock hold times of PID 185 at Ctrl-C']],
  program(args) {
    const pid = requirePid('pmheld', args);
    const key = args.flag('nostack') ? 'usym(arg0), comm' : 'usym(arg0), ustack, comm';
    return `BEGIN
{
  printf("Tracing libpthread mutex held times, Ctrl-C to end.\\n");
}

uprobe:libc:pthread_mutex_lock
/pid == ${pid}/
{
  @lock_addr[tid] = arg0;
}

uretprobe:libc:pthread_mutex_lock
/pid == ${pid} && @lock_addr[tid]/
{
  @held_start[@lock_addr[tid]] = nsecs;
  delete(@lock_addr[tid]);
}

uprobe:libc:pthread_mutex_unlock
/pid == ${pid} && @held_start[arg0]/
{
  @held_time_ns[${key}] = hist(nsecs - @held_start[arg0]);
  delete(@held_start[arg0]);
}

END
{
  clear(@lock_addr);
  clear(@held_start);
}
`;
  },
};
