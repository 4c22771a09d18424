// The tracefs layer: finding tracefs, the catalogue of trace events, and their format files.
export { TracefsError } from './error.js';
export { tracefsRoot, TRACEFS, DEBUGFS_TRACING } from './mount.js';
export { TraceEvents, traceEvents, type TraceEventName } from './catalog.js';
export { parseEventFormat, type EventFormat, type EventField } from './format.js';
