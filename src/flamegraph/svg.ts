// Writes a laid-out flame graph as one interactive SVG document.
import type { FlameLayout, PlacedFrame } from './layout.js';
import type { FlameModel } from './model.js';
import type { ResolvedOptions } from './options.js';
import { deltaColor, frameColor, separatorColors } from './palette.js';
import { interactiveScript } from './script.js';

// Characters XML 1.0 forbids even when escaped; a frame name from a binary must not break the document.
const invalidXml = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const needsEscape = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

export function escapeXml(text: string): string {
  if (!needsEscape.test(text)) return text;
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(invalidXml, '\ufffd');
}

const annotation = /_\[[kwij]\]$/;

/** The name as shown: without the `_[k]`-style annotation that only picks a colour. */
export function displayName(name: string): string {
  return annotation.test(name) ? name.slice(0, -4) : name;
}

function withCommas(n: number): string {
  return n.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// Perl's sprintf("%.0f") rounds halves to even; labels should read the same as flamegraph.pl's.
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}

function frameInfo(f: PlacedFrame, model: FlameModel, layout: FlameLayout, opts: ResolvedOptions): string {
  const samples = roundHalfEven(f.span * opts.factor);
  const count = `${withCommas(samples)} ${opts.countName}`;
  if (f.depth === 0) return `all (${count}, 100%)`;
  const pct = ((100 * samples) / (layout.total * opts.factor)).toFixed(2);
  const name = displayName(f.node.name);
  if (!model.differential) return `${name} (${count}, ${pct}%)`;
  const d = opts.negate ? -f.node.delta : f.node.delta;
  const dpct = ((100 * d) / (layout.total * opts.factor)).toFixed(2);
  return `${name} (${count}, ${pct}%; ${d > 0 ? '+' : ''}${dpct}%)`;
}

function fillOf(f: PlacedFrame, model: FlameModel, opts: ResolvedOptions, cache: Map<string, string>): string {
  // flamegraph.pl's root has the empty name, and colours from it.
  const name = f.depth === 0 ? '' : f.node.name;
  if (name === '--' || name === '-') return separatorColors[name];
  if (model.differential) return deltaColor(f.node.delta, model.maxDelta, opts.negate);
  const map = opts.paletteMap;
  if (map) {
    let color = map.get(name);
    if (color === undefined) {
      color = frameColor(opts.colors, name, opts.colorKey);
      map.set(name, color);
    }
    return color;
  }
  let color = cache.get(name);
  if (color === undefined) {
    color = frameColor(opts.colors, name, opts.colorKey);
    if (opts.colorKey !== 'random') cache.set(name, color);
  }
  return color;
}

function label(f: PlacedFrame, opts: ResolvedOptions): string {
  const chars = Math.trunc((f.x2 - f.x1) / (opts.fontSize * opts.fontWidth));
  if (chars < 3) return '';
  const name = f.depth === 0 ? 'all' : displayName(f.node.name);
  const text = chars < name.length ? `${name.slice(0, chars - 2)}..` : name;
  return escapeXml(text);
}

