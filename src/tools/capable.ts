// capable: security capability checks with the capability's name and the result, from capability:cap_capable.
import { DURATION, NAME, PID, taskFilters, durationProbe } from './common.js';
import { headerPrintf, predicate } from './program.js';
import type { ToolSpec } from './tool.js';

// The capability numbers of linux/capability.h, in order.
const CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

export const capable: ToolSpec = {
  name: 'capable',
  summary: 'Trace security capability checks',
  category: 'security',
  needs: [{ kind: 'tracepoint', event: 'capability:cap_capable' }],
  options: [
    PID,
    NAME,
    { key: 'failed', short: 'x', long: 'failed', help: 'show denied checks only' },
    DURATION,
  ],
  examples: [
    ['', 'trace all capability checks'],
    ['-x', 'only denials'],
  ],
  program(args) {
    const filter = predicate(...taskFilters('capable', args), args.flag('failed') && 'args.ret != 0');
    return `BEGIN
{
  ${headerPrintf('%-9s %-6s %-7s %-16s %4s %-20s %s\n', 'TIME', 'UID', 'PID', 'COMM', 'CAP', 'NAME', 'RET')}
${CAPS.map((name, i) => `  @capname[${i}] = "CAP_${name}";`).join('\n')}
}

tracepoint:capability:cap_capable
${filter}
{
  printf("%-8s  %-6d %-7d %-16s %4d %-20s %d\\n", strftime("%H:%M:%S", nsecs), uid, pid, comm, args.cap, @capname[args.cap], args.ret);
}

${durationProbe(args)}END
{
  clear(@capname);
}
`;
  },
};
