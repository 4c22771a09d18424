// The kernel layer: maps, programs, links, ring and perf buffers, and feature probes.
export * from './errors.js';
export * from './cpus.js';
export * from './pin.js';
export * from './map.js';
export * from './program.js';
export * from './features.js';
export { skipUnless, ensureTracefs } from './testing.js';
export * from './link/index.js';
export * from './ringbuf.js';
export * from './perfbuf.js';
export * from './perf-event.js';
export * from './btf-object.js';
