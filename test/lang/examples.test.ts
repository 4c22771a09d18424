// bpftrace's own tools must all parse. Needs a checkout of bpftrace's public repository (not committed);
// scripts/parse-examples.ts covers the docs as well.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, parse } from '../../src/lang/index.js';

const checkout = process.env['BPFTRACE_SRC'] ?? '/tmp/bt-src';
const have = existsSync(join(checkout, 'tools'));
if (!have) console.log(`skipping bpftrace tool parsing: no checkout at ${checkout} (set BPFTRACE_SRC)`);

describe('bpftrace tools', () => {
  it.skipIf(!have)('parses every tools/*.bt without diagnostics', () => {
    const tools = readdirSync(join(checkout, 'tools')).filter((f) => f.endsWith('.bt'));
    expect(tools.length).toBeGreaterThan(30);
    const failures = tools
      .map((f) => formatDiagnostics(parse(readFileSync(join(checkout, 'tools', f), 'utf8'), `tools/${f}`).diagnostics, { warnings: false }))
      .filter((text) => text !== '');
    expect(failures).toEqual([]);
  });
});
