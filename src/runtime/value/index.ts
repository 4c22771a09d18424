export * from './value.js';
export * from './aggregate.js';
export * from './map.js';
