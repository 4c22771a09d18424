// End-to-end tests run the CLI as the build bundles it, from a private directory inside node_modules (so koffi
// resolves), so that a test never depends on a stale dist/.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** Bundles src/cli/main.ts into DIR/cli.mjs, DIR a new directory named after `prefix`. */
export async function bundleCliInto(prefix: string): Promise<{ cli: string; dir: string }> {
  const base = join(ROOT, 'node_modules/.cache');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  const cli = join(dir, 'cli.mjs');
  await build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['koffi'],
    outfile: cli,
    logLevel: 'warning',
  });
  return { cli, dir };
}
