// bpfkit's command line: picks a subcommand or the bpftrace-compatible runner, and turns typed errors into text and exit codes.
import { reportError } from './report.js';

type Entry = (argv: string[]) => Promise<number>;

// Subcommands are loaded on demand so that `bpfkit -e ...` pays only for what it runs.
const subcommands: Record<string, () => Promise<Entry>> = {
  flamegraph: async () => (await import('./flamegraph.js')).main,
  collapse: async () => (await import('./collapse.js')).main,
  tools: async () => (await import('./tools.js')).main,
};

async function run(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--info' || first === 'info') return (await import('./info.js')).main(argv.slice(1));
  const sub = first !== undefined ? subcommands[first] : undefined;
  if (sub) return (await sub())(argv.slice(1));
  return (await import('./run.js')).main(argv);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err);
  },
);
