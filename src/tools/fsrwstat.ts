// fsrwstat: VFS reads and writes counted by file system type each interval, from kprobes on vfs_read and
// vfs_write (the type's name is read from the struct file through the kernel's BTF).
import { intervalBlock, intervalConfig } from './program.js';
import type { ToolSpec } from './tool.js';

export const fsrwstat: ToolSpec = {
  name: 'fsrwstat',
  summary: 'Count VFS reads and writes by file system type',
  category: 'files',
  needs: [
    { kind: 'kprobe', func: 'vfs_read' },
    { kind: 'kprobe', func: 'vfs_write' },
  ],
  options: [],
  positionals: [
    { key: 'interval', help: 'print every this many seconds (default 1)' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [['', 'counts every second until Ctrl-C']],
  program(args) {
    return `${intervalConfig(args.int('interval') ?? 1, args.int('count'))}BEGIN
{
  printf("Tracing VFS reads and writes... Hit Ctrl-C to end.\\n");
}

kprobe:vfs_read,
kprobe:vfs_write
{
  $file = (struct file *)arg0;
  @[str($file->f_inode->i_sb->s_type->name), func] = count();
}

${intervalBlock(args.int('interval') ?? 1, args.int('count'), 'time("\\n%H:%M:%S\\n");\nprint(@);\nclear(@);')}END
{
  clear(@);
}
`;
  },
};
