// The library's public entry: one namespace per layer, so names never clash across layers
// (`import { kernel, btf } from 'bpfkit'`; `kernel.createMap(...)`).
export * as sys from './sys/index.js';
export * as isa from './isa/index.js';
export * as btf from './btf/index.js';
export * as elf from './elf/index.js';
export * as symbols from './symbols/index.js';
export * as tracefs from './tracefs/index.js';
export * as kernel from './kernel/index.js';
export * as lang from './lang/index.js';
export * as runtime from './runtime/index.js';
export * as flamegraph from './flamegraph/index.js';
