// Checks every registered tool without a kernel: its metadata, its usage text and the programs its options build.
import { describe, expect, it } from 'vitest';
import { parse } from '../lang/index.js';
import { parseToolArgs, toolUsage } from './options.js';
import { allTools, findTool } from './registry.js';

describe('tool registry', () => {
  const tools = allTools();

  it('has unique names and one-line summaries', () => {
    const names = tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of tools) {
      expect(t.summary.length, t.name).toBeLessThanOrEqual(60);
      expect(t.summary, t.name).not.toMatch(/\.$|\n/);
      expect(t.needs.length, t.name).toBeGreaterThan(0);
    }
  });

  it('keeps usage lines under 80 columns', () => {
    for (const t of tools) {
      for (const line of toolUsage(t).split('\n')) expect(line.length, `${t.name}: ${line}`).toBeLessThan(80);
    }
  });

  it('builds a program that parses for the default options and for each flag', () => {
    for (const t of tools) {
      const variants: string[][] = [[]];
      for (const o of t.options) {
        const flag = o.short !== undefined ? `-${o.short}` : `--${o.long!}`;
        variants.push(o.value === undefined ? [flag] : [flag, o.value === 'int' ? '42' : 'sh']);
      }
      for (const argv of variants) {
        const args = parseToolArgs(t, argv);
        if (args.help || args.flag('program')) continue;
        let text: string;
        try {
          text = t.program(args);
        } catch (err) {
          // Some options need others (memleak needs -p): that is a usage error, not a broken program; and a tool
          // may find the kernel lacks what it reads (runqlen's cfs_rq field).
          expect(['ToolUsageError', 'ToolUnavailableError'], `${t.name} ${argv.join(' ')}`).toContain((err as Error).name);
          continue;
        }
        const parsed = parse(text, t.name);
        expect(parsed.diagnostics.ok, `${t.name} ${argv.join(' ')}:\n${text}`).toBe(true);
      }
    }
  });

  it('finds tools by name', () => {
    expect(findTool('opensnoop')?.name).toBe('opensnoop');
    expect(findTool('nope')).toBeUndefined();
  });
});
