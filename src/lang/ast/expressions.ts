// Expression nodes. Operators keep their source spelling; later passes give them meaning.
import type { Range } from '../source.js';
import { Node, compact } from './node.js';
import type { Typeof } from './types.js';
import type { Statement } from './statements.js';

export type Expression =
  | IntegerLiteral
  | StringLiteral
  | BooleanLiteral
  | Identifier
  | Builtin
  | Variable
  | PositionalParameter
  | PositionalParameterCount
  | MapRef
  | MapAccess
  | Call
  | Binary
  | Unary
  | FieldAccess
  | TupleAccess
  | ArrayAccess
  | Cast
  | Ternary
  | IfExpr
  | BlockExpr
  | Tuple
  | RecordLiteral
  | Sizeof
  | Offsetof
  | Typeinfo
  | Comptime
  | AddressOf
  | ErrorExpr;

export class IntegerLiteral extends Node {
  get kind(): 'IntegerLiteral' {
    return 'IntegerLiteral';
  }
  // value is 0 when the literal is out of range (an error was reported).
  declare value: bigint;
  declare raw: string;
  constructor(range: Range, value: bigint, raw: string) {
    super(range);
    this.value = value;
    this.raw = raw;
  }
  children(): Node[] {
    return [];
  }
}

export class StringLiteral extends Node {
  get kind(): 'StringLiteral' {
    return 'StringLiteral';
  }
  declare value: string;
  constructor(range: Range, value: string) {
    super(range);
    this.value = value;
  }
  children(): Node[] {
    return [];
  }
}

export class BooleanLiteral extends Node {
  get kind(): 'BooleanLiteral' {
    return 'BooleanLiteral';
  }
  declare value: boolean;
  constructor(range: Range, value: boolean) {
    super(range);
    this.value = value;
  }
  children(): Node[] {
    return [];
  }
}

