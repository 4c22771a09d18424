// The bundled tools: the registry, BCC-style option parsing, and the check that a tool's probes exist here.
export { type ToolSpec, type ToolCategory, type ProbeNeed, type OptionSpec, type PositionalSpec, probeText } from './tool.js';
export { ToolArgs, parseToolArgs, toolUsage, commonOptions, type OptionValue } from './options.js';
export { toolAvailability, missing, binaryPath, type Availability } from './availability.js';
export { allTools, findTool, getTool } from './registry.js';
export { ToolUsageError, ToolUnavailableError, UnknownToolError } from './errors.js';
export { quote, predicate, intervalBlock, commName } from './program.js';
