// ssllatency: latency of OpenSSL's handshake, read and write calls as histograms by function, from uprobes
// and return probes on libssl.
import { NAME, PID, taskFilters } from './common.js';
import { predicate } from './program.js';
import { LIBSSL, SSL_FUNCS, SSL_NEEDS } from './ssl-common.js';
import type { ToolSpec } from './tool.js';


export const ssllatency: ToolSpec = {
  name: 'ssllatency',
  summary: 'Summarize OpenSSL handshake, read and write latency',
  category: 'applications',
  needs: SSL_NEEDS,
  options: [PID, NAME],
  examples: [
    ['', 'histograms at Ctrl-C'],
    ['-p 185', 'only PID 185'],
  ],
  program(args) {
    return `BEGIN
{
  printf("Tracing OpenSSL latency... Hit Ctrl-C to end.\\n");
}

${SSL_FUNCS.map((f) => `uprobe:${LIBSSL}:${f}`).join(',\n')}
${predicate(...taskFilters('ssllatency', args))}
{
  @start[tid] = nsecs;
}

${SSL_FUNCS.map(
  // One return probe per function, keyed by its name: \`func\` in a return probe gives an address here.
  (f) => `uretprobe:${LIBSSL}:${f}
/@start[tid]/
{
  @usecs["${f}"] = hist((nsecs - @start[tid]) / 1000);
  delete(@start[tid]);
}
`,
).join('\n')}
END
{
  clear(@start);
}
`;
  },
};
