// fileslower: reads and writes through the VFS slower than a threshold, with the file's name, from kprobes
// and return probes on vfs_read and vfs_write (the name is read from the struct file through the kernel's BTF).
import { PID } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const fileslower: ToolSpec = {
  name: 'fileslower',
  summary: 'Trace slow file reads and writes',
  category: 'files',
  needs: [
    { kind: 'kprobe', func: 'vfs_read' },
    { kind: 'kprobe', func: 'vfs_read', ret: true },
    { kind: 'kprobe', func: 'vfs_write' },
    { kind: 'kprobe', func: 'vfs_write', ret: true },
  ],
  options: [PID],
  positionals: [{ key: 'threshold', help: 'report calls of at least this many ms (default 10)' }],
  examples: [
    ['', 'reads and writes over 10 ms'],
    ['0', 'every read and write'],
  ],
  program(args) {
    const minMs = args.int('threshold') ?? 10;
    const pid = args.int('pid');
    const blocks = [['vfs_read', 'R'], ['vfs_write', 'W']]
      .map(
        ([f, d]) => `kprobe:${f}
${predicate(pid !== undefined && `pid == ${pid}`)}
{
  @start[tid] = nsecs;
  @file[tid] = arg0;
  @bytes[tid] = arg2;
}

kretprobe:${f}
/@start[tid]/
{
  $us = (nsecs - @start[tid]) / 1000;
  if ($us >= ${minMs * 1000}) {
    $file = (struct file *)@file[tid];
    printf("%-16s %-7d ${d} %-7d %4d.%03d %s\\n", comm, tid, @bytes[tid], $us / 1000, $us % 1000, str($file->f_path.dentry->d_name.name));
  }
  delete(@start[tid]);
  delete(@file[tid]);
  delete(@bytes[tid]);
}
`,
      )
      .join('\n');
    return `BEGIN
{
  ${headerPrintf('%-16s %-7s %1s %-7s %8s %s\n', 'COMM', 'TID', 'D', 'BYTES', 'LAT(ms)', 'FILENAME')}
}

${blocks}
END
{
  clear(@start);
  clear(@file);
  clear(@bytes);
}
`;
  },
};
