// C text for BTF types, declarations and definitions, in the layout libbpf's BTF-to-C dumper uses (which is what
// `bpftool btf dump format c` and bpftrace's `-lv` listings print), so listings match those tools.
import type { Btf } from './btf.js';
import { BtfTypeError } from './errors.js';
import { alignOf, sizeOf } from './layout.js';
import type { BtfEnum, BtfStruct, BtfType } from './types.js';

const MAX_DEPTH = 64;
// Bounds the work on corrupt input where types refer to each other in cycles.
const MAX_STEPS = 1_000_000;
const MAX_PADDING_BITS = 64 * 65536;

function isModifier(t: BtfType): boolean {
  return t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag';
}

function indent(level: number): string {
  return '\t'.repeat(level);
}

class CWriter {
  out = '';
  private depth = 0;
  private steps = 0;
  /** Anonymous structs and prototypes being written: meeting one again inside itself is a cycle. */
  private readonly open = new Set<number>();

  constructor(private readonly btf: Btf) {}

  /** `type name` for one declarator; name '' gives the abstract type ('const char *'). */
  decl(id: number, name: string, level: number): void {
    if (++this.depth > MAX_DEPTH) throw new BtfTypeError(`Cannot format BTF type ${id}: declaration nests deeper than ${MAX_DEPTH}`);
    if (++this.steps > MAX_STEPS) throw new BtfTypeError(`Cannot format BTF type ${id}: declaration too large (reference cycle?)`);
    // The declarator chain, outermost first; the C text is written from the innermost (base) type outwards.
    const stack: number[] = [];
    let cur = id;
    for (;;) {
      if (stack.length > 4 * MAX_DEPTH) throw new BtfTypeError(`Cannot format BTF type ${id}: declarator chain too long (reference cycle?)`);
      stack.push(cur);
      if (cur === 0) break;
      const t = this.btf.typeById(cur);
      if (t.kind === 'ptr' || isModifier(t) || t.kind === 'array') cur = (t as { typeId: number }).typeId;
      else if (t.kind === 'func_proto') cur = t.returnTypeId;
      else break;
    }
    this.chain(stack, name, level);
    this.depth--;
  }

  private mods(stack: number[]): void {
    while (stack.length > 0) {
      const t = this.btf.typeById(stack[stack.length - 1]!);
      if (t.kind === 'volatile') this.out += 'volatile ';
      else if (t.kind === 'const') this.out += 'const ';
      else if (t.kind === 'restrict') this.out += 'restrict ';
      else return;
      stack.pop();
    }
  }

  private dropMods(stack: number[]): void {
    while (stack.length > 0 && isModifier(this.btf.typeById(stack[stack.length - 1]!))) stack.pop();
  }

  private name(name: string, lastWasPtr: boolean): void {
    this.out += (name !== '' && !lastWasPtr ? ' ' : '') + name;
  }

