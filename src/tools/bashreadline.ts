// bashreadline: commands typed into bash, from a return probe on its readline() function.
import { PID, TIME_FORMAT } from './common.js';
import { headerPrintf, predicate, quote } from './program.js';
import type { ToolSpec } from './tool.js';

const BASH = '/bin/bash';

export const bashreadline: ToolSpec = {
  name: 'bashreadline',
  summary: 'Print commands entered into bash shells',
  category: 'applications',
  needs: [{ kind: 'uprobe', binary: BASH, symbol: 'readline', ret: true }],
  options: [PID, { key: 'shell', short: 's', long: 'shell', value: 'string', metavar: 'PATH', help: `the bash binary (default ${BASH})` }],
  examples: [
    ['', 'every command typed into any bash'],
    ['-p 185', 'only the shell with PID 185'],
  ],
  program(args) {
    const pid = args.int('pid');
    const shell = args.str('shell') ?? BASH;
    return `BEGIN
{
  ${headerPrintf('%-11s %-7s %s\n', 'TIME(s)', 'PID', 'COMMAND')}
}

uretprobe:${shell.includes('"') || /\s/.test(shell) ? quote(shell) : shell}:readline
${predicate(pid !== undefined && `pid == ${pid}`)}
{
  printf("${TIME_FORMAT}%-7d %s\\n", elapsed / 1000000000, (elapsed / 1000) % 1000000, pid, str(retval));
}
`;
  },
};
