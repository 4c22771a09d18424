// The bpftrace language front end: parse a script into an AST with diagnostics, print either.
export { parse, isParserBuiltin, type ParseResult } from './parser.js';
export { printAst } from './printer.js';
export { Diagnostics, formatDiagnostics, type Diagnostic, type Severity } from './diagnostics.js';
export { SourceFile, type Range } from './source.js';
export { walk, collect, type Visitor } from './walk.js';
export { scanToken, integerValue, type Token, type TokenKind } from './lexer.js';
export { expandProvider, splitAttachPoint } from './attach-point.js';
export { parseCDefinition, CDeclError } from './c-decl.js';
export * from './ast/index.js';
