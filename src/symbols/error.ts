// The failure type of the symbol layer.

export class SymbolsError extends Error {
  override readonly name = 'SymbolsError';
}
