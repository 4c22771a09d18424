// A small strict XML 1.0 well-formedness checker for the tests: one root, tags nest and match, attributes are quoted
// and unique, entity references are known, comments and CDATA are closed, no forbidden characters.
// Returns the problems found (empty when the document is well-formed) and counts of elements by name.

export interface XmlCheck {
  errors: string[];
  elements: Map<string, number>;
}

const nameRe = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const forbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function checkText(text: string, where: number, errors: string[]): void {
  if (forbidden.test(text)) errors.push(`forbidden character near offset ${where}`);
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    const m = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/.exec(text.slice(i, i + 12));
    if (!m) errors.push(`bad entity reference near offset ${where + i}`);
  }
  if (text.includes('<')) errors.push(`raw '<' near offset ${where}`);
}

export function checkXml(doc: string): XmlCheck {
  const errors: string[] = [];
  const elements = new Map<string, number>();
  const open: string[] = [];
  let roots = 0;
  let pos = 0;
  if (doc.startsWith('<?xml')) {
    const end = doc.indexOf('?>');
    if (end < 0) return { errors: ['unterminated XML declaration'], elements };
    pos = end + 2;
  }
  while (pos < doc.length) {
    const lt = doc.indexOf('<', pos);
    const text = doc.slice(pos, lt < 0 ? doc.length : lt);
    if (open.length === 0 && text.trim() !== '') errors.push(`text outside the root element at offset ${pos}`);
    checkText(text, pos, errors);
    if (lt < 0) break;
    pos = lt;
    if (doc.startsWith('<!--', pos)) {
      const end = doc.indexOf('-->', pos + 4);
      if (end < 0) return { errors: [...errors, 'unterminated comment'], elements };
      if (doc.slice(pos + 4, end).includes('--')) errors.push(`'--' inside a comment at offset ${pos}`);
      pos = end + 3;
    } else if (doc.startsWith('<![CDATA[', pos)) {
      if (open.length === 0) errors.push('CDATA outside the root element');
      const end = doc.indexOf(']]>', pos);
      if (end < 0) return { errors: [...errors, 'unterminated CDATA section'], elements };
      pos = end + 3;
    } else if (doc.startsWith('<!DOCTYPE', pos)) {
      if (roots > 0 || open.length > 0) errors.push('DOCTYPE after the root element started');
      const end = doc.indexOf('>', pos);
      pos = end + 1;
    } else if (doc.startsWith('<?', pos)) {
      const end = doc.indexOf('?>', pos);
      if (end < 0) return { errors: [...errors, 'unterminated processing instruction'], elements };
      pos = end + 2;
    } else if (doc.startsWith('</', pos)) {
      const end = doc.indexOf('>', pos);
      const name = doc.slice(pos + 2, end).trim();
      const top = open.pop();
      if (top !== name) errors.push(`closing </${name}> does not match <${top ?? ''}> at offset ${pos}`);
      pos = end + 1;
    } else {
      const m = nameRe.exec(doc.slice(pos + 1, pos + 200));
      if (!m) {
        errors.push(`bad tag at offset ${pos}`);
        pos++;
        continue;
      }
      const name = m[0];
      let i = pos + 1 + name.length;
      const seen = new Set<string>();
      for (;;) {
        while (/\s/.test(doc[i] ?? '')) i++;
        if (doc.startsWith('/>', i) || doc[i] === '>') break;
        const an = nameRe.exec(doc.slice(i, i + 200));
        if (!an) {
          errors.push(`bad attribute in <${name}> at offset ${i}`);
          break;
        }
        if (seen.has(an[0])) errors.push(`duplicate attribute ${an[0]} in <${name}>`);
        seen.add(an[0]);
        i += an[0].length;
        if (doc[i] !== '=') {
          errors.push(`attribute ${an[0]} without value in <${name}>`);
          break;
        }
        const quote = doc[i + 1];
        if (quote !== '"' && quote !== "'") {
          errors.push(`unquoted attribute ${an[0]} in <${name}>`);
          break;
        }
        const close = doc.indexOf(quote, i + 2);
        checkText(doc.slice(i + 2, close), i + 2, errors);
        i = close + 1;
      }
      elements.set(name, (elements.get(name) ?? 0) + 1);
      if (open.length === 0) roots++;
      if (doc.startsWith('/>', i)) {
        pos = i + 2;
      } else {
        open.push(name);
        pos = i + 1;
      }
    }
  }
  if (open.length > 0) errors.push(`unclosed elements: ${open.join(', ')}`);
  if (roots !== 1) errors.push(`expected one root element, found ${roots}`);
  return { errors, elements };
}
