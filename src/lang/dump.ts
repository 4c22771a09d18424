// `-d`/`--emit` dumps the compiler owns: the AST with each expression's type, and the bytecode of every program.
import { disassemble } from '../isa/disasm.js';
import type { Node } from './ast/node.js';
import type { CompiledArtifact } from './codegen/artifact.js';
import type { CompileContext } from './passes/context.js';
import { typeName, type SizedType } from './types.js';

/** The AST as an indented outline with ` :: [type]` after every typed node (types of the first expanded probe). */
export function dumpTypedAst(ctx: CompileContext): string {
  const out: string[] = [];
  const typeOf = (n: Node): SizedType | undefined => {
    for (const m of ctx.types.nodeTypes.values()) {
      const t = m.get(n);
      if (t) return t;
    }
    return undefined;
  };
  const visit = (n: Node, depth: number): void => {
    const t = typeOf(n);
    out.push(`${' '.repeat(depth)}${label(n)}${t ? ` :: [${typeName(t)}]` : ''}`);
    for (const c of n.children()) visit(c, depth + 1);
  };
  visit(ctx.program, 0);
  return `${out.join('\n')}\n`;
}

function label(n: Node): string {
  const r = n as unknown as Record<string, unknown>;
  for (const key of ['name', 'op', 'raw', 'value', 'field', 'jump']) {
    const v = r[key];
    if (typeof v === 'string' || typeof v === 'bigint' || typeof v === 'boolean') return `${n.kind}: ${typeof v === 'string' && key === 'value' ? JSON.stringify(v) : String(v)}`;
  }
  return n.kind;
}

/** Every program's instructions in the verifier log's syntax, headed by its probe name. */
export function dumpBytecode(artifact: CompiledArtifact): string {
  const out: string[] = [];
  for (const p of artifact.probes) {
    out.push(`; ${p.probe} (${p.insns.length} instructions)`);
    out.push(...disassemble(p.insns));
    out.push('');
  }
  return `${out.join('\n')}`;
}
