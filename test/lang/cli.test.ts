// End to end through the command's entry point, for what the front end decides: syntax errors, usage errors
// and unreadable files. (The -d ast tree itself is covered by the golden tests.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/run.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('bpfkit (bpftrace command line)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('prints diagnostics in bpftrace format and exits 1', async () => {
    const r = await run(['-e', 'begin { $x = ; }', '--dry-run']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: "stdin:1:14-15: ERROR: syntax: expected expression\nbegin { $x = ; }\n             ~\n",
    });
  });

  it('reads a script file and names it in diagnostics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfkit-cli-'));
    dirs.push(dir);
    const bad = join(dir, 'bad.bt');
    writeFileSync(bad, 'begin {\n  @x = 1 +;\n}\n');
    const r = await run(['--dry-run', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${bad}:2:11-12: ERROR: syntax: expected expression\n  @x = 1 +;\n          ~\n`);
  });

  it('reports usage errors and a missing file without a stack trace', async () => {
    expect((await run(['-d', 'bogus', '-e', 'x'])).stderr).toBe('ERROR: USAGE: invalid option for -d: bogus\n');
    const missing = await run(['/nonexistent/x.bt']);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: "ERROR: failed to open file '/nonexistent/x.bt': No such file or directory\n" });
  });
});
