// Symbol demangling for stacks and probe names: Itanium C++ (as c++filt prints it) and Rust (legacy and v0).
import { demangleCppOrNull } from './cpp.js';
import { demangleRustOrNull, isRustLegacy } from './rust.js';

export { demangleCpp } from './cpp.js';
export { demangleRust } from './rust.js';

/**
 * Demangles a C++ or Rust symbol name. Returns the name unchanged when it is not mangled or cannot be demangled;
 * never throws.
 */
export function demangle(name: string): string {
  if (name.startsWith('_R')) return demangleRustOrNull(name) ?? name;
  if (!name.startsWith('_Z')) return name;
  // Legacy Rust names are valid Itanium names too; their trailing hash element tells them apart.
  if (isRustLegacy(name)) return demangleRustOrNull(name) ?? name;
  return demangleCppOrNull(name) ?? name;
}
