// The library's public entry: each layer's entry file, re-exported as they land.
export {};
