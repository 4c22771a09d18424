// Rendering options, named after flamegraph.pl's, with its defaults.
import { backgroundStops, isPaletteName, type ColorKey, type PaletteName } from './palette.js';
import { FlameGraphOptionError } from './errors.js';

export interface FlameGraphOptions {
  /** Centred heading; default "Flame Graph", "Icicle Graph" when inverted, "Flame Chart" for a flame chart. */
  title?: string;
  subtitle?: string;
  /** Image width in pixels (default 1200). */
  width?: number;
  /** Height of one frame in pixels (default 16). */
  frameHeight?: number;
  /** Omit frames narrower than this: pixels as a number or "0.1", or a percentage of the total as "0.5%". */
  minWidth?: number | string;
  fontType?: string;
  fontSize?: number;
  /** Average character width relative to the font size (default 0.59), used to fit names. */
  fontWidth?: number;
  /** What the counts are (default "samples"). */
  countName?: string;
  /** What the names are (default "Function:"). */
  nameType?: string;
  colors?: PaletteName;
  /** Background: yellow, blue, green, grey or "#rrggbb"; default chosen by the palette. */
  bgColors?: string;
  /** How names pick colours: by a seeded hash of the name (default, as flamegraph.pl), the --hash weighting, or random. */
  colorKey?: ColorKey;
  /** Consistent palette: colours already chosen per name; names not in it are added (the caller saves it). */
  paletteMap?: Map<string, string>;
  /** Icicle graph: root at the top, growing down. */
  inverted?: boolean;
  /** Differential: swap red and blue. */
  negate?: boolean;
  /** Text put in an XML comment (no '<', '>' or '--'). */
  notes?: string;
  /** Width of the graph in count units, if larger than the input's total. */
  total?: number;
  /** Multiply counts by this in the labels. */
  factor?: number;
  /** XML encoding declaration. */
  encoding?: string;
  /** Fill of frames that match a search (default rgb(230,0,230)). */
  searchColor?: string;
}

/** Every option resolved to a value. */
export interface ResolvedOptions {
  title: string;
  subtitle: string;
  width: number;
  frameHeight: number;
  minWidth: { value: number; percent: boolean };
  fontType: string;
  fontSize: number;
  fontWidth: number;
  countName: string;
  nameType: string;
  colors: PaletteName;
  background: [string, string];
  colorKey: ColorKey;
  paletteMap: Map<string, string> | undefined;
  inverted: boolean;
  negate: boolean;
  notes: string;
  total: number | undefined;
  factor: number;
  encoding: string | undefined;
  searchColor: string;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new FlameGraphOptionError(name, String(value), 'expected a positive number');
  return value;
}

function parseMinWidth(value: number | string | undefined): { value: number; percent: boolean } {
  if (value === undefined) return { value: 0.1, percent: false };
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new FlameGraphOptionError('minwidth', String(value), 'expected a number');
    return { value, percent: false };
  }
  const m = /^([0-9]*\.?[0-9]+|[0-9]+\.)(%?)$/.exec(value);
  if (!m) throw new FlameGraphOptionError('minwidth', value, 'expected pixels like 0.1 or a percentage like 0.5%');
  return { value: Number(m[1]), percent: m[2] === '%' };
}

export function resolveOptions(options: FlameGraphOptions, kind: { flamechart: boolean }): ResolvedOptions {
  const colors = options.colors ?? 'hot';
  if (!isPaletteName(colors)) throw new FlameGraphOptionError('colors', String(colors), 'unknown palette');
  const background = backgroundStops(colors, options.bgColors);
  if (background === undefined)
    throw new FlameGraphOptionError('bgcolors', options.bgColors ?? '', 'expected yellow, blue, green, grey or #rrggbb');
  const notes = options.notes ?? '';
  if (/[<>]|--/.test(notes)) throw new FlameGraphOptionError('notes', notes, "notes can't contain '<', '>' or '--'");
  const inverted = options.inverted === true;
  const defaultTitle = kind.flamechart ? 'Flame Chart' : inverted ? 'Icicle Graph' : 'Flame Graph';
  return {
    title: options.title || defaultTitle,
    subtitle: options.subtitle ?? '',
    width: positive('width', options.width, 1200),
    frameHeight: positive('height', options.frameHeight, 16),
    minWidth: parseMinWidth(options.minWidth),
    fontType: options.fontType ?? 'Verdana',
    fontSize: positive('fontsize', options.fontSize, 12),
    fontWidth: positive('fontwidth', options.fontWidth, 0.59),
    countName: options.countName ?? 'samples',
    nameType: options.nameType ?? 'Function:',
    colors,
    background,
    colorKey: options.colorKey ?? 'name',
    paletteMap: options.paletteMap,
    inverted,
    negate: options.negate === true,
    notes,
    total: options.total === undefined ? undefined : positive('total', options.total, 0),
    factor: positive('factor', options.factor, 1),
    encoding: options.encoding,
    searchColor: options.searchColor ?? 'rgb(230,0,230)',
  };
}
