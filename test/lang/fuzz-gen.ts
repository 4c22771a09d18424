// Inputs for fuzzing the parser: random bytes and mutations of valid programs, from a seeded generator so a
// failure can be replayed by its seed and index.

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  '{', '}', '(', ')', '[', ']', '/', '*', '->', '.', '..', ',', ';', ':', '?', '=', '==', '+=', '<<=', '++', '--', '!',
  '&', '@', '@x', '$', '$x', '$1', '$#', '"', '"s\\n"', "'a'", '0x', '1_', '1e', '99999999999999999999999', '5ms',
  'if', 'else', 'for', 'while', 'unroll', 'return', 'let', 'macro', 'fn', 'config', 'import', 'struct', 'union', 'enum',
  'sizeof', 'offsetof', 'typeof', 'typeinfo', 'comptime', '#include <x.h>\n', '#!', 'kprobe:f', 'BEGIN', 'uprobe:"a b":c',
  '(int8 *)', '(struct x)', '//', '/*', '*/', '\n', '\t', ' ', '\\', '\u00e9', '\ud83d\ude00', '\0',
];

export function mutate(seed: string, rnd: () => number): string {
  let s = seed;
  const steps = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < steps; k++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const len = Math.floor(rnd() * Math.min(40, s.length - at + 1));
    switch (Math.floor(rnd() * 7)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + len);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)]! + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 128)) + s.slice(at + 1);
        break;
      case 4:
        s = s.slice(0, at);
        break;
      case 5: {
        const depth = Math.floor(rnd() * 2000);
        const open = ['(', '{', '[', '-', '!', '*'][Math.floor(rnd() * 6)]!;
        s = s.slice(0, at) + open.repeat(depth) + s.slice(at);
        break;
      }
      default: {
        const other = Math.floor(rnd() * (s.length + 1));
        s = s.slice(0, at) + s.slice(other, other + len) + s.slice(at);
      }
    }
  }
  return s;
}

export function randomBytes(rnd: () => number): string {
  const n = Math.floor(rnd() * 200);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.5) s += FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)]!;
    else s += String.fromCharCode(Math.floor(rnd() * 256));
  }
  return s;
}

export function fuzzInput(seeds: readonly string[], rnd: () => number): string {
  if (seeds.length === 0 || rnd() < 0.2) return randomBytes(rnd);
  return mutate(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
}
