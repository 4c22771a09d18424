// mmapsnoop: mmap() calls with their length, protection, flags and file descriptor, and the address returned.
import { DURATION, NAME, PID, taskFilters, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const mmapsnoop: ToolSpec = {
  name: 'mmapsnoop',
  summary: 'Trace mmap() calls with their arguments and result',
  category: 'memory',
  needs: [
    { kind: 'tracepoint', event: 'syscalls:sys_enter_mmap' },
    { kind: 'tracepoint', event: 'syscalls:sys_exit_mmap' },
  ],
  options: [PID, NAME, DURATION],
  examples: [['-p 185', 'mmap() calls of PID 185']],
  program(args) {
    return `BEGIN
{
  ${headerPrintf('%-7s %-16s %10s %4s %6s %4s %s\n', 'PID', 'COMM', 'LEN', 'PROT', 'FLAGS', 'FD', 'ADDR')}
}

tracepoint:syscalls:sys_enter_mmap
${predicate(...taskFilters('mmapsnoop', args))}
{
  @len[tid] = args.len;
  @prot[tid] = args.prot;
  @flags[tid] = args.flags;
  @fd[tid] = args.fd;
}

tracepoint:syscalls:sys_exit_mmap
/@len[tid]/
{
  printf("%-7d %-16s %10d %4x %6x %4d 0x%lx\\n", pid, comm, @len[tid], @prot[tid], @flags[tid], (int32)@fd[tid], args.ret);
  delete(@len[tid]);
  delete(@prot[tid]);
  delete(@flags[tid]);
  delete(@fd[tid]);
}

${durationProbe(args)}END
{
  clear(@len);
  clear(@prot);
  clear(@flags);
  clear(@fd);
}
`;
  },
};
