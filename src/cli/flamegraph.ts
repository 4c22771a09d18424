// Placeholder until the flamegraph command lands; replaced by its owner.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('bpfkit: flamegraph: not built yet\n');
  return 1;
}
