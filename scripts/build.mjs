// Bundles the CLI and the library with esbuild: one file starts faster than hundreds of ESM modules.
// The CLI is also bundled as CommonJS so bin/bpfkit.js can compile it through vm.Script with a V8 code cache
// (Node 20 has no compile cache for ES modules), which halves the time V8 spends compiling it at each start.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  logLevel: 'warning',
};

await build({ ...common, format: 'esm', sourcemap: true, entryPoints: { index: 'src/index.ts' }, outdir: 'dist' });
await build({ ...common, format: 'cjs', sourcemap: true, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } });
// A cache made from an older bundle would be rejected by V8 anyway; removing it saves that failed attempt.
rmSync('dist/cli.cjs.cache', { force: true });
