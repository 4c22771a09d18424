// What the OpenSSL tools (ssllatency, sslsnoop) share: the library, the calls they time, and the probes that needs.
import type { ProbeNeed } from './tool.js';

export const LIBSSL = 'libssl.so.3';

/** The handshake, read and write calls, each probed on entry and on return. */
export const SSL_FUNCS: readonly string[] = ['SSL_do_handshake', 'SSL_read', 'SSL_write', 'SSL_read_ex', 'SSL_write_ex'];

export const SSL_NEEDS: readonly ProbeNeed[] = SSL_FUNCS.flatMap((f): ProbeNeed[] => [
  { kind: 'uprobe', binary: LIBSSL, symbol: f },
  { kind: 'uprobe', binary: LIBSSL, symbol: f, ret: true },
]);
