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
// The compiler (semantic passes and code generation); its output is the artifact the runtime loads.
export { compile, nodeType, type CompileResult, type CompileStop } from './compile.js';
export * from './codegen/artifact.js';
export {
  typeName, sizeOf, alignOf, structLayout, isAggregation, isScalar, promote, sameType,
  type SizedType, type IntType, type StringType, type TupleType, type StackType, type AggregationType, type TimestampType,
  type StackMode as TypeStackMode, type StructLayout,
} from './types.js';
export { PASSES, type CompileOptions, type TracepointCatalog } from './passes/index.js';
export { dumpTypedAst, dumpBytecode } from './dump.js';
