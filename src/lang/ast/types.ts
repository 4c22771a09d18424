// Type syntax as written in casts, sizeof/offsetof, `let $x: T` and fn signatures.
import type { Range } from '../source.js';
import { Node, compact } from './node.js';
import type { Expression } from './expressions.js';

export type TypeRef = NamedType | RecordType | PointerType | ArrayType;

// A builtin (int32, string, ...) or an unknown name a later pass resolves (a typedef).
export class NamedType extends Node {
  get kind(): 'NamedType' {
    return 'NamedType';
  }
  declare name: string;
  constructor(range: Range, name: string) {
    super(range);
    this.name = name;
  }
  children(): Node[] {
    return [];
  }
}

export class RecordType extends Node {
  get kind(): 'RecordType' {
    return 'RecordType';
  }
  declare keyword: 'struct' | 'union' | 'enum';
  declare name: string;
  constructor(range: Range, keyword: 'struct' | 'union' | 'enum', name: string) {
    super(range);
    this.keyword = keyword;
    this.name = name;
  }
  children(): Node[] {
    return [];
  }
}

export class PointerType extends Node {
  get kind(): 'PointerType' {
    return 'PointerType';
  }
  declare pointee: TypeRef;
  constructor(range: Range, pointee: TypeRef) {
    super(range);
    this.pointee = pointee;
  }
  children(): Node[] {
    return [this.pointee];
  }
}

export class ArrayType extends Node {
  get kind(): 'ArrayType' {
    return 'ArrayType';
  }
  // size is undefined for `T[]`.
  declare element: TypeRef;
  declare size: bigint | undefined;
  constructor(range: Range, element: TypeRef, size: bigint | undefined) {
    super(range);
    this.element = element;
    this.size = size;
  }
  children(): Node[] {
    return [this.element];
  }
}

// `typeof(...)` or a bare type where a type is expected: exactly one of type and expr is set.
export class Typeof extends Node {
  get kind(): 'Typeof' {
    return 'Typeof';
  }
  declare type: TypeRef | undefined;
  declare expr: Expression | undefined;
  constructor(range: Range, type: TypeRef | undefined, expr: Expression | undefined) {
    super(range);
    this.type = type;
    this.expr = expr;
  }
  children(): Node[] {
    return compact([this.type, this.expr]);
  }
}

export function typeToString(t: TypeRef): string {
  switch (t.kind) {
    case 'NamedType':
      return t.name;
    case 'RecordType':
      return `${t.keyword} ${t.name}`;
    case 'PointerType':
      return `${typeToString(t.pointee)} *`;
    case 'ArrayType':
      return `${typeToString(t.element)}[${t.size === undefined ? '' : t.size.toString()}]`;
  }
}
