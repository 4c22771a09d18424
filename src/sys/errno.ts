// errno numbers to names (Linux), for messages that name the failure.
import koffi from 'koffi';

const byNumber = new Map<number, string>();
for (const [name, value] of Object.entries(koffi.os.errno)) {
  // Aliases share numbers (EWOULDBLOCK/EAGAIN, EDEADLOCK/EDEADLK); keep the first, which is the common name.
  if (!byNumber.has(value)) byNumber.set(value, name);
}
// Kernel-internal codes that leak out of bpf(2) and are not in libc's table.
byNumber.set(524, 'ENOTSUPP');
byNumber.set(512, 'ERESTARTSYS');

export function errnoName(errno: number): string {
  return byNumber.get(errno) ?? `errno ${errno}`;
}

export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  EMFILE: 24,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  EOPNOTSUPP: 95,
  ENOTSUPP: 524,
} as const;
