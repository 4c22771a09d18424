// The runtime: the value model and the output side (text and JSON renderers, printf, time).
export * from './value/index.js';
export * from './output/index.js';
