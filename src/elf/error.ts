// The one failure type of the ELF layer: bad or unsupported bytes, a missing symbol, an unreadable file.

export class ElfError extends Error {
  override readonly name = 'ElfError';
  /** the file the failure is about ('' when there is none, e.g. a parsed string) */
  readonly path: string;

  constructor(message: string, path = '') {
    super(message);
    this.path = path;
  }
}
