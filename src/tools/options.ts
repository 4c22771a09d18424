// BCC-style option parsing for the tools: short flags that combine (-Tx), short options with their value
// attached or next (-p123, -p 123), long ones (--pid 123, --pid=123), then interval and count positionals.
import { ToolUsageError } from './errors.js';
import type { OptionSpec, PositionalSpec, ToolSpec } from './tool.js';

export type OptionValue = boolean | number | string;

/** A tool's parsed command line. */
export class ToolArgs {
  readonly #values: ReadonlyMap<string, OptionValue>;
  /** Set when -h or --help was given: print the usage and run nothing. */
  readonly help: boolean;

  constructor(values: ReadonlyMap<string, OptionValue>, help = false) {
    this.#values = values;
    this.help = help;
  }

  flag(key: string): boolean {
    return this.#values.get(key) === true;
  }

  int(key: string): number | undefined {
    const v = this.#values.get(key);
    return typeof v === 'number' ? v : undefined;
  }

  str(key: string): string | undefined {
    const v = this.#values.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }
}

/** Options every tool takes besides its own. */
const COMMON: readonly OptionSpec[] = [
  { key: 'help', short: 'h', long: 'help', help: 'show this help and exit' },
  { key: 'program', long: 'program', help: 'print the bpftrace program instead of running it' },
];

export function commonOptions(): readonly OptionSpec[] {
  return COMMON;
}

export function parseToolArgs(tool: ToolSpec, argv: readonly string[]): ToolArgs {
  const options = [...tool.options, ...COMMON];
  const values = new Map<string, OptionValue>();
  const positionals: string[] = [];
  const byShort = new Map(options.filter((o) => o.short !== undefined).map((o) => [o.short!, o]));
  const byLong = new Map(options.filter((o) => o.long !== undefined).map((o) => [o.long!, o]));

  const setValue = (opt: OptionSpec, raw: string, shown: string): void => {
    if (opt.value === 'int') {
      if (!/^-?\d+$/.test(raw)) throw new ToolUsageError(tool.name, `Invalid value for ${shown}: ${raw} is not an integer`);
      values.set(opt.key, Number(raw));
    } else {
      values.set(opt.key, raw);
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const opt = byLong.get(name);
      if (!opt) throw new ToolUsageError(tool.name, `Unknown option: --${name}`);
      if (opt.value === undefined) {
        if (eq >= 0) throw new ToolUsageError(tool.name, `Option --${name} takes no value`);
        values.set(opt.key, true);
        continue;
      }
      let raw: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (raw === undefined) throw new ToolUsageError(tool.name, `Option --${name} needs a value`);
      setValue(opt, raw, `--${name}`);
      continue;
    }
    // A lone "-" or a negative number is a positional, unless the tool has that digit as a flag (tcpdrop's -4).
    if (arg.startsWith('-') && arg.length > 1 && (!/^-\d/.test(arg) || byShort.has(arg[1]!))) {
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j]!;
        const opt = byShort.get(c);
        if (!opt) throw new ToolUsageError(tool.name, `Unknown option: -${c}`);
        if (opt.value === undefined) {
          values.set(opt.key, true);
          continue;
        }
        const rest = arg.slice(j + 1);
        const raw = rest !== '' ? rest : argv[++i];
        if (raw === undefined) throw new ToolUsageError(tool.name, `Option -${c} needs a value`);
        setValue(opt, raw, `-${c}`);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }

  const specs: readonly PositionalSpec[] = tool.positionals ?? [];
  if (positionals.length > specs.length) {
    throw new ToolUsageError(tool.name, `Unexpected argument: ${positionals[specs.length]}`);
  }
  positionals.forEach((raw, k) => {
    const spec = specs[k]!;
    if (spec.key === 'pattern') {
      values.set(spec.key, raw);
      return;
    }
    if (!/^\d+$/.test(raw)) throw new ToolUsageError(tool.name, `Invalid ${spec.key}: ${raw} is not a whole number`);
    if (Number(raw) === 0 && spec.key !== 'threshold') throw new ToolUsageError(tool.name, `Invalid ${spec.key}: it must be at least 1`);
    values.set(spec.key, Number(raw));
  });
  return new ToolArgs(values, values.get('help') === true);
}

/** The -h text: synopsis, purpose, options, positionals and examples. */
export function toolUsage(tool: ToolSpec, invokedAs = `bpfkit tools ${tool.name}`): string {
  const options = [...tool.options, ...COMMON];
  const pos = (tool.positionals ?? []).map((p) => `[${p.key}]`).join(' ');
  const lines: string[] = [`usage: ${invokedAs} [options]${pos ? ` ${pos}` : ''}`, '', tool.summary, ''];
  const rows: Array<[string, string]> = options.map((o) => [optionLabel(o), o.help]);
  for (const p of tool.positionals ?? []) rows.push([p.key, p.help]);
  const width = Math.min(24, Math.max(...rows.map(([l]) => l.length)) + 2);
  lines.push('options:');
  for (const [label, help] of rows) {
    lines.push(label.length + 2 > width ? `  ${label}\n  ${' '.repeat(width)}${help}` : `  ${label.padEnd(width)}${help}`);
  }
  if (tool.examples && tool.examples.length > 0) {
    lines.push('', 'examples:');
    const prefix = `bpfkit tools ${tool.name}`;
    const ex = tool.examples.map(([args, what]) => [`${prefix}${args ? ` ${args}` : ''}`, what] as const);
    const w = Math.max(...ex.map(([c]) => c.length)) + 3;
    for (const [cmd, what] of ex) lines.push(2 + w + 2 + what.length > 79 ? `  ${cmd}\n      # ${what}` : `  ${cmd.padEnd(w)}# ${what}`);
  }
  return `${lines.join('\n')}\n`;
}

function optionLabel(o: OptionSpec): string {
  const meta = o.value !== undefined ? ` ${o.metavar ?? o.key.toUpperCase()}` : '';
  if (o.short !== undefined && o.long !== undefined) return `-${o.short}, --${o.long}${meta}`;
  if (o.short !== undefined) return `-${o.short}${meta}`;
  return `    --${o.long}${meta}`;
}
