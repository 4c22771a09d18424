// filelife: short-lived files, from creation to deletion, with their age and the process that deleted them:
// kprobes on vfs_create and vfs_unlink, the name read from the dentry through the kernel's BTF.
import { PID } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

export const filelife: ToolSpec = {
  name: 'filelife',
  summary: 'Trace short-lived files with their age at deletion',
  category: 'files',
  needs: [
    { kind: 'kprobe', func: 'vfs_create' },
    { kind: 'kprobe', func: 'vfs_unlink' },
  ],
  options: [PID],
  examples: [['', 'all files created and deleted while tracing']],
  program(args) {
    const pid = args.int('pid');
    // vfs_create(idmap, dir, dentry, mode, excl) and vfs_unlink(idmap, dir, dentry, delegated): the dentry is arg2.
    return `BEGIN
{
  ${headerPrintf('%-8s %-7s %-16s %8s %s\n', 'TIME', 'PID', 'COMM', 'AGE(s)', 'FILE')}
}

kprobe:vfs_create
${predicate(pid !== undefined && `pid == ${pid}`)}
{
  @birth[arg2] = nsecs;
}

kprobe:vfs_unlink
/@birth[arg2]/
{
  $dentry = (struct dentry *)arg2;
  $ms = (nsecs - @birth[arg2]) / 1000000;
  printf("%-8s %-7d %-16s %4d.%03d %s\\n", strftime("%H:%M:%S", nsecs), pid, comm, $ms / 1000, $ms % 1000, str($dentry->d_name.name));
  delete(@birth[arg2]);
}

END
{
  clear(@birth);
}
`;
  },
};
