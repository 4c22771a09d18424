// Attachments: one function per kind, each returning a Link that detaches on close().
export { AttachError, AttachUnavailableError, closeAllLinks, openLinkCount, type Link, type ProgramRef } from './link.js';
export { attachTracepoint, tracepointId } from './tracepoint.js';
export { attachRawTracepoint } from './raw-tracepoint.js';
export { attachTpBtf } from './tp-btf.js';
export { attachFentry, attachFexit } from './fentry.js';
export { attachKprobe, type KprobeOptions } from './kprobe.js';
export { attachUprobe, checkUprobeSite, openUprobeBinary, resolveBinary, type UprobeOptions, type UprobeSite } from './uprobe.js';
export { attachUsdt, usdtLocations, type UsdtOptions } from './usdt.js';
export { attachPerfEvent, HARDWARE_EVENTS, SOFTWARE_EVENTS, type PerfEventOptions } from './perf-event.js';
export { attachWatchpoint, type WatchpointOptions } from './watchpoint.js';
export { attachIter, IterLink } from './iter.js';
