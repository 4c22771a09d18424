// vfsstat and vfscount: VFS operations counted from kprobes on the vfs_* functions (there are no VFS
// tracepoints); vfsstat prints per-second rates of the common ones, vfscount counts each function.
import { PID } from './common.js';
import { intervalBlock, intervalConfig, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

const STAT_FUNCS = ['vfs_read', 'vfs_write', 'vfs_fsync', 'vfs_open', 'vfs_create'];
const COUNT_FUNCS = [...STAT_FUNCS, 'vfs_readv', 'vfs_writev', 'vfs_unlink', 'vfs_rename', 'vfs_mkdir', 'vfs_rmdir', 'vfs_getattr', 'vfs_statfs'];

export const vfsstat: ToolSpec = {
  name: 'vfsstat',
  summary: 'Count common VFS calls per second',
  category: 'files',
  needs: STAT_FUNCS.map((f) => ({ kind: 'kprobe', func: f }) as const),
  options: [],
  positionals: [
    { key: 'interval', help: 'print every this many seconds (default 1)' },
    { key: 'count', help: 'stop after this many intervals' },
  ],
  examples: [['', 'per-second counts until Ctrl-C']],
  program(args) {
    const interval = args.int('interval') ?? 1;
    return `${intervalConfig(interval, args.int('count'))}BEGIN
{
  printf("Tracing key VFS calls... Hit Ctrl-C to end.\\n");
}

${STAT_FUNCS.map((f) => `kprobe:${f}`).join(',\n')}
{
  @[func] = count();
}

${intervalBlock(interval, args.int('count'), 'time("%H:%M:%S\\n");\nprint(@);\nclear(@);')}END
{
  clear(@);
}
`;
  },
};

export const vfscount: ToolSpec = {
  name: 'vfscount',
  summary: 'Count VFS calls by function',
  category: 'files',
  needs: COUNT_FUNCS.map((f) => ({ kind: 'kprobe', func: f }) as const),
  options: [PID],
  positionals: [{ key: 'duration', help: 'stop after this many seconds' }],
  examples: [['', 'counts at Ctrl-C']],
  program(args) {
    const pid = args.int('pid');
    const duration = args.int('duration');
    return `BEGIN
{
  printf("Tracing VFS calls... Hit Ctrl-C to end.\\n");
}

${COUNT_FUNCS.map((f) => `kprobe:${f}`).join(',\n')}
${predicate(pid !== undefined && `pid == ${pid}`)}
{
  @[func] = count();
}
${duration !== undefined ? `\ninterval:s:${duration} { exit(); }\n` : ''}`;
  },
};
