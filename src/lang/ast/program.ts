// The top level of a script: preamble, config, imports, probes, macros, functions and map declarations.
import type { Range } from '../source.js';
import { Node, compact } from './node.js';
import type { BlockExpr, Expression, MapRef, Variable, Identifier } from './expressions.js';
import type { Typeof } from './types.js';
import type { CDefinition, CPreprocessor } from './c.js';

export class Program extends Node {
  get kind(): 'Program' {
    return 'Program';
  }
  declare header: string | undefined;
  declare c: (CPreprocessor | CDefinition)[];
  declare config: Config | undefined;
  declare imports: RootImport[];
  declare items: TopLevel[];
  constructor(range: Range, header: string | undefined, c: (CPreprocessor | CDefinition)[], config: Config | undefined, imports: RootImport[], items: TopLevel[]) {
    super(range);
    this.header = header;
    this.c = c;
    this.config = config;
    this.imports = imports;
    this.items = items;
  }
  children(): Node[] {
    return compact([...this.c, this.config, ...this.imports, ...this.items]);
  }
  get probes(): Probe[] {
    return this.items.filter((i): i is Probe => i.kind === 'Probe');
  }
}

export type TopLevel = Probe | Macro | Subprog | MapDecl;

export class ConfigEntry extends Node {
  get kind(): 'ConfigEntry' {
    return 'ConfigEntry';
  }
  declare key: string;
  declare value: string | bigint | boolean;
  declare bare: boolean;
  constructor(range: Range, key: string, value: string | bigint | boolean, bare: boolean) {
    super(range);
    this.key = key;
    this.value = value;
    this.bare = bare;
  }
  children(): Node[] {
    return [];
  }
}

export class Config extends Node {
  get kind(): 'Config' {
    return 'Config';
  }
  declare entries: ConfigEntry[];
  constructor(range: Range, entries: ConfigEntry[]) {
    super(range);
    this.entries = entries;
  }
  children(): Node[] {
    return [...this.entries];
  }
}

export class RootImport extends Node {
  get kind(): 'RootImport' {
    return 'RootImport';
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

// One attach point as written (raw) and split into its parts with the provider's long name.
export class AttachPoint extends Node {
  get kind(): 'AttachPoint' {
    return 'AttachPoint';
  }
  declare raw: string;
  // Long provider name (`kprobe` for `k`); empty if the provider is not known.
  declare provider: string;
  // The colon-separated parts after the provider, with quotes removed.
  declare parts: string[];
  // `name=provider:...` gives the probe a user-chosen name.
  declare userName: string | undefined;
  constructor(range: Range, raw: string, provider: string, parts: string[], userName: string | undefined) {
    super(range);
    this.raw = raw;
    this.provider = provider;
    this.parts = parts;
    this.userName = userName;
  }
  children(): Node[] {
    return [];
  }
}

export class Probe extends Node {
  get kind(): 'Probe' {
    return 'Probe';
  }
  declare attachPoints: AttachPoint[];
  declare predicate: Expression | undefined;
  declare body: BlockExpr;
  constructor(range: Range, attachPoints: AttachPoint[], predicate: Expression | undefined, body: BlockExpr) {
    super(range);
    this.attachPoints = attachPoints;
    this.predicate = predicate;
    this.body = body;
  }
  children(): Node[] {
    return compact([...this.attachPoints, this.predicate, this.body]);
  }
}

export class Macro extends Node {
  get kind(): 'Macro' {
    return 'Macro';
  }
  declare name: string;
  declare params: (Variable | MapRef | Identifier)[];
  declare body: BlockExpr;
  constructor(range: Range, name: string, params: (Variable | MapRef | Identifier)[], body: BlockExpr) {
    super(range);
    this.name = name;
    this.params = params;
    this.body = body;
  }
  children(): Node[] {
    return [...this.params, this.body];
  }
}

export class SubprogParam extends Node {
  get kind(): 'SubprogParam' {
    return 'SubprogParam';
  }
  declare variable: Variable;
  declare type: Typeof;
  constructor(range: Range, variable: Variable, type: Typeof) {
    super(range);
    this.variable = variable;
    this.type = type;
  }
  children(): Node[] {
    return [this.variable, this.type];
  }
}

export class Subprog extends Node {
  get kind(): 'Subprog' {
    return 'Subprog';
  }
  declare name: string;
  declare params: SubprogParam[];
  declare returnType: Typeof;
  declare body: BlockExpr;
  constructor(range: Range, name: string, params: SubprogParam[], returnType: Typeof, body: BlockExpr) {
    super(range);
    this.name = name;
    this.params = params;
    this.returnType = returnType;
    this.body = body;
  }
  children(): Node[] {
    return [...this.params, this.returnType, this.body];
  }
}

// `let @m = lruhash(100);`
export class MapDecl extends Node {
  get kind(): 'MapDecl' {
    return 'MapDecl';
  }
  declare name: string;
  declare mapType: string;
  declare maxEntries: bigint;
  constructor(range: Range, name: string, mapType: string, maxEntries: bigint) {
    super(range);
    this.name = name;
    this.mapType = mapType;
    this.maxEntries = maxEntries;
  }
  children(): Node[] {
    return [];
  }
}
