// gethostlatency: host name lookups through libc (getaddrinfo, gethostbyname, gethostbyname2) and how long each took.
import { PID, TIME_FORMAT } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

const FUNCS = ['getaddrinfo', 'gethostbyname', 'gethostbyname2'];

export const gethostlatency: ToolSpec = {
  name: 'gethostlatency',
  summary: 'Show latency of host name lookups through libc',
  category: 'applications',
  needs: FUNCS.flatMap((f) => [
    { kind: 'uprobe', binary: 'libc', symbol: f } as const,
    { kind: 'uprobe', binary: 'libc', symbol: f, ret: true } as const,
  ]),
  options: [PID],
  examples: [
    ['', 'all lookups'],
    ['-p 185', 'only PID 185'],
  ],
  program(args) {
    const pid = args.int('pid');
    const filter = predicate(pid !== undefined && `pid == ${pid}`);
    return `BEGIN
{
  ${headerPrintf('%-11s %-7s %-16s %9s %s\n', 'TIME(s)', 'PID', 'COMM', 'LATms', 'HOST')}
}

${FUNCS.map((f) => `uprobe:libc:${f}`).join(',\n')}
${filter}
{
  @start[tid] = nsecs;
  @host[tid] = arg0;
}

${FUNCS.map((f) => `uretprobe:libc:${f}`).join(',\n')}
/@start[tid]/
{
  $us = (nsecs - @start[tid]) / 1000;
  printf("${TIME_FORMAT}%-7d %-16s %5d.%03d %s\\n", elapsed / 1000000000, (elapsed / 1000) % 1000000, pid, comm, $us / 1000, $us % 1000, str(@host[tid]));
  delete(@start[tid]);
  delete(@host[tid]);
}

END
{
  clear(@start);
  clear(@host);
}
`;
  },
};
