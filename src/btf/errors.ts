// Typed failures of the BTF reader: malformed bytes, unknown names, missing fields.

/** The bytes are not valid BTF (truncated, bad magic, offsets out of range, unknown kind). */
export class BtfParseError extends Error {
  override readonly name = 'BtfParseError';
  /** Byte offset in the blob where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(detail: string, offset?: number) {
    super(`Cannot parse BTF: ${detail}${offset === undefined ? '' : ` at byte ${offset}`}`);
    this.offset = offset;
  }
}

/** A type id or name that this BTF does not have, or a type that cannot answer the question asked of it. */
export class BtfTypeError extends Error {
  override readonly name = 'BtfTypeError';
}

/** A field path names a member that the struct does not have. */
export class BtfMissingFieldError extends Error {
  override readonly name = 'BtfMissingFieldError';
  /** The C name of the struct searched, e.g. 'struct cfs_rq'. */
  readonly typeName: string;
  /** The member name that was not found. */
  readonly field: string;
  /** Members that exist (anonymous members flattened), nearest to `field` first. */
  readonly available: string[];

  constructor(typeName: string, field: string, available: string[]) {
    const shown = available.slice(0, 8).join(', ');
    const more = available.length > 8 ? `, ... (${available.length} in all)` : '';
    super(`${typeName} has no field named ${field}: nearest are ${shown}${more}`);
    this.typeName = typeName;
    this.field = field;
    this.available = available;
  }
}

/** A BTF file could not be read (no BTF in this kernel, no such module, no permission). */
export class BtfLoadError extends Error {
  override readonly name = 'BtfLoadError';
  readonly path: string;
  /** The Node.js error code (ENOENT, EACCES, ...) when the read failed. */
  readonly code: string | undefined;

  constructor(message: string, path: string, code: string | undefined) {
    super(message);
    this.path = path;
    this.code = code;
  }
}
