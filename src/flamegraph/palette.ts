// Frame colours: the palettes flamegraph.pl users know, giving the same colour for the same name and options.

export const paletteNames = [
  'hot',
  'mem',
  'io',
  'wakeup',
  'chain',
  'java',
  'js',
  'perl',
  'red',
  'green',
  'blue',
  'aqua',
  'yellow',
  'purple',
  'orange',
] as const;

export type PaletteName = (typeof paletteNames)[number];

export function isPaletteName(name: string): name is PaletteName {
  return (paletteNames as readonly string[]).includes(name);
}

/** How the three random components of a colour are chosen from a frame name. */
export type ColorKey = 'name' | 'hash' | 'random';

type FlatPalette = 'red' | 'green' | 'blue' | 'aqua' | 'yellow' | 'purple' | 'orange';

// flamegraph.pl seeds Perl's rand (drand48) with the sum of the name's code points, so a name has the same colour in
// every graph. Reproducing that generator keeps our colours identical to theirs for the same input.
function drand48FromSeed(seed: number): number {
  // x0 = seed << 16 | 0x330e, then one step of x = (0x5deece66d * x + 0xb) mod 2^48; split into 24-bit halves so
  // every product stays exact in a double.
  const lo = ((seed & 0xff) << 16) | 0x330e;
  const hi = Math.floor(seed / 256) & 0xffffff;
  const aLo = 0xece66d;
  const aHi = 0x5de;
  const low = lo * aLo + 0xb;
  const carry = Math.floor(low / 0x1000000);
  const high = (hi * aLo + lo * aHi + carry) % 0x1000000;
  const x = high * 0x1000000 + (low % 0x1000000);
  return x / 2 ** 48;
}

function codePointSum(name: string): number {
  let sum = 0;
  for (const ch of name) sum = (sum + (ch.codePointAt(0) ?? 0)) % 2 ** 32;
  return sum;
}

