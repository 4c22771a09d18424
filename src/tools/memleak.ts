// memleak: bytes allocated through libc's malloc and calloc and not yet freed, summed by the stack that made them.
// (Only the byte totals are printed: with a second stack-keyed map printed, the runtime leaves stacks unsymbolized.)
import { PID } from './common.js';
import { intervalBlock, intervalConfig } from './program.js';
import { ToolUsageError } from './errors.js';
import type { ToolSpec } from './tool.js';

export const memleak: ToolSpec = {
  name: 'memleak',
  summary: 'Show outstanding libc allocations by stack',
  category: 'memory',
  needs: [
    { kind: 'uprobe', binary: 'libc', symbol: 'malloc' },
    { kind: 'uprobe', binary: 'libc', symbol: 'malloc', ret: true },
    { kind: 'uprobe', binary: 'libc', symbol: 'calloc' },
    { kind: 'uprobe', binary: 'libc', symbol: 'free' },
  ],
  options: [
    { ...PID, help: 'trace this process (required)' },
    { key: 'top', short: 'T', long: 'top', value: 'int', metavar: 'N', help: 'print only the top N stacks (default 10)' },
    { key: 'minSize', short: 'z', long: 'min-size', value: 'int', metavar: 'BYTES', help: 'ignore allocations smaller than this' },
    { key: 'maxSize', short: 'Z', long: 'max-size', value: 'int', metavar: 'BYTES', help: 'ignore allocations larger than this' },
  ],
  positionals: [
    { key: 'interval', help: 'print every this many seconds' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [
    ['-p 185', 'outstanding allocations of PID 185 at Ctrl-C'],
    ['-p 185 10 3', 'every ten seconds, three times'],
  ],
  program(args) {
    const pid = args.int('pid');
    if (pid === undefined) throw new ToolUsageError('memleak', 'Option -p PID is required: memleak traces one process');
    const top = args.int('top') ?? 10;
    const sizeConds = [
      `pid == ${pid}`,
      ...(args.int('minSize') !== undefined ? [`$size >= ${args.int('minSize')}`] : []),
      ...(args.int('maxSize') !== undefined ? [`$size <= ${args.int('maxSize')}`] : []),
    ].join(' && ');
    const report = `printf("\\n");\ntime("[%H:%M:%S] Top ${top} stacks with outstanding allocations:\\n");\nprint(@bytes, ${top});`;
    const interval = args.int('interval');
    return `${intervalConfig(interval, args.int('count'))}BEGIN
{
  printf("Attaching to pid ${pid}, Ctrl-C to end\\n");
}

uprobe:libc:malloc
/pid == ${pid}/
{
  $size = arg0;
  if (${sizeConds}) {
    @size[tid] = $size;
  }
}

uprobe:libc:calloc
/pid == ${pid}/
{
  $size = arg0 * arg1;
  if (${sizeConds}) {
    @size[tid] = $size;
  }
}

uretprobe:libc:malloc,
uretprobe:libc:calloc
/pid == ${pid} && @size[tid]/
{
  // The stack is taken on return, where the frame-pointer walk starts in the caller: at entry it would skip it.
  if (retval != 0) {
    @live_size[retval] = @size[tid];
    @live_stack[retval] = ustack;
    @bytes[ustack] = sum(@size[tid]);
  }
  delete(@size[tid]);
}

uprobe:libc:free
/pid == ${pid} && @live_size[arg0]/
{
  @bytes[@live_stack[arg0]] = sum(- @live_size[arg0]);
  delete(@live_size[arg0]);
  delete(@live_stack[arg0]);
}

${intervalBlock(interval, args.int('count'), report)}END
{
${interval === undefined ? `  ${report.split('\n').join('\n  ')}\n` : ''}  clear(@bytes);
  clear(@size);
  clear(@live_size);
  clear(@live_stack);
}
`;
  },
};
