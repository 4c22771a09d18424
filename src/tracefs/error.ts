// The failure type of the tracefs layer.

export class TracefsError extends Error {
  override readonly name = 'TracefsError';
}
