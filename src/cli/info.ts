// Placeholder until the info command lands; replaced by its owner.
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('bpfkit: info: not built yet\n');
  return 1;
}
