// syscount: system calls counted by syscall number or by process, with their total latency, from raw_syscalls.
import { PID, TID } from './common.js';
import { intervalBlock, intervalConfig, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const syscount: ToolSpec = {
  name: 'syscount',
  summary: 'Count system calls by syscall or by process',
  category: 'processes',
  needs: [
    { kind: 'tracepoint', event: 'raw_syscalls:sys_enter' },
    { kind: 'tracepoint', event: 'raw_syscalls:sys_exit' },
  ],
  options: [
    PID,
    TID,
    { key: 'process', short: 'P', long: 'process', help: 'count by process name, not by syscall' },
    { key: 'latency', short: 'L', long: 'latency', help: 'also sum the time spent in each, in microseconds' },
    { key: 'failed', short: 'x', long: 'failures', help: 'count failed syscalls only' },
    { key: 'errno', short: 'e', long: 'errno', value: 'int', metavar: 'ERRNO', help: 'count syscalls failing with this errno only' },
    { key: 'top', short: 'T', long: 'top', value: 'int', metavar: 'N', help: 'print only the top N entries (default 10)' },
    { key: 'interval', short: 'i', long: 'interval', value: 'int', metavar: 'SECS', help: 'print every this many seconds' },
    { key: 'duration', short: 'd', long: 'duration', value: 'int', metavar: 'SECS', help: 'stop after this many seconds' },
  ],
  examples: [
    ['', 'syscalls by number at Ctrl-C'],
    ['-P', 'by process name'],
    ['-L -p 181', 'counts and latency for PID 181'],
    ['-x', 'only failed syscalls'],
  ],
  program(args) {
    const pid = args.int('pid');
    const tid = args.int('tid');
    const key = args.flag('process') ? 'comm' : 'args.id';
    const failedOnly = args.flag('failed') || args.has('errno');
    const errno = args.int('errno');
    const top = args.int('top') ?? 10;
    const latency = args.flag('latency');
    // Counting happens at exit so that the result is known; the entry records the start for -L.
    const needEnter = latency;
    const filter = predicate(pid !== undefined && `pid == ${pid}`, tid !== undefined && `tid == ${tid}`);
    const resultFilter = errno !== undefined ? `args.ret == -${errno}` : failedOnly ? 'args.ret < 0' : undefined;
    const interval = args.int('interval');
    const duration = args.int('duration');
    const printBody = `print(@calls, ${top});${latency ? `\nprint(@usecs, ${top});` : ''}`;
    const clearBody = `clear(@calls);${latency ? '\nclear(@usecs);' : ''}`;
    let stopAfter: number | undefined;
    let every = interval;
    if (duration !== undefined) {
      // A duration without an interval is one interval of that length.
      if (every === undefined) every = duration;
      stopAfter = Math.max(1, Math.floor(duration / every));
    }
    const perInterval = `time("[%H:%M:%S]\\n");\n${printBody}\n${clearBody}`;
    return `${intervalConfig(every, stopAfter)}BEGIN
{
  printf("Tracing syscalls... Hit Ctrl-C to end.\\n");
}
${needEnter ? `
tracepoint:raw_syscalls:sys_enter
${filter}
{
  @start[tid] = nsecs;
}
` : ''}
tracepoint:raw_syscalls:sys_exit
${predicate(...[filter.slice(1, -1), resultFilter].filter((c): c is string => c !== undefined && c !== ''))}
{
  @calls[${key}] = count();${latency ? `
  if (@start[tid]) {
    @usecs[${key}] = sum((nsecs - @start[tid]) / 1000);
  }` : ''}
}
${latency ? `
tracepoint:raw_syscalls:sys_exit
{
  delete(@start[tid]);
}
` : ''}
${intervalBlock(every, stopAfter, perInterval)}END
{
${every === undefined ? `  ${printBody.split('\n').join('\n  ')}\n` : ''}  ${clearBody.split('\n').join('\n  ')}${latency ? '\n  clear(@start);' : ''}
}
`;
  },
};