// The --hash variant: weights early characters more, so similar names get similar colours.
function nameHash(name: string): number {
  const tick = name.indexOf('`');
  const text = tick > 0 ? name.slice(0, 1) + name.slice(tick + 1) : name;
  let vector = 0;
  let weight = 1;
  let max = 1;
  let mod = 10;
  for (const ch of text) {
    const i = (ch.codePointAt(0) ?? 0) % mod;
    vector += (i / (mod++ - 1)) * weight;
    max += weight;
    weight *= 0.7;
    if (mod > 12) break;
  }
  return 1 - vector / max;
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

const kernelSuffix = /_\[k\]$/;
const jitSuffix = /_\[j\]$/;
const inlineSuffix = /_\[i\]$/;

// The multi palettes pick a flat palette from what the name looks like (annotations first, then naming habits).
function flatFor(palette: PaletteName, name: string): FlatPalette | undefined {
  switch (palette) {
    case 'java':
      if (jitSuffix.test(name)) return 'green';
      if (inlineSuffix.test(name)) return 'aqua';
      if (/^L?(java|javax|jdk|net|org|com|io|sun)\//.test(name)) return 'green';
      if (name.includes(':::')) return 'green';
      if (name.includes('::')) return 'yellow';
      if (kernelSuffix.test(name)) return 'orange';
      return 'red';
    case 'perl':
      if (name.includes('::')) return 'yellow';
      if (name.includes('Perl') || name.includes('.pl')) return 'green';
      if (kernelSuffix.test(name)) return 'orange';
      return 'red';
    case 'js':
      if (jitSuffix.test(name)) return name.includes('/') ? 'green' : 'aqua';
      if (name.includes('::')) return 'yellow';
      if (/\/.*\.js/.test(name)) return 'green';
      if (name.includes(':')) return 'aqua';
      if (name === ' ') return 'green';
      if (name.includes('_[k]')) return 'orange';
      return 'red';
    case 'wakeup':
      return 'aqua';
    case 'chain':
      return name.includes('_[w]') ? 'aqua' : 'blue';
    case 'red':
    case 'green':
    case 'blue':
    case 'aqua':
    case 'yellow':
    case 'purple':
    case 'orange':
      return palette;
    default:
      return undefined;
  }
}

function rgb(r: number, g: number, b: number): string {
  return `rgb(${r},${g},${b})`;
}

function flatColor(flat: FlatPalette, v1: number): string {
  switch (flat) {
    case 'red': {
      const x = 50 + Math.trunc(80 * v1);
      return rgb(200 + Math.trunc(55 * v1), x, x);
    }
    case 'green': {
      const x = 50 + Math.trunc(60 * v1);
      return rgb(x, 200 + Math.trunc(55 * v1), x);
    }
    case 'blue': {
      const x = 80 + Math.trunc(60 * v1);
      return rgb(x, x, 205 + Math.trunc(50 * v1));
    }
    case 'yellow': {
      const x = 175 + Math.trunc(55 * v1);
      return rgb(x, x, 50 + Math.trunc(20 * v1));
    }
    case 'purple': {
      const x = 190 + Math.trunc(65 * v1);
      return rgb(x, 80 + Math.trunc(60 * v1), x);
    }
    case 'aqua':
      return rgb(50 + Math.trunc(60 * v1), 165 + Math.trunc(55 * v1), 165 + Math.trunc(55 * v1));
    case 'orange':
      return rgb(190 + Math.trunc(65 * v1), 90 + Math.trunc(65 * v1), 0);
  }
}

/** The fill of a frame named `name` in `palette`. */
export function frameColor(palette: PaletteName, name: string, key: ColorKey = 'name'): string {
  let v1: number;
  let v2: number;
  let v3: number;
  if (key === 'hash') {
    v1 = nameHash(name);
    v2 = v3 = nameHash(reverseString(name));
  } else if (key === 'random') {
    v1 = Math.random();
    v2 = Math.random();
    v3 = Math.random();
  } else {
    v1 = v2 = v3 = drand48FromSeed(codePointSum(name));
  }
  switch (palette) {
    case 'hot':
      return rgb(205 + Math.trunc(50 * v3), Math.trunc(230 * v1), Math.trunc(55 * v2));
    case 'mem':
      return rgb(0, 190 + Math.trunc(50 * v2), Math.trunc(210 * v1));
    case 'io': {
      const r = 80 + Math.trunc(60 * v1);
      return rgb(r, r, 190 + Math.trunc(55 * v2));
    }
    default: {
      const flat = flatFor(palette, name);
      return flat ? flatColor(flat, v1) : rgb(0, 0, 0);
    }
  }
}

/** Differential colour: red for growth, blue for shrinkage, white for no change; `max` is the largest |delta|. */
export function deltaColor(delta: number, max: number, negate: boolean): string {
  const value = negate ? -delta : delta;
  if (value > 0) {
    const gb = Math.trunc((210 * (max - value)) / max);
    return rgb(255, gb, gb);
  }
  if (value < 0) {
    const rg = Math.trunc((210 * (max + value)) / max);
    return rgb(rg, rg, 255);
  }
  return rgb(255, 255, 255);
}

export const separatorColors = { '--': rgb(160, 160, 160), '-': rgb(200, 200, 200) } as const;

export type BackgroundName = 'yellow' | 'blue' | 'green' | 'grey';

/** The two stops of the background gradient, chosen from --bgcolors or, by default, from the palette. */
export function backgroundStops(palette: PaletteName, bgcolors: string | undefined): [string, string] | undefined {
  let name = bgcolors ?? '';
  if (name === '') {
    if (palette === 'mem') name = 'green';
    else if (palette === 'io' || palette === 'wakeup' || palette === 'chain') name = 'blue';
    else if (['red', 'green', 'blue', 'aqua', 'yellow', 'purple', 'orange'].includes(palette)) name = 'grey';
    else name = 'yellow';
  }
  switch (name) {
    case 'yellow':
      return ['#eeeeee', '#eeeeb0'];
    case 'blue':
      return ['#eeeeee', '#e0e0ff'];
    case 'green':
      return ['#eef2ee', '#e0ffe0'];
    case 'grey':
      return ['#f8f8f8', '#e8e8e8'];
    default:
      return /^#[0-9a-fA-F]{6}$/.test(name) ? [name, name] : undefined;
  }
}

/** Reads a consistent-palette file (`name->rgb(r,g,b)` lines) as written by --cp. */
export function parsePaletteMap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const arrow = line.indexOf('->');
    if (arrow < 0) continue;
    map.set(line.slice(0, arrow), line.slice(arrow + 2).replace(/\r$/, ''));
  }
  return map;
}

/** Writes a consistent-palette file, names sorted so the file diffs well. */
export function formatPaletteMap(map: ReadonlyMap<string, string>): string {
  const names = [...map.keys()].sort();
  return names.map((name) => `${name}->${map.get(name) ?? ''}\n`).join('');
}
