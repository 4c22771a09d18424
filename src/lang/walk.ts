// A generic pre/post-order walk over the AST for later passes.
import type { Node } from './ast/node.js';

export interface Visitor {
  // Return false to skip the node's children.
  enter?(node: Node, parent: Node | undefined): boolean | void;
  leave?(node: Node, parent: Node | undefined): void;
}

// Iterative, so that even a deep tree cannot overflow the stack.
export function walk(root: Node, visitor: Visitor): void {
  const stack: { node: Node; parent: Node | undefined; entered: boolean }[] = [{ node: root, parent: undefined, entered: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.entered) {
      stack.pop();
      visitor.leave?.(top.node, top.parent);
      continue;
    }
    top.entered = true;
    if (visitor.enter?.(top.node, top.parent) === false) continue;
    const kids = top.node.children();
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, parent: top.node, entered: false });
  }
}

// Every node of a kind, in source order: `collect<Call>(program, 'Call')`.
export function collect<T extends Node = Node>(root: Node, kind: T['kind']): T[] {
  const out: T[] = [];
  walk(root, {
    enter(n) {
      if (n.kind === kind) out.push(n as T);
    },
  });
  return out;
}
