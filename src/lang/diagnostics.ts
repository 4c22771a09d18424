// Errors and warnings with source ranges, and the one function that prints them the way bpftrace does.
import type { Range } from './source.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range | undefined;
  readonly hints: readonly string[];
}

export class Diagnostics {
  private readonly items: Diagnostic[] = [];

  error(message: string, range?: Range, hints: readonly string[] = []): void {
    this.items.push({ severity: 'error', message, range, hints });
  }

  warning(message: string, range?: Range, hints: readonly string[] = []): void {
    this.items.push({ severity: 'warning', message, range, hints });
  }

  get all(): readonly Diagnostic[] {
    return this.items;
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'warning');
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.items) if (d.severity === 'error') n++;
    return n;
  }

  get ok(): boolean {
    return this.errorCount === 0;
  }

  // Drops diagnostics added after the first `count`, for speculative parsing that was abandoned.
  truncate(count: number): void {
    this.items.length = Math.min(this.items.length, count);
  }

  addAll(other: Diagnostics): void {
    this.items.push(...other.items);
  }
}

// Prints errors first, then warnings, each as `FILE:LINE:COL-COL: ERROR: message`, the source line and a `~~~` underline.
// Tabs are shown as four spaces and the underline widens with them, as bpftrace does.
export function formatDiagnostics(diags: Diagnostics, options: { warnings?: boolean } = {}): string {
  const out: string[] = [];
  const showWarnings = options.warnings ?? true;
  for (const d of diags.errors) out.push(formatOne(d));
  if (showWarnings) for (const d of diags.warnings) out.push(formatOne(d));
  return out.join('');
}

function formatOne(d: Diagnostic): string {
  const label = d.severity === 'error' ? 'ERROR' : 'WARNING';
  let text = '';
  if (d.range === undefined) {
    text += `${label}: ${d.message}\n`;
  } else {
    const site = sourceSite(d.range);
    text += `${site.location}: ${label}: ${d.message}\n`;
    for (const line of site.context) text += `${line}\n`;
  }
  for (const h of d.hints) text += `HINT: ${h}\n`;
  return text;
}

/** Where a range is, as diagnostics print it, for messages the runtime prints (errorf, run-time warnings). */
export interface SourceSite {
  /** `stdin:1:9-62` (or `stdin:2-4` across lines). */
  readonly location: string;
  readonly filename: string;
  readonly line: number;
  readonly column: number;
  /** The source line and its `~~~` underline (every line of a range that spans several). */
  readonly context: readonly string[];
}

// Tabs are shown as four spaces and the underline widens with them, as bpftrace does.
export function sourceSite(range: Range): SourceSite {
  const { file, start, end } = range;
  const b = file.position(start);
  const e = file.position(Math.max(end, start));
  if (b.line !== e.line) {
    const context: string[] = [];
    for (let l = b.line; l <= e.line; l++) context.push(file.line(l));
    return { location: `${file.name}:${b.line}-${e.line}`, filename: file.name, line: b.line, column: b.col, context };
  }
  const src = file.line(b.line);
  let shown = '';
  let marks = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    shown += c === '\t' ? '    ' : c;
    if (i < e.col - 1) {
      const m = i < b.col - 1 ? ' ' : '~';
      marks += c === '\t' ? m.repeat(4) : m;
    }
  }
  return { location: `${file.name}:${b.line}:${b.col}-${e.col}`, filename: file.name, line: b.line, column: b.col, context: [shown, marks] };
}
