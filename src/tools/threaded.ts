// threaded: how many of a process's threads are on CPU, sampled: per thread, the samples in each interval.
import { PID } from './common.js';
import { ToolUsageError } from './errors.js';
import { intervalBlock, intervalConfig } from './program.js';
import type { ToolSpec } from './tool.js';

export const threaded: ToolSpec = {
  name: 'threaded',
  summary: 'Sample the on-CPU threads of a process',
  category: 'processes',
  needs: [{ kind: 'profile' }, { kind: 'interval' }],
  options: [
    { ...PID, help: 'the process to sample (required)' },
    { key: 'frequency', short: 'F', long: 'frequency', value: 'int', metavar: 'HZ', help: 'samples per second per CPU (default 99)' },
  ],
  positionals: [
    { key: 'interval', help: 'print every this many seconds (default 1)' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [['-p 185', 'per-thread samples of PID 185 every second']],
  program(args) {
    const pid = args.int('pid');
    if (pid === undefined) throw new ToolUsageError('threaded', 'Option -p PID is required: threaded samples one process');
    const hz = args.int('frequency') ?? 99;
    if (hz <= 0) throw new ToolUsageError('threaded', `Invalid frequency ${hz}: it must be positive`);
    const interval = args.int('interval') ?? 1;
    const count = args.int('count');
    return `${intervalConfig(interval, count)}BEGIN
{
  printf("Sampling PID ${pid} threads at ${hz} Hertz. Ctrl-C to end.\\n");
}

profile:hz:${hz}
/pid == ${pid}/
{
  @samples[comm, tid] = count();
}

${intervalBlock(interval, count, 'time("%H:%M:%S\\n");\nprint(@samples);\nclear(@samples);')}
END
{
  clear(@samples);
}
`;
  },
};
