export * from './node.js';
export * from './types.js';
export * from './expressions.js';
export * from './statements.js';
export * from './program.js';
export * from './c.js';