  private chain(stack: number[], name: string, level: number): void {
    // True at the start so that a lone pointer inside a function pointer's parentheses prints as (*) not ( *).
    let lastWasPtr = true;
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === 0) {
        this.mods(stack);
        this.out += 'void';
        lastWasPtr = false;
        continue;
      }
      const t = this.btf.typeById(id);
      switch (t.kind) {
        case 'int':
        case 'float':
        case 'typedef':
          this.mods(stack);
          this.out += t.name;
          break;
        case 'struct':
        case 'union':
          this.mods(stack);
          if (t.name === '') this.structDef(t, level);
          else this.out += `${t.kind} ${t.name}`;
          break;
        case 'enum':
        case 'enum64':
          this.mods(stack);
          if (t.name === '') this.enumDef(t, level);
          else this.out += `enum ${t.name}`;
          break;
        case 'fwd':
          this.mods(stack);
          this.out += `${t.union ? 'union' : 'struct'} ${t.name}`;
          break;
        case 'ptr':
          this.out += lastWasPtr ? '*' : ' *';
          break;
        case 'volatile':
        case 'const':
        case 'restrict':
          this.out += ` ${t.kind}`;
          break;
        case 'type_tag':
          this.mods(stack);
          this.out += ` __attribute__((btf_type_tag("${t.name}")))`;
          break;
        case 'array': {
          // Qualifiers on an array itself mean nothing in C; compilers emit them by mistake.
          this.dropMods(stack);
          if (stack.length === 0) {
            this.name(name, lastWasPtr);
            this.out += `[${t.nelems}]`;
            return;
          }
          const multidim = this.btf.kindOf(stack[stack.length - 1]!) === 'array';
          if (name !== '' && !lastWasPtr) this.out += ' ';
          if (!multidim) this.out += '(';
          this.chain(stack, name, level);
          if (!multidim) this.out += ')';
          this.out += `[${t.nelems}]`;
          return;
        }
        case 'func_proto': {
          this.dropMods(stack);
          if (stack.length > 0) {
            this.out += ' (';
            this.chain(stack, name, level);
            this.out += ')';
          } else {
            this.name(name, lastWasPtr);
          }
          this.out += '(';
          this.enter(t.id);
          const params = t.params;
          if (params.length === 0 || (params.length === 1 && params[0]!.typeId === 0)) {
            this.out += 'void)';
            this.open.delete(t.id);
            return;
          }
          params.forEach((p, i) => {
            if (i > 0) this.out += ', ';
            if (i === params.length - 1 && p.typeId === 0) this.out += '...';
            else this.decl(p.typeId, p.name, level);
          });
          this.out += ')';
          this.open.delete(t.id);
          return;
        }
        default:
          throw new BtfTypeError(`Cannot format BTF type ${id}: a ${t.kind} cannot appear in a declaration`);
      }
      lastWasPtr = t.kind === 'ptr';
    }
    this.name(name, lastWasPtr);
  }

  private enter(id: number): void {
    if (this.open.has(id)) throw new BtfTypeError(`Cannot format BTF type ${id}: it contains itself`);
    this.open.add(id);
  }

  structDef(t: BtfStruct, level: number): void {
    this.enter(t.id);
    const isStruct = t.kind === 'struct';
    const align = alignOf(this.btf, t.id);
    const packed = isStruct && this.isPacked(t);
    this.out += `${t.kind}${t.name === '' ? '' : ' '}${t.name} {`;
    let off = 0;
    let prevBitfield = false;
    for (const m of t.members) {
      const memberAlign = packed ? 1 : alignOf(this.btf, m.typeId);
      const inBitfield = prevBitfield && m.bitSize !== 0;
      this.padding(off, m.bitOffset, memberAlign, inBitfield, level + 1);
      this.out += `\n${indent(level + 1)}`;
      this.decl(m.typeId, m.name, level + 1);
      if (m.bitSize !== 0) {
        this.out += `: ${m.bitSize}`;
        off = m.bitOffset + m.bitSize;
        prevBitfield = true;
      } else {
        off = m.bitOffset + Math.max(0, this.sizeOrZero(m.typeId)) * 8;
        prevBitfield = false;
      }
      this.out += ';';
    }
    if (isStruct) this.padding(off, t.size * 8, align, false, level + 1);
    if (t.members.length > 0 || t.size > 0) this.out += `\n${indent(level)}}`;
    else this.out += '}';
    if (packed) this.out += ' __attribute__((packed))';
    this.open.delete(t.id);
  }

  private sizeOrZero(id: number): number {
    try {
      return sizeOf(this.btf, id);
    } catch (err) {
      if (err instanceof BtfTypeError) return 0;
      throw err;
    }
  }

  private isPacked(t: BtfStruct): boolean {
    let max = 1;
    for (const m of t.members) {
      const align = alignOf(this.btf, m.typeId);
      if (align !== 0 && m.bitSize === 0 && m.bitOffset % (8 * align) !== 0) return true;
      max = Math.max(max, align);
    }
    return t.size % max !== 0;
  }

  // Explicit `long: 64;`-style padding reproduces holes the compiler would not leave on its own.
  private padding(cur: number, next: number, nextAlign: number, inBitfield: boolean, level: number): void {
    if (cur >= next) return;
    if (next - cur > MAX_PADDING_BITS) throw new BtfTypeError(`Cannot print padding of ${next - cur} bits: hole too large (corrupt layout?)`);
    const pads: [string, number][] = [['long', this.btf.pointerSize * 8], ['int', 32], ['short', 16], ['char', 8]];
    let padType = 'char';
    let padBits = 8;
    let newOff = 0;
    for (const [type, bits] of pads) {
      padType = type;
      padBits = bits;
      newOff = roundUp(cur, bits);
      if (newOff <= next) break;
    }
    if (newOff > cur && newOff <= next) {
      if (
        inBitfield ||
        (newOff === next && roundUp(cur, nextAlign * 8) !== newOff) ||
        (newOff !== next && next - newOff <= newOff - cur)
      ) {
        this.out += `\n${indent(level)}${padType}: ${inBitfield ? newOff - cur : 0};`;
      }
      cur = newOff;
    }
    while (cur !== next) {
      const bits = Math.min(next - cur, padBits);
      if (bits === padBits) {
        this.out += `\n${indent(level)}${padType}: ${padBits};`;
        cur += bits;
        continue;
      }
      // The remainder is smaller than the padding type: use the smallest type that holds it.
      for (let i = pads.length - 1; i >= 0; i--) {
        const [type, size] = pads[i]!;
        if (size < bits) continue;
        this.out += `\n${indent(level)}${type}: ${bits};`;
        cur += bits;
        break;
      }
    }
  }

  enumDef(t: BtfEnum, level: number): void {
    this.out += `enum${t.name === '' ? '' : ' '}${t.name}`;
    if (t.values.length === 0) return;
    this.out += ' {';
    const suffix = t.kind === 'enum64' ? (t.signed ? 'LL' : 'ULL') : '';
    for (const v of t.values) this.out += `\n${indent(level + 1)}${v.name} = ${v.value}${suffix},`;
    this.out += `\n${indent(level)}}`;
    if (t.size === 1) {
      this.out += ' __attribute__((mode(byte)))';
    } else if (t.size === 8 && this.btf.pointerSize === 8) {
      // An 8-byte enum whose values all fit in 32 bits only gets that size from mode(word).
      const wide = t.kind === 'enum64' && t.values.some((v) => BigInt.asUintN(64, v.value) >> 32n !== 0n);
      if (!wide) this.out += ' __attribute__((mode(word)))';
    }
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/** C type text: 'const char *', 'struct task_struct *', 'int[16]', 'void (*)(int)'. */
export function formatType(btf: Btf, id: number): string {
  const w = new CWriter(btf);
  w.decl(id, '', 0);
  return w.out;
}

/** A named declaration as bpftrace lists probe arguments: the type text, a space, the name. */
export function formatDecl(btf: Btf, id: number, name: string): string {
  return `${formatType(btf, id)} ${name}`;
}

/** The C definition of a struct, union, enum, typedef or forward declaration, ending in ';'. */
export function formatDefinition(btf: Btf, id: number): string {
  const t = btf.typeById(id);
  const w = new CWriter(btf);
  switch (t.kind) {
    case 'struct':
    case 'union':
      w.structDef(t, 0);
      break;
    case 'enum':
    case 'enum64':
      w.enumDef(t, 0);
      break;
    case 'fwd':
      w.out += `${t.union ? 'union' : 'struct'} ${t.name}`;
      break;
    case 'typedef':
      if (t.typeId === 0 && t.name === '__gnuc_va_list') {
        w.out += 'typedef __builtin_va_list __gnuc_va_list';
      } else {
        w.out += 'typedef ';
        w.decl(t.typeId, t.name, 0);
      }
      break;
    default:
      throw new BtfTypeError(`Cannot print a definition of BTF type ${id}: a ${t.kind} has none`);
  }
  return `${w.out};`;
}
