// BTF reader: kernel and module type information, layouts and C text, without syscalls.
export { Btf, parseBtf, type BtfEnumeratorHit, type BtfFunctionSignature, type BtfRawTracepointSignature } from './btf.js';
export { BtfLoadError, BtfMissingFieldError, BtfParseError, BtfTypeError } from './errors.js';
export { listModuleBtf, loadKernelBtf, loadModuleBtf } from './kernel.js';
export { editDistance, nearestFirst } from './layout.js';
export {
  BtfKindCode,
  type BtfArray,
  type BtfDatasec,
  type BtfDatasecVar,
  type BtfDeclTag,
  type BtfEnum,
  type BtfEnumValue,
  type BtfFieldLocation,
  type BtfFloat,
  type BtfFunc,
  type BtfFuncProto,
  type BtfFwd,
  type BtfInt,
  type BtfKind,
  type BtfLinkage,
  type BtfMember,
  type BtfModifier,
  type BtfParam,
  type BtfPtr,
  type BtfStruct,
  type BtfType,
  type BtfVar,
  type BtfVoid,
} from './types.js';
