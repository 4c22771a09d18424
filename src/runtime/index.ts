// The runtime: the value model and the output side (text and JSON renderers, printf, time), and running a
// compiled script against the kernel (load, attach, event loop, decoding, exit-time map printing).
export * from './value/index.js';
export * from './output/index.js';
export { runSession, type SessionOptions } from './session.js';
export { loadScript, type LoadedScript, type LoadedProgram, type LoadOptions } from './loader.js';
export { attachAll, type AttachedProbe, type AttachOptions } from './attach.js';
export { decodeValue, type BuildIdFrame, type DecodeContext } from './decode.js';
export { readUserMap, mapDisplayName } from './map-reader.js';
export { EventHandler, EventError, type EventHandlerOptions } from './events.js';
export { ChildCommand } from './child.js';
export { FdSink, type BufferingMode } from './sink.js';
export { ScriptRunError, ProgramLoadError, ProbeAttachError, MissingFeatureError, ChildCommandError, RunSetupError } from './errors.js';
