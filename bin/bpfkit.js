#!/bin/sh
// 2>/dev/null; [ -n "$NODE_EXTRA_CA_CERTS" ] && export BPFKIT_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"; exec env -u NODE_EXTRA_CA_CERTS node "$0" "$@"
// The line above is sh, run when this file is executed: Node reads NODE_EXTRA_CA_CERTS eagerly at start-up
// (80 ms here) although bpfkit makes no TLS connections, so node starts without it; it is put back into the
// environment below, so commands bpfkit starts (-c, system()) still get it. `node bin/bpfkit.js` skips the sh line.
// Starts the bundled CLI. It is compiled through vm.Script so V8 can reuse the code it compiled on an earlier
// run (dist/cli.cjs.cache, written after the first run); a missing, stale or unwritable cache only costs speed.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

if (process.env.BPFKIT_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.BPFKIT_EXTRA_CA_CERTS;
  delete process.env.BPFKIT_EXTRA_CA_CERTS;
}

const file = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
const source = readFileSync(file, 'utf8');
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: file,
  cachedData,
});
if (cachedData === undefined || script.cachedDataRejected) {
  // Made at exit, so the cache also holds the functions this run compiled lazily.
  process.once('exit', () => {
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // A read-only install: start without a cache.
    }
  });
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
