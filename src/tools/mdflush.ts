// mdflush: flush requests as the md (software RAID) driver starts issuing them to its disks, from a kprobe on
// md_flush_request(mddev, bio); the kernel has no tracepoint there. The device name is read from the bio
// (bio->bi_bdev since Linux 5.12, bio->bi_disk before), picked from this kernel's BTF.
import { BtfLoadError, loadKernelBtf } from '../btf/index.js';
import { DURATION, durationProbe } from './common.js';
import { headerPrintf } from './program.js';
import type { ToolSpec } from './tool.js';

/** The expression giving a bio's gendisk on this kernel. */
export function bioDisk(bio: string): string {
  try {
    const t = loadKernelBtf().findByName('bio', 'struct');
    if (t && t.kind === 'struct' && t.members.some((m) => m.name === 'bi_disk')) return `${bio}->bi_disk`;
  } catch (err) {
    if (!(err instanceof BtfLoadError)) throw err;
  }
  return `${bio}->bi_bdev->bd_disk`;
}

export const mdflush: ToolSpec = {
  name: 'mdflush',
  summary: 'Trace md (software RAID) flush requests',
  category: 'disks',
  needs: [{ kind: 'kprobe', func: 'md_flush_request' }],
  options: [DURATION],
  examples: [['', 'each flush until Ctrl-C']],
  program(args) {
    return `BEGIN
{
  printf("Tracing md flush requests... Hit Ctrl-C to end.\\n");
  ${headerPrintf('%-8s %-7s %-16s %s\n', 'TIME', 'PID', 'COMM', 'DEVICE')}
}

kprobe:md_flush_request
{
  printf("%-8s %-7d %-16s %s\\n", strftime("%H:%M:%S", nsecs), pid, comm, ${bioDisk('((struct bio *)arg1)')}->disk_name);
}
${durationProbe(args) === '' ? '' : `\n${durationProbe(args)}`}`;
  },
};
