// Typed failures of flame graph rendering and collapsing; src/cli turns them into messages.

export class FlameGraphError extends Error {
  override name = 'FlameGraphError';
}

/** An option value that cannot be used. */
export class FlameGraphOptionError extends FlameGraphError {
  override name = 'FlameGraphOptionError';
  readonly option: string;
  readonly value: string;

  constructor(option: string, value: string, reason: string) {
    super(`Invalid value '${value}' for ${option}: ${reason}`);
    this.option = option;
    this.value = value;
  }
}

/** Collapser input that is not in the expected format. */
export class CollapseFormatError extends FlameGraphError {
  override name = 'CollapseFormatError';
  readonly line: number;

  constructor(format: string, line: number, detail: string) {
    super(`Cannot read ${format} input at line ${line}: ${detail}`);
    this.line = line;
  }
}
