// A program's text with a line table, so that offsets become line/column only when a message is printed.

export class SourceFile {
  readonly name: string;
  readonly text: string;
  // lineStarts[i] is the offset of line i+1's first character.
  private readonly lineStarts: number[];

  constructor(name: string, text: string) {
    this.name = name;
    this.text = text;
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  // 1-based line and column of an offset; columns count characters, as bpftrace's do.
  position(offset: number): { line: number; col: number } {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }

  // The text of a 1-based line without its line ending (`\n` or `\r\n`).
  line(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }
}

// A half-open span of offsets [start, end) in one source file.
export interface Range {
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
}

export function rangeOf(file: SourceFile, start: number, end: number): Range {
  return { file, start, end };
}
