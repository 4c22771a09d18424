// cpufreq: the CPU frequency each sample finds, system-wide and by process name, as linear histograms in MHz.
// power:cpu_frequency gives a CPU's new frequency (in kHz) when the cpufreq driver changes it; a profile probe
// samples every CPU and counts the frequency last set for it. A CPU whose frequency has not changed since the
// trace began is counted from its cpufreq scaling_cur_freq, read when the program is built; without a cpufreq
// driver (many virtual machines) there is neither, and no sample is counted.
import { readdirSync, readFileSync } from 'node:fs';
import { PID } from './common.js';
import { predicate } from './program.js';
import type { ToolSpec } from './tool.js';

const CPU_DIR = '/sys/devices/system/cpu';

/** The current frequency (kHz) of each CPU whose cpufreq driver reports it. */
export function currentFrequencies(root = CPU_DIR): Map<number, number> {
  const out = new Map<number, number>();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return out;
  }
  for (const name of names) {
    const m = /^cpu(\d+)$/.exec(name);
    if (!m) continue;
    try {
      const khz = Number(readFileSync(`${root}/${name}/cpufreq/scaling_cur_freq`, 'utf8').trim());
      if (Number.isInteger(khz) && khz > 0) out.set(Number(m[1]), khz);
    } catch {
      // No cpufreq for this CPU: it is counted once the tracepoint reports it.
    }
  }
  return out;
}

export const cpufreq: ToolSpec = {
  name: 'cpufreq',
  summary: 'Sample CPU frequency system-wide and by process',
  category: 'processes',
  needs: [{ kind: 'tracepoint', event: 'power:cpu_frequency' }, { kind: 'profile' }],
  options: [
    { key: 'frequency', short: 'F', long: 'frequency', value: 'int', metavar: 'HZ', help: 'samples per second per CPU (default 100)' },
    { ...PID, help: 'sample this process only' },
  ],
  positionals: [{ key: 'duration', help: 'stop after this many seconds' }],
  examples: [
    ['', 'histograms at Ctrl-C'],
    ['10', 'for ten seconds'],
  ],
  program(args) {
    const hz = args.int('frequency') ?? 100;
    const pid = args.int('pid');
    const duration = args.int('duration');
    const seeds = [...currentFrequencies()].map(([cpu, khz]) => `\n  @curfreq[${cpu}] = ${khz};`).join('');
    return `BEGIN
{
  printf("Sampling CPU freq system-wide & by process. Ctrl-C to end.\\n");${seeds}
}

tracepoint:power:cpu_frequency
{
  @curfreq[args.cpu_id] = args.state;
}

profile:hz:${hz}
${predicate('@curfreq[cpu]', pid !== undefined && `pid == ${pid}`)}
{
  $mhz = @curfreq[cpu] / 1000;
  @system_mhz = lhist($mhz, 0, 5000, 200);
  // pid 0 is the idle task: counted for the system, not as a process.
  if (pid) {
    @process_mhz[comm] = lhist($mhz, 0, 5000, 200);
  }
}
${duration !== undefined ? `\ninterval:s:${duration} { exit(); }\n` : ''}
END
{
  clear(@curfreq);
}
`;
  },
};
