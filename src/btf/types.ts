// The BTF type model: kind numbers as the kernel encodes them and the plain objects a type materialises into.

/** Kind numbers of `struct btf_type`'s info field (include/uapi/linux/btf.h). */
export const BtfKindCode = {
  void: 0,
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
} as const;

export type BtfKind = keyof typeof BtfKindCode;

export const kindNames: readonly BtfKind[] = Object.keys(BtfKindCode) as BtfKind[];

/** The largest kind number this reader knows. */
export const maxKindCode = 19;

export interface BtfMember {
  /** '' for an anonymous struct or union member. */
  name: string;
  typeId: number;
  /** Offset from the start of the enclosing struct, in bits. */
  bitOffset: number;
  /** Width of a bitfield in bits, 0 for an ordinary member. */
  bitSize: number;
}

export interface BtfParam {
  /** '' when BTF has no name for it (function pointer types). */
  name: string;
  /** 0 (void) for the trailing `...` of a variadic prototype. */
  typeId: number;
}

export interface BtfEnumValue {
  name: string;
  value: bigint;
}

export interface BtfDatasecVar {
  typeId: number;
  offset: number;
  size: number;
}

export type BtfLinkage = 'static' | 'global' | 'extern';

interface Base {
  id: number;
  /** '' for anonymous types. */
  name: string;
}

export interface BtfVoid extends Base { kind: 'void' }
export interface BtfInt extends Base {
  kind: 'int';
  size: number;
  bits: number;
  /** Bit offset of the value inside its storage (old-style bitfields; 0 in practice). */
  offset: number;
  signed: boolean;
  char: boolean;
  bool: boolean;
}
export interface BtfPtr extends Base { kind: 'ptr'; typeId: number }
export interface BtfArray extends Base { kind: 'array'; typeId: number; indexTypeId: number; nelems: number }
export interface BtfStruct extends Base { kind: 'struct' | 'union'; size: number; members: BtfMember[] }
export interface BtfEnum extends Base { kind: 'enum' | 'enum64'; size: number; signed: boolean; values: BtfEnumValue[] }
export interface BtfFwd extends Base { kind: 'fwd'; union: boolean }
export interface BtfModifier extends Base { kind: 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag'; typeId: number }
export interface BtfFunc extends Base { kind: 'func'; typeId: number; linkage: BtfLinkage }
export interface BtfFuncProto extends Base { kind: 'func_proto'; returnTypeId: number; params: BtfParam[] }
export interface BtfVar extends Base { kind: 'var'; typeId: number; linkage: BtfLinkage }
export interface BtfDatasec extends Base { kind: 'datasec'; size: number; vars: BtfDatasecVar[] }
export interface BtfFloat extends Base { kind: 'float'; size: number }
export interface BtfDeclTag extends Base {
  kind: 'decl_tag';
  typeId: number;
  /** -1 when the tag applies to the type itself, else the member or parameter index. */
  componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfStruct
  | BtfEnum
  | BtfFwd
  | BtfModifier
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

/** Where a field path lands inside a struct, as `findMember` reports it. */
export interface BtfFieldLocation {
  /** The path as asked, e.g. 'se.cfs_rq'. */
  path: string;
  /** Offset in bytes of the storage holding the field (for a bitfield: the byte holding its first bit). */
  byteOffset: number;
  /** Offset in bits from the start of the outer struct. */
  bitOffset: number;
  /** Bitfield width in bits, 0 for an ordinary member. */
  bitSize: number;
  /** The member's declared type id (typedefs and qualifiers kept). */
  typeId: number;
  /** Size in bytes of the member's type (0 when it has none, e.g. a flexible array). */
  size: number;
}
