// The tools' typed errors; src/cli turns them into one line and exit code 1.

/** Bad options for a tool: the message says which and why. */
export class ToolUsageError extends Error {
  readonly tool: string;
  constructor(tool: string, message: string) {
    super(message);
    this.name = 'ToolUsageError';
    this.tool = tool;
  }
}

/** The kernel lacks a probe the tool needs. */
export class ToolUnavailableError extends Error {
  readonly tool: string;
  constructor(tool: string, reason: string) {
    super(`Cannot run ${tool}: ${reason}`);
    this.name = 'ToolUnavailableError';
    this.tool = tool;
  }
}

export class UnknownToolError extends Error {
  constructor(name: string) {
    super(`Cannot find tool ${name}: see \`bpfkit tools\` for the list`);
    this.name = 'UnknownToolError';
  }
}
