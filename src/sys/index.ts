// The sys layer: system calls through koffi, typed errors, and the kernel's UAPI numbers.
export { sys, setSys, type Sys, type Mapping, type EpollEvent } from './syscalls.js';
export { SysError, defaultHint } from './error.js';
export { Errno, errnoName } from './errno.js';
export * from './uapi.js';
export * from './bpf-attr.js';