function num(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

function header(layout: FlameLayout, opts: ResolvedOptions): string[] {
  const w = layout.width;
  const h = layout.height;
  const enc = opts.encoding !== undefined ? ` encoding="${escapeXml(opts.encoding)}"` : '';
  const fs = opts.fontSize;
  const settings = interactiveScript({
    nameType: opts.nameType,
    countName: opts.countName,
    xpad: layout.xpad,
    fontSize: fs,
    fontWidth: opts.fontWidth,
    inverted: opts.inverted,
    searchColor: opts.searchColor,
  });
  const out = [
    `<?xml version="1.0"${enc} standalone="no"?>\n`,
    `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n`,
    `<svg version="1.1" width="${num(w)}" height="${num(h)}" viewBox="0 0 ${num(w)} ${num(h)}" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n`,
    `<!-- Flame graph drawn by bpfkit. Hover for details, click to zoom, Ctrl-F to search. -->\n`,
    `<!-- NOTES: ${opts.notes} -->\n`,
    `<defs>\n<linearGradient id="background" y1="0" y2="1" x1="0" x2="0">\n`,
    `<stop stop-color="${escapeXml(opts.background[0])}" offset="5%"/>\n<stop stop-color="${escapeXml(opts.background[1])}" offset="95%"/>\n`,
    `</linearGradient>\n</defs>\n`,
    `<style type="text/css">\n`,
    `text { font-family:${escapeXml(opts.fontType)}; font-size:${num(fs)}px; fill:rgb(0,0,0); }\n`,
    `#search, #ignorecase { opacity:0.1; cursor:pointer; }\n`,
    `#search:hover, #search.show, #ignorecase:hover, #ignorecase.show { opacity:1; }\n`,
    `#subtitle { text-anchor:middle; fill:rgb(160,160,160); }\n`,
    `#title { text-anchor:middle; font-size:${num(fs + 5)}px; }\n`,
    `#unzoom { cursor:pointer; }\n`,
    `#frames > *:hover { stroke:black; stroke-width:0.5; cursor:pointer; }\n`,
    `.hide { display:none; }\n.parent { opacity:0.5; }\n`,
    `</style>\n`,
    `<script type="text/ecmascript"><![CDATA[${settings}]]></script>\n`,
    `<rect x="0.0" y="0" width="${num(w)}" height="${num(h)}" fill="url(#background)"/>\n`,
    `<text id="title" x="${Math.trunc(w / 2)}" y="${num(fs * 2)}">${escapeXml(opts.title)}</text>\n`,
  ];
  if (opts.subtitle !== '')
    out.push(`<text id="subtitle" x="${Math.trunc(w / 2)}" y="${num(fs * 4)}">${escapeXml(opts.subtitle)}</text>\n`);
  const bottom = num(h - layout.ypad2 / 2);
  out.push(
    `<text id="details" x="${layout.xpad}" y="${bottom}"> </text>\n`,
    `<text id="unzoom" class="hide" x="${layout.xpad}" y="${num(fs * 2)}">Reset Zoom</text>\n`,
    `<text id="search" x="${num(w - layout.xpad - 100)}" y="${num(fs * 2)}">Search</text>\n`,
    `<text id="ignorecase" x="${num(w - layout.xpad - 16)}" y="${num(fs * 2)}">ic</text>\n`,
    `<text id="matched" x="${num(w - layout.xpad - 100)}" y="${bottom}"> </text>\n`,
  );
  return out;
}

/** The SVG document for a model already laid out. */
export function writeSvg(model: FlameModel, layout: FlameLayout, opts: ResolvedOptions): string {
  const out = header(layout, opts);
  out.push('<g id="frames">\n');
  const cache = new Map<string, string>();
  for (const f of layout.frames) {
    const x1 = f.x1.toFixed(1);
    const x2 = f.x2.toFixed(1);
    const width = (Number(x2) - Number(x1)).toFixed(1);
    const height = (f.y2 - f.y1).toFixed(1);
    out.push(
      `<g><title>${escapeXml(frameInfo(f, model, layout, opts))}</title><rect x="${x1}" y="${num(f.y1)}" width="${width}" height="${height}" fill="${fillOf(f, model, opts, cache)}" rx="2" ry="2"/>`,
      `<text x="${(f.x1 + 3).toFixed(2)}" y="${num(3 + (f.y1 + f.y2) / 2)}">${label(f, opts)}</text></g>\n`,
    );
  }
  out.push('</g>\n</svg>\n');
  return out.join('');
}

/** The SVG flamegraph.pl draws when there is nothing to draw: a message, so automated pipelines still get a picture. */
export function writeEmptySvg(opts: ResolvedOptions): string {
  const h = opts.fontSize * 5;
  const w = opts.width;
  return [
    `<?xml version="1.0" standalone="no"?>\n`,
    `<svg version="1.1" width="${num(w)}" height="${num(h)}" viewBox="0 0 ${num(w)} ${num(h)}" xmlns="http://www.w3.org/2000/svg">\n`,
    `<text x="${Math.trunc(w / 2)}" y="${num(opts.fontSize * 2)}" style="text-anchor:middle; font-family:${escapeXml(opts.fontType)}; font-size:${num(opts.fontSize)}px">ERROR: No valid input provided to flamegraph.</text>\n`,
    `</svg>\n`,
  ].join('');
}
