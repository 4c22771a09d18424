// Statement nodes inside blocks.
import type { Range } from '../source.js';
import { Node, compact } from './node.js';
import type { BlockExpr, Expression, MapAccess, MapRef, Variable } from './expressions.js';
import type { Typeof } from './types.js';

export type Statement =
  | ExprStatement
  | VarDecl
  | Assignment
  | While
  | Unroll
  | For
  | Jump
  | Discard
  | ImportStatement;

export class ExprStatement extends Node {
  get kind(): 'ExprStatement' {
    return 'ExprStatement';
  }
  declare expr: Expression;
  constructor(range: Range, expr: Expression) {
    super(range);
    this.expr = expr;
  }
  children(): Node[] {
    return [this.expr];
  }
}

// `let $x;`, `let $x: T;` (with an initialiser it is the target of an Assignment).
export class VarDecl extends Node {
  get kind(): 'VarDecl' {
    return 'VarDecl';
  }
  declare variable: Variable;
  declare type: Typeof | undefined;
  constructor(range: Range, variable: Variable, type: Typeof | undefined) {
    super(range);
    this.variable = variable;
    this.type = type;
  }
  children(): Node[] {
    return compact([this.variable, this.type]);
  }
}

export type AssignOperator = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=';

export class Assignment extends Node {
  get kind(): 'Assignment' {
    return 'Assignment';
  }
  declare target: Variable | VarDecl | MapRef | MapAccess;
  declare op: AssignOperator;
  declare value: Expression;
  constructor(range: Range, target: Variable | VarDecl | MapRef | MapAccess, op: AssignOperator, value: Expression) {
    super(range);
    this.target = target;
    this.op = op;
    this.value = value;
  }
  children(): Node[] {
    return [this.target, this.value];
  }
}

export class While extends Node {
  get kind(): 'While' {
    return 'While';
  }
  declare cond: Expression;
  declare body: BlockExpr;
  constructor(range: Range, cond: Expression, body: BlockExpr) {
    super(range);
    this.cond = cond;
    this.body = body;
  }
  children(): Node[] {
    return [this.cond, this.body];
  }
}

export class Unroll extends Node {
  get kind(): 'Unroll' {
    return 'Unroll';
  }
  declare count: Expression;
  declare body: BlockExpr;
  constructor(range: Range, count: Expression, body: BlockExpr) {
    super(range);
    this.count = count;
    this.body = body;
  }
  children(): Node[] {
    return [this.count, this.body];
  }
}

export class RangeExpr extends Node {
  get kind(): 'RangeExpr' {
    return 'RangeExpr';
  }
  declare start: Expression;
  declare end: Expression;
  constructor(range: Range, start: Expression, end: Expression) {
    super(range);
    this.start = start;
    this.end = end;
  }
  children(): Node[] {
    return [this.start, this.end];
  }
}

// `for ($kv : @map) {}` or `for ($i : 0..10) {}`
export class For extends Node {
  get kind(): 'For' {
    return 'For';
  }
  declare variable: Variable;
  declare iterable: MapRef | RangeExpr;
  declare body: BlockExpr;
  constructor(range: Range, variable: Variable, iterable: MapRef | RangeExpr, body: BlockExpr) {
    super(range);
    this.variable = variable;
    this.iterable = iterable;
    this.body = body;
  }
  children(): Node[] {
    return [this.variable, this.iterable, this.body];
  }
}

export class Jump extends Node {
  get kind(): 'Jump' {
    return 'Jump';
  }
  declare jump: 'break' | 'continue' | 'return';
  declare value: Expression | undefined;
  constructor(range: Range, jump: 'break' | 'continue' | 'return', value: Expression | undefined) {
    super(range);
    this.jump = jump;
    this.value = value;
  }
  children(): Node[] {
    return compact([this.value]);
  }
}

// `_ = expr;`
export class Discard extends Node {
  get kind(): 'Discard' {
    return 'Discard';
  }
  declare expr: Expression;
  constructor(range: Range, expr: Expression) {
    super(range);
    this.expr = expr;
  }
  children(): Node[] {
    return [this.expr];
  }
}

export class ImportStatement extends Node {
  get kind(): 'ImportStatement' {
    return 'ImportStatement';
  }
  declare path: string;
  constructor(range: Range, path: string) {
    super(range);
    this.path = path;
  }
  children(): Node[] {
    return [];
  }
}
