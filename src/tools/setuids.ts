// setuids: privilege changes through setuid, setreuid, setresuid and setfsuid, with their arguments and result.
import { DURATION, NAME, PID, taskFilters, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

// Each call and how its arguments print.
const CALLS: ReadonlyArray<readonly [string, string, string]> = [
  ['setuid', 'uid=%d', 'args.uid'],
  ['setfsuid', 'uid=%d', 'args.uid'],
  ['setreuid', 'ruid=%d euid=%d', 'args.ruid, args.euid'],
  ['setresuid', 'ruid=%d euid=%d suid=%d', 'args.ruid, args.euid, args.suid'],
];

export const setuids: ToolSpec = {
  name: 'setuids',
  summary: 'Trace the setuid family of syscalls',
  category: 'security',
  needs: CALLS.flatMap(([c]) => [
    { kind: 'tracepoint', event: `syscalls:sys_enter_${c}` } as const,
    { kind: 'tracepoint', event: `syscalls:sys_exit_${c}` } as const,
  ]),
  options: [PID, NAME, DURATION],
  examples: [['', 'trace all uid changes']],
  program(args) {
    const filter = predicate(...taskFilters('setuids', args));
    // The arguments are kept at entry and printed with the result at exit. A u32 uid of -1 means "unchanged".
    const blocks = CALLS.map(
      ([c, fmt, vals]) => `tracepoint:syscalls:sys_enter_${c}
${filter}
{
  @on[tid] = 1;
  @uid[tid] = uid;
  @a[tid] = ${vals.split(', ')[0]};
  @b[tid] = ${vals.split(', ')[1] ?? '0'};
  @c[tid] = ${vals.split(', ')[2] ?? '0'};
}

tracepoint:syscalls:sys_exit_${c}
/@on[tid]/
{
  printf("%-7d %-16s %-6d %-10s ${fmt} (%d)\\n", pid, comm, @uid[tid], "${c}", ${['@a[tid]', '@b[tid]', '@c[tid]'].slice(0, vals.split(', ').length).join(', ')}, args.ret);
  delete(@on[tid]);
  delete(@uid[tid]);
  delete(@a[tid]);
  delete(@b[tid]);
  delete(@c[tid]);
}
`,
    ).join('\n');
    return `BEGIN
{
  ${headerPrintf('%-7s %-16s %-6s %-10s %s\n', 'PID', 'COMM', 'UID', 'SYSCALL', 'ARGS (RET)')}
}

${blocks}
${durationProbe(args)}END
{
  clear(@on);
  clear(@uid);
  clear(@a);
  clear(@b);
  clear(@c);
}
`;
  },
};
