// loads: the load averages every second, read from the kernel's avenrun array through kaddr(), as uptime(1)
// shows them but to three places. avenrun holds fixed-point numbers with 11 fractional bits (FSHIFT in
// include/linux/sched/loadavg.h). The symbol is a variable, so it is only in /proc/kallsyms on kernels built
// with CONFIG_KALLSYMS_ALL; elsewhere the tool says so and does not run.
import { intervalBlock, intervalConfig } from './program.js';
import type { ToolSpec } from './tool.js';

const FSHIFT = 11;

export const loads: ToolSpec = {
  name: 'loads',
  summary: 'Print the load averages every second',
  category: 'processes',
  needs: [{ kind: 'interval' }, { kind: 'ksym', symbol: 'avenrun' }],
  options: [],
  positionals: [{ key: 'count', help: 'stop after this many seconds' }],
  examples: [
    ['', 'every second until Ctrl-C'],
    ['5', 'five times'],
  ],
  program(args) {
    const count = args.int('count');
    const load = (n: number): string => {
      const v = `*($avenrun + ${n})`;
      return `${v} >> ${FSHIFT}, ((${v} & ${(1 << FSHIFT) - 1}) * 1000) >> ${FSHIFT}`;
    };
    const report = `$avenrun = (uint64 *)kaddr("avenrun");
printf("%s load averages: %d.%03d %d.%03d %d.%03d\\n", strftime("%H:%M:%S", nsecs),
  ${load(0)},
  ${load(1)},
  ${load(2)});`;
    return `${intervalConfig(1, count)}BEGIN
{
  printf("Reading load averages... Hit Ctrl-C to end.\\n");
}

${intervalBlock(1, count, report)}`;
  },
};