// A bare name that is not a builtin variable: an enum value, a macro argument, a typedef in sizeof.
export class Identifier extends Node {
  get kind(): 'Identifier' {
    return 'Identifier';
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

// A builtin the parser itself knows (pid, args, arg0, ...); other builtins such as comm parse as Identifier.
export class Builtin extends Node {
  get kind(): 'Builtin' {
    return 'Builtin';
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

export class Variable extends Node {
  get kind(): 'Variable' {
    return 'Variable';
  }
  // name includes the `$`.
  declare name: string;
  constructor(range: Range, name: string) {
    super(range);
    this.name = name;
  }
  children(): Node[] {
    return [];
  }
}

export class PositionalParameter extends Node {
  get kind(): 'PositionalParameter' {
    return 'PositionalParameter';
  }
  declare index: number;
  constructor(range: Range, index: number) {
    super(range);
    this.index = index;
  }
  children(): Node[] {
    return [];
  }
}

export class PositionalParameterCount extends Node {
  get kind(): 'PositionalParameterCount' {
    return 'PositionalParameterCount';
  }
  children(): Node[] {
    return [];
  }
}

export class MapRef extends Node {
  get kind(): 'MapRef' {
    return 'MapRef';
  }
  // name includes the `@`; the anonymous map is `@`.
  declare name: string;
  constructor(range: Range, name: string) {
    super(range);
    this.name = name;
  }
  children(): Node[] {
    return [];
  }
}

// `@m[k]` or `@m[a, b]` (then key is a Tuple).
export class MapAccess extends Node {
  get kind(): 'MapAccess' {
    return 'MapAccess';
  }
  declare map: MapRef;
  declare key: Expression;
  constructor(range: Range, map: MapRef, key: Expression) {
    super(range);
    this.map = map;
    this.key = key;
  }
  children(): Node[] {
    return [this.map, this.key];
  }
}

// A call argument may be `typeof(...)`.
export class Call extends Node {
  get kind(): 'Call' {
    return 'Call';
  }
  declare name: string;
  declare args: (Expression | Typeof)[];
  constructor(range: Range, name: string, args: (Expression | Typeof)[]) {
    super(range);
    this.name = name;
    this.args = args;
  }
  children(): Node[] {
    return [...this.args];
  }
}

export type BinaryOperator =
  | '||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '<<' | '>>' | '+' | '-' | '*' | '/' | '%';

export class Binary extends Node {
  get kind(): 'Binary' {
    return 'Binary';
  }
  declare op: BinaryOperator;
  declare left: Expression;
  declare right: Expression;
  constructor(range: Range, op: BinaryOperator, left: Expression, right: Expression) {
    super(range);
    this.op = op;
    this.left = left;
    this.right = right;
  }
  children(): Node[] {
    return [this.left, this.right];
  }
}

// `*` is dereference, `-` negation; `++`/`--` carry whether they were written before or after.
export type UnaryOperator = '!' | '~' | '-' | '*' | '++' | '--';

export class Unary extends Node {
  get kind(): 'Unary' {
    return 'Unary';
  }
  declare op: UnaryOperator;
  declare operand: Expression;
  declare postfix: boolean;
  constructor(range: Range, op: UnaryOperator, operand: Expression, postfix: boolean) {
    super(range);
    this.op = op;
    this.operand = operand;
    this.postfix = postfix;
  }
  children(): Node[] {
    return [this.operand];
  }
}

export class FieldAccess extends Node {
  get kind(): 'FieldAccess' {
    return 'FieldAccess';
  }
  declare object: Expression;
  declare field: string;
  declare arrow: boolean;
  constructor(range: Range, object: Expression, field: string, arrow: boolean) {
    super(range);
    this.object = object;
    this.field = field;
    this.arrow = arrow;
  }
  children(): Node[] {
    return [this.object];
  }
}

export class TupleAccess extends Node {
  get kind(): 'TupleAccess' {
    return 'TupleAccess';
  }
  declare object: Expression;
  declare index: number;
  constructor(range: Range, object: Expression, index: number) {
    super(range);
    this.object = object;
    this.index = index;
  }
  children(): Node[] {
    return [this.object];
  }
}

export class ArrayAccess extends Node {
  get kind(): 'ArrayAccess' {
    return 'ArrayAccess';
  }
  declare object: Expression;
  declare index: Expression;
  constructor(range: Range, object: Expression, index: Expression) {
    super(range);
    this.object = object;
    this.index = index;
  }
  children(): Node[] {
    return [this.object, this.index];
  }
}

export class Cast extends Node {
  get kind(): 'Cast' {
    return 'Cast';
  }
  declare type: Typeof;
  declare expr: Expression;
  constructor(range: Range, type: Typeof, expr: Expression) {
    super(range);
    this.type = type;
    this.expr = expr;
  }
  children(): Node[] {
    return [this.type, this.expr];
  }
}

// `c ? a : b`; `c ?: b` leaves then undefined (it means `c ? c : b`).
export class Ternary extends Node {
  get kind(): 'Ternary' {
    return 'Ternary';
  }
  declare cond: Expression;
  declare then: Expression | undefined;
  declare otherwise: Expression;
  constructor(range: Range, cond: Expression, then: Expression | undefined, otherwise: Expression) {
    super(range);
    this.cond = cond;
    this.then = then;
    this.otherwise = otherwise;
  }
  children(): Node[] {
    return compact([this.cond, this.then, this.otherwise]);
  }
}

export class IfExpr extends Node {
  get kind(): 'IfExpr' {
    return 'IfExpr';
  }
  declare cond: Expression;
  declare then: BlockExpr;
  declare otherwise: BlockExpr | IfExpr | undefined;
  constructor(range: Range, cond: Expression, then: BlockExpr, otherwise: BlockExpr | IfExpr | undefined) {
    super(range);
    this.cond = cond;
    this.then = then;
    this.otherwise = otherwise;
  }
  children(): Node[] {
    return compact([this.cond, this.then, this.otherwise]);
  }
}

// `{ stmts; tail }`: a probe body, a loop body, or a block used as a value (its value is tail).
export class BlockExpr extends Node {
  get kind(): 'BlockExpr' {
    return 'BlockExpr';
  }
  declare statements: Statement[];
  declare tail: Expression | undefined;
  constructor(range: Range, statements: Statement[], tail: Expression | undefined) {
    super(range);
    this.statements = statements;
    this.tail = tail;
  }
  children(): Node[] {
    return compact([...this.statements, this.tail]);
  }
}

export class Tuple extends Node {
  get kind(): 'Tuple' {
    return 'Tuple';
  }
  declare elements: Expression[];
  constructor(range: Range, elements: Expression[]) {
    super(range);
    this.elements = elements;
  }
  children(): Node[] {
    return [...this.elements];
  }
}

export class RecordField extends Node {
  get kind(): 'RecordField' {
    return 'RecordField';
  }
  declare name: string;
  declare value: Expression;
  constructor(range: Range, name: string, value: Expression) {
    super(range);
    this.name = name;
    this.value = value;
  }
  children(): Node[] {
    return [this.value];
  }
}

// `(a = 1, b = 2)`
export class RecordLiteral extends Node {
  get kind(): 'RecordLiteral' {
    return 'RecordLiteral';
  }
  declare fields: RecordField[];
  constructor(range: Range, fields: RecordField[]) {
    super(range);
    this.fields = fields;
  }
  children(): Node[] {
    return [...this.fields];
  }
}

export class Sizeof extends Node {
  get kind(): 'Sizeof' {
    return 'Sizeof';
  }
  declare arg: Typeof;
  constructor(range: Range, arg: Typeof) {
    super(range);
    this.arg = arg;
  }
  children(): Node[] {
    return [this.arg];
  }
}

export class Offsetof extends Node {
  get kind(): 'Offsetof' {
    return 'Offsetof';
  }
  declare arg: Typeof;
  declare fields: string[];
  constructor(range: Range, arg: Typeof, fields: string[]) {
    super(range);
    this.arg = arg;
    this.fields = fields;
  }
  children(): Node[] {
    return [this.arg];
  }
}

export class Typeinfo extends Node {
  get kind(): 'Typeinfo' {
    return 'Typeinfo';
  }
  declare arg: Typeof;
  constructor(range: Range, arg: Typeof) {
    super(range);
    this.arg = arg;
  }
  children(): Node[] {
    return [this.arg];
  }
}

export class Comptime extends Node {
  get kind(): 'Comptime' {
    return 'Comptime';
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

// `&$x` or `&@m`
export class AddressOf extends Node {
  get kind(): 'AddressOf' {
    return 'AddressOf';
  }
  declare target: Variable | MapRef;
  constructor(range: Range, target: Variable | MapRef) {
    super(range);
    this.target = target;
  }
  children(): Node[] {
    return [this.target];
  }
}

// A placeholder where an expression could not be built, so a pass can keep the tree whole after an error
// (the parser itself drops the statements it cannot parse).
export class ErrorExpr extends Node {
  get kind(): 'ErrorExpr' {
    return 'ErrorExpr';
  }
  children(): Node[] {
    return [];
  }
}
