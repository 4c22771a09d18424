// sslsnoop: each OpenSSL handshake, read and write call with its latency and return value, from uprobes and
// return probes on libssl; and the RSA/ECDSA/ECDH operations of libcrypto that the handshake spends its CPU
// time in. Most of those are libcrypto's internal functions, which only a library with its symbol table
// (not stripped) names: the ones this libcrypto has are picked when the program is built.
import { ElfError, openElf } from '../elf/index.js';
import { binaryPath } from './availability.js';
import { DURATION, durationProbe, NAME, PID, taskFilters } from './common.js';
import { headerPrintf, predicate } from './program.js';
import { LIBSSL, SSL_FUNCS, SSL_NEEDS } from './ssl-common.js';
import type { ToolSpec } from './tool.js';

const LIBCRYPTO = 'libcrypto.so.3';
const CRYPTO_FUNCS = [
  'rsa_ossl_public_encrypt',
  'rsa_ossl_public_decrypt',
  'rsa_ossl_private_encrypt',
  'rsa_ossl_private_decrypt',
  'RSA_sign',
  'RSA_verify',
  'ossl_ecdsa_sign',
  'ossl_ecdsa_verify',
  'ossl_ecdh_compute_key',
];

/** The libcrypto functions of CRYPTO_FUNCS that this system's libcrypto has symbols for. */
export function cryptoFunctions(): string[] {
  const path = binaryPath(LIBCRYPTO);
  if (path === undefined) return [];
  try {
    const elf = openElf(path);
    return CRYPTO_FUNCS.filter((f) => elf.symbolsNamed(f).some((s) => s.type === 'func' && s.value !== 0n));
  } catch (err) {
    if (err instanceof ElfError) return [];
    throw err;
  }
}

export const sslsnoop: ToolSpec = {
  name: 'sslsnoop',
  summary: 'Trace OpenSSL calls with their latency and return value',
  category: 'applications',
  needs: SSL_NEEDS,
  options: [
    PID,
    NAME,
    { key: 'sslOnly', short: 's', long: 'ssl-only', help: 'trace libssl calls only, not libcrypto operations' },
    DURATION,
  ],
  examples: [
    ['', 'trace every call until Ctrl-C'],
    ['-p 185', 'only PID 185'],
  ],
  program(args) {
    const filter = predicate(...taskFilters('sslsnoop', args));
    const probes = [
      ...SSL_FUNCS.map((f) => [LIBSSL, f] as const),
      ...(args.flag('sslOnly') ? [] : cryptoFunctions().map((f) => [LIBCRYPTO, f] as const)),
    ];
    // Keyed by thread and function, so that a call made inside another (a handshake's signing) is timed apart.
    const pairs = probes.map(
      ([lib, f]) => `uprobe:${lib}:${f}
${filter}
{
  @start[tid, "${f}"] = nsecs;
}

uretprobe:${lib}:${f}
/@start[tid, "${f}"]/
{
  printf("%-10u %-7d %-16s %8u %5d ${f}\\n", elapsed / 1000, pid, comm, (nsecs - @start[tid, "${f}"]) / 1000, (int32)retval);
  delete(@start[tid, "${f}"]);
}
`,
    );
    return `BEGIN
{
  printf("Tracing OpenSSL calls... Hit Ctrl-C to end.\\n");
  ${headerPrintf('%-10s %-7s %-16s %8s %5s %s\n', 'TIME(us)', 'PID', 'COMM', 'LAT(us)', 'RET', 'FUNC')}
}

${pairs.join('\n')}
${durationProbe(args)}END
{
  clear(@start);
}
`;
  },
};
