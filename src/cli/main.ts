// bpfkit's command line: dispatches to a subcommand or to the bpftrace-compatible runner.
const argv = process.argv.slice(2);
process.stdout.write(`bpfkit: ${argv.join(' ')}\n`);
