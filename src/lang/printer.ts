// `-d ast`: the tree as an indented outline, one node a line, children one space deeper (bpftrace's classic dump shape).
import type * as A from './ast/index.js';
import { typeToString } from './ast/types.js';

export function printAst(program: A.Program): string {
  const out: string[] = [];
  const line = (depth: number, text: string): void => {
    out.push(' '.repeat(depth) + text);
  };

  const printNode = (n: A.Node, depth: number): void => {
    const node = n as AnyNode;
    switch (node.kind) {
      case 'Program':
        line(depth, 'Program');
        if (node.header !== undefined) line(depth + 1, `header: ${node.header}`);
        for (const c of node.children()) printNode(c, depth + 1);
        return;
      case 'CPreprocessor':
        line(depth, `c: ${node.text}`);
        return;
      case 'CDefinition':
        printCDecl(node.decl, depth, line);
        return;
      case 'Config':
        line(depth, 'config');
        for (const e of node.entries) line(depth + 1, `${e.key} = ${formatConfigValue(e.value, e.bare)}`);
        return;
      case 'RootImport':
      case 'ImportStatement':
        line(depth, `import: ${JSON.stringify(node.path)}`);
        return;
      case 'Probe':
        line(depth, 'probe');
        for (const ap of node.attachPoints) printNode(ap, depth + 1);
        if (node.predicate) {
          line(depth + 1, 'predicate');
          printNode(node.predicate, depth + 2);
        }
        printNode(node.body, depth + 1);
        return;
      case 'AttachPoint': {
        // The raw text when it already reads as provider:parts; otherwise also how it was understood.
        const joined = [node.provider, ...node.parts].join(':');
        const named = node.userName === undefined ? '' : ` name=${node.userName}`;
        const understood = `${node.provider || '(none)'} ${JSON.stringify(node.parts)}${named}`;
        line(depth, joined === node.raw ? node.raw : `${node.raw} -> ${understood}`);
        return;
      }
      case 'Macro':
        line(depth, `macro: ${node.name}(${node.params.map((p) => ('name' in p ? p.name : '')).join(', ')})`);
        printNode(node.body, depth + 1);
        return;
      case 'Subprog':
        line(depth, `fn: ${node.name}`);
        for (const p of node.params) printNode(p, depth + 1);
        line(depth + 1, 'returns');
        printNode(node.returnType, depth + 2);
        printNode(node.body, depth + 1);
        return;
      case 'SubprogParam':
        line(depth, `param: ${node.variable.name}`);
        printNode(node.type, depth + 1);
        return;
      case 'MapDecl':
        line(depth, `let ${node.name} = ${node.mapType}(${node.maxEntries})`);
        return;
      case 'BlockExpr':
        line(depth, 'block');
        for (const s of node.statements) printNode(s, depth + 1);
        if (node.tail) {
          line(depth + 1, 'value');
          printNode(node.tail, depth + 2);
        }
        return;
      case 'ExprStatement':
        printNode(node.expr, depth);
        return;
      case 'VarDecl':
        line(depth, `let ${node.variable.name}`);
        if (node.type) printNode(node.type, depth + 1);
        return;
      case 'Assignment':
        line(depth, node.op);
        printNode(node.target, depth + 1);
        printNode(node.value, depth + 1);
        return;
      case 'While':
      case 'Unroll':
        line(depth, node.kind === 'While' ? 'while' : 'unroll');
        printNode(node.kind === 'While' ? node.cond : node.count, depth + 1);
        printNode(node.body, depth + 1);
        return;
      case 'For':
        line(depth, 'for');
        printNode(node.variable, depth + 1);
        printNode(node.iterable, depth + 1);
        printNode(node.body, depth + 1);
        return;
      case 'RangeExpr':
        line(depth, 'range');
        printNode(node.start, depth + 1);
        printNode(node.end, depth + 1);
        return;
      case 'Jump':
        line(depth, node.jump);
        if (node.value) printNode(node.value, depth + 1);
        return;
      case 'Discard':
        line(depth, 'discard');
        printNode(node.expr, depth + 1);
        return;
      case 'IntegerLiteral':
        line(depth, node.raw === node.value.toString() ? `int: ${node.raw}` : `int: ${node.value} (${node.raw})`);
        return;
      case 'StringLiteral':
        line(depth, `string: ${JSON.stringify(node.value)}`);
        return;
      case 'BooleanLiteral':
        line(depth, `bool: ${node.value}`);
        return;
      case 'Identifier':
        line(depth, `identifier: ${node.name}`);
        return;
      case 'Builtin':
        line(depth, `builtin: ${node.name}`);
        return;
      case 'Variable':
        line(depth, `variable: ${node.name}`);
        return;
      case 'PositionalParameter':
        line(depth, `param: $${node.index}`);
        return;
      case 'PositionalParameterCount':
        line(depth, 'param: $#');
        return;
      case 'MapRef':
        line(depth, `map: ${node.name}`);
        return;
      case 'MapAccess':
        line(depth, `map: ${node.map.name}`);
        printNode(node.key, depth + 1);
        return;
      case 'Call':
        line(depth, `call: ${node.name}`);
        for (const a of node.args) printNode(a, depth + 1);
        return;
      case 'Binary':
        line(depth, node.op);
        printNode(node.left, depth + 1);
        printNode(node.right, depth + 1);
        return;
      case 'Unary':
        line(depth, node.postfix ? `${node.op} (post)` : node.op);
        printNode(node.operand, depth + 1);
        return;
      case 'FieldAccess':
        line(depth, node.arrow ? `-> ${node.field}` : `. ${node.field}`);
        printNode(node.object, depth + 1);
        return;
      case 'TupleAccess':
        line(depth, `. ${node.index}`);
        printNode(node.object, depth + 1);
        return;
      case 'ArrayAccess':
        line(depth, '[]');
        printNode(node.object, depth + 1);
        printNode(node.index, depth + 1);
        return;
      case 'Cast':
        line(depth, 'cast');
        printNode(node.type, depth + 1);
        printNode(node.expr, depth + 1);
        return;
      case 'Ternary':
        line(depth, node.then ? '?:' : '?: (short)');
        for (const c of node.children()) printNode(c, depth + 1);
        return;
      case 'IfExpr':
        line(depth, 'if');
        printNode(node.cond, depth + 1);
        printNode(node.then, depth + 1);
        if (node.otherwise) {
          line(depth + 1, 'else');
          printNode(node.otherwise, depth + 2);
        }
        return;
      case 'Tuple':
        line(depth, 'tuple');
        for (const e of node.elements) printNode(e, depth + 1);
        return;
      case 'RecordLiteral':
        line(depth, 'record');
        for (const f of node.fields) printNode(f, depth + 1);
        return;
      case 'RecordField':
        line(depth, `${node.name} =`);
        printNode(node.value, depth + 1);
        return;
      case 'Sizeof':
      case 'Typeinfo':
        line(depth, node.kind === 'Sizeof' ? 'sizeof' : 'typeinfo');
        printNode(node.arg, depth + 1);
        return;
      case 'Offsetof':
        line(depth, `offsetof: ${node.fields.join('.')}`);
        printNode(node.arg, depth + 1);
        return;
      case 'Comptime':
        line(depth, 'comptime');
        printNode(node.expr, depth + 1);
        return;
      case 'AddressOf':
        line(depth, '&');
        printNode(node.target, depth + 1);
        return;
      case 'Typeof':
        if (node.type) line(depth, `type: ${typeToString(node.type)}`);
        else {
          line(depth, 'typeof');
          printNode(node.expr!, depth + 1);
        }
        return;
      case 'NamedType':
      case 'RecordType':
      case 'PointerType':
      case 'ArrayType':
        line(depth, `type: ${typeToString(node)}`);
        return;
      case 'ConfigEntry':
        line(depth, `${node.key} = ${formatConfigValue(node.value, node.bare)}`);
        return;
      case 'ErrorExpr':
        line(depth, '<error>');
        return;
    }
  };

  printNode(program, 0);
  return out.join('\n') + '\n';
}

