// The bundled tools, one module each. A tool is listed here only when its end-to-end test passes on a kernel
// that has its probes, or, where it lacks them, a test that it refuses in one line.
import type { ToolSpec } from './tool.js';
import { cpudist } from './cpudist.js';
import { offcputime } from './offcputime.js';
import { profile } from './profile.js';
import { runqlat } from './runqlat.js';
import { syscount } from './syscount.js';
import { memleak } from './memleak.js';
import { bashreadline } from './bashreadline.js';
import { gethostlatency } from './gethostlatency.js';
import { pmheld, pmlock } from './pmlock.js';
import { capable } from './capable.js';
import { pidpersec } from './pidpersec.js';
import { setuids } from './setuids.js';
import { statsnoop } from './statsnoop.js';
import { syncsnoop } from './syncsnoop.js';
import { threadsnoop } from './threadsnoop.js';
import { mmapsnoop } from './mmapsnoop.js';
import { faults } from './faults.js';
import { oomkill } from './oomkill.js';
import { writeback } from './writeback.js';
import { tcpconnect } from './tcpconnect.js';
import { tcpstates } from './tcpstates.js';
import { runqslower } from './runqslower.js';
import { threaded } from './threaded.js';
import { swapin } from './swapin.js';
import { vfscount, vfsstat } from './vfsstat.js';
import { execsnoop } from './execsnoop.js';
import { tcplife } from './tcplife.js';
import { tcpretrans } from './tcpretrans.js';
import { tcpaccept } from './tcpaccept.js';
import { runqlen } from './runqlen.js';
import { drsnoop } from './drsnoop.js';
import { funccount } from './funccount.js';
import { biostacks } from './biostacks.js';
import { filelife } from './filelife.js';
import { fsrwstat } from './fsrwstat.js';
import { ssllatency } from './ssllatency.js';
import { fileslower } from './fileslower.js';
import { tcpsynbl } from './tcpsynbl.js';
import { UnknownToolError } from './errors.js';
import { biolatency } from './biolatency.js';
import { biosnoop } from './biosnoop.js';
import { bitesize } from './bitesize.js';
import { exitsnoop } from './exitsnoop.js';
import { killsnoop } from './killsnoop.js';
import { opensnoop } from './opensnoop.js';
import { naptime } from './naptime.js';
import { tcpdrop } from './tcpdrop.js';
import { loads } from './loads.js';
import { mdflush } from './mdflush.js';
import { cpufreq } from './cpufreq.js';
import { sslsnoop } from './sslsnoop.js';

const TOOLS: readonly ToolSpec[] = [
  naptime,
  tcpdrop,
  loads,
  mdflush,
  cpufreq,
  sslsnoop,
  fileslower,
  tcpsynbl,
  ssllatency,
  filelife,
  fsrwstat,
  biostacks,
  funccount,
  drsnoop,
  runqlen,
  tcpaccept,
  tcpretrans,
  tcplife,
  execsnoop,
  swapin,
  vfscount,
  vfsstat,
  threaded,
  runqslower,
  tcpstates,
  tcpconnect,
  writeback,
  oomkill,
  faults,
  mmapsnoop,
  threadsnoop,
  syncsnoop,
  statsnoop,
  setuids,
  pidpersec,
  capable,
  bashreadline,
  biolatency,
  biosnoop,
  bitesize,
  exitsnoop,
  gethostlatency,
  killsnoop,
  memleak,
  opensnoop,
  pmheld,
  pmlock,
  syscount,
  runqlat,
  profile,
  offcputime,
  cpudist,
];

export function allTools(): readonly ToolSpec[] {
  return TOOLS;
}

export function findTool(name: string): ToolSpec | undefined {
  return TOOLS.find((t) => t.name === name);
}

export function getTool(name: string): ToolSpec {
  const t = findTool(name);
  if (!t) throw new UnknownToolError(name);
  return t;
}
