// C declarations from a script's preamble, kept as data so later passes can build types without clang.
import type { Range } from '../source.js';
import { Node } from './node.js';

// The type part of a field: a builtin spelling ("unsigned long"), a named record or enum, or an inline one.
export type CTypeSpec =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'tagged'; readonly keyword: 'struct' | 'union' | 'enum'; readonly name: string }
  | { readonly kind: 'inline'; readonly decl: CRecordDecl | CEnumDecl };

export interface CField {
  readonly type: CTypeSpec;
  // Undefined for an anonymous struct/union member.
  readonly name: string | undefined;
  readonly pointers: number;
  // Array dimensions as written; an undefined entry is `[]`. Sizes may be C expressions.
  readonly arrays: (string | undefined)[];
  readonly bitWidth: string | undefined;
  // Set when the declarator is a function pointer: `int (*fn)(int)`.
  readonly functionPointer: boolean;
}

export interface CRecordDecl {
  readonly kind: 'record';
  readonly keyword: 'struct' | 'union';
  readonly name: string | undefined;
  readonly fields: CField[];
  readonly attributes: string[];
}

export interface CEnumerator {
  readonly name: string;
  readonly value: string | undefined;
}

export interface CEnumDecl {
  readonly kind: 'enum';
  readonly name: string | undefined;
  readonly enumerators: CEnumerator[];
}

// `#include <...>`, `#define X Y` and other directives, one line each.
export class CPreprocessor extends Node {
  get kind(): 'CPreprocessor' {
    return 'CPreprocessor';
  }
  declare text: string;
  declare directive: string;
  // For #define: the macro name, its parameters if function-like, and its body.
  declare define: { name: string; params: string[] | undefined; body: string } | undefined;
  constructor(
    range: Range,
    text: string,
    directive: string,
    define: { name: string; params: string[] | undefined; body: string } | undefined,
  ) {
    super(range);
    this.text = text;
    this.directive = directive;
    this.define = define;
  }
  children(): Node[] {
    return [];
  }
}

// `struct Foo { ... };` in the preamble: the text as written and the parsed declaration.
export class CDefinition extends Node {
  get kind(): 'CDefinition' {
    return 'CDefinition';
  }
  declare text: string;
  declare decl: CRecordDecl | CEnumDecl;
  constructor(range: Range, text: string, decl: CRecordDecl | CEnumDecl) {
    super(range);
    this.text = text;
    this.decl = decl;
  }
  children(): Node[] {
    return [];
  }
}