type AnyNode =
  | A.Program | A.CPreprocessor | A.CDefinition | A.Config | A.ConfigEntry | A.RootImport | A.Probe | A.AttachPoint
  | A.Macro | A.Subprog | A.SubprogParam | A.MapDecl | A.Statement | A.Expression | A.RangeExpr | A.RecordField
  | A.Typeof | A.TypeRef;

function formatConfigValue(v: string | bigint | boolean, bare: boolean): string {
  if (typeof v === 'string') return bare ? v : JSON.stringify(v);
  return String(v);
}

function printCDecl(decl: A.CRecordDecl | A.CEnumDecl, depth: number, line: (d: number, t: string) => void): void {
  if (decl.kind === 'enum') {
    line(depth, `c enum ${decl.name ?? '(anonymous)'}`);
    for (const e of decl.enumerators) line(depth + 1, e.value === undefined ? e.name : `${e.name} = ${e.value}`);
    return;
  }
  line(depth, `c ${decl.keyword} ${decl.name ?? '(anonymous)'}${decl.attributes.length ? ' ' + decl.attributes.map((a) => `__attribute__${a}`).join(' ') : ''}`);
  for (const f of decl.fields) {
    const ptr = '*'.repeat(f.pointers);
    const arr = f.arrays.map((a) => `[${a ?? ''}]`).join('');
    const bits = f.bitWidth === undefined ? '' : ` : ${f.bitWidth}`;
    const fn = f.functionPointer ? ' (function pointer)' : '';
    if (f.type.kind === 'inline') {
      line(depth + 1, `field ${f.name ?? '(anonymous)'}${ptr ? ' ' + ptr : ''}${arr}`);
      printCDecl(f.type.decl, depth + 2, line);
    } else {
      const t = f.type.kind === 'name' ? f.type.name : `${f.type.keyword} ${f.type.name}`;
      line(depth + 1, `field ${f.name ?? '(anonymous)'}: ${t} ${ptr}${arr}${bits}${fn}`.replace(/ +$/, '').replace(/ {2,}/g, ' '));
    }
  }
}
