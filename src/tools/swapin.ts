// swapin: pages read back from swap, counted by process each interval, from a kprobe on swap_read_folio.
import { intervalBlock, intervalConfig } from './program.js';
import type { ToolSpec } from './tool.js';

export const swapin: ToolSpec = {
  name: 'swapin',
  summary: 'Count swap-ins by process',
  category: 'memory',
  needs: [{ kind: 'kprobe', func: 'swap_read_folio' }],
  options: [],
  positionals: [
    { key: 'interval', help: 'print every this many seconds (default 1)' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [['', 'swap-ins per second by process']],
  program(args) {
    return `${intervalConfig(args.int('interval') ?? 1, args.int('count'))}BEGIN
{
  printf("Counting swap ins. Ctrl-C to end.\\n");
}

kprobe:swap_read_folio
{
  @[comm, pid] = count();
}

${intervalBlock(args.int('interval') ?? 1, args.int('count'), 'time("%H:%M:%S\\n");\nprint(@);\nclear(@);')}END
{
  clear(@);
}
`;
  },
};
