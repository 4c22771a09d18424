// Placeholder until the run command lands; replaced by its owner.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('bpfkit: run: not built yet\n');
  return 1;
}
