// writeback: writeback runs with their device, pages written, reason and duration, from the writeback tracepoints.
import { headerPrintf } from './program.js';
import type { ToolSpec } from './tool.js';

// enum wb_reason, as the tracepoints' format prints it.
const REASONS = ['background', 'vmscan', 'sync', 'periodic', 'laptop_timer', 'fs_free_space', 'forker_thread', 'foreign_flush'];

export const writeback: ToolSpec = {
  name: 'writeback',
  summary: 'Trace writeback runs with their reason and duration',
  category: 'disks',
  needs: [
    { kind: 'tracepoint', event: 'writeback:writeback_start' },
    { kind: 'tracepoint', event: 'writeback:writeback_written' },
  ],
  options: [],
  examples: [['', 'trace writeback until Ctrl-C']],
  program() {
    return `BEGIN
{
  ${headerPrintf('%-9s %-16s %8s %-14s %s\n', 'TIME', 'DEVICE', 'PAGES', 'REASON', 'ms')}
${REASONS.map((r, i) => `  @reason[${i}] = "${r}";`).join('\n')}
}

tracepoint:writeback:writeback_start
{
  @start[args.sb_dev] = nsecs;
}

tracepoint:writeback:writeback_written
/@start[args.sb_dev]/
{
  $us = (nsecs - @start[args.sb_dev]) / 1000;
  printf("%-8s  %-16s %8d %-14s %d.%03d\\n", strftime("%H:%M:%S", nsecs), args.name, args.nr_pages, @reason[args.reason], $us / 1000, $us % 1000);
  delete(@start[args.sb_dev]);
}

END
{
  clear(@start);
  clear(@reason);
}
`;
  },
};
