// Placeholder until the collapse command lands; replaced by its owner.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('bpfkit: collapse: not built yet\n');
  return 1;
}
