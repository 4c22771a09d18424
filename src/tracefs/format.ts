// The `format` file of a trace event: its id, its fields and where each sits in the raw record.
import { TracefsError } from './error.js';

export interface EventField {
  name: string;
  /** the C type without the name, array suffix or `__data_loc`: 'unsigned short', 'const char *', 'char' */
  type: string;
  /** the declaration as the file writes it, e.g. '__data_loc char[] filename' */
  decl: string;
  offset: number;
  size: number;
  signed: boolean;
  /** `__data_loc` (or `__rel_loc`): a u32 in the record holding (length << 16 | offset) of bytes stored later */
  isDataLoc: boolean;
  /** `__rel_loc`: like __data_loc, but the offset counts from the end of this field */
  isRelLoc: boolean;
  isArray: boolean;
  /** the element count of a fixed array (`char comm[16]` → 16); 0 for a flexible `buf[]`; undefined for dynamic and non-arrays */
  arrayLength: number | undefined;
}

export interface EventFormat {
  name: string;
  id: number;
  /** the fields every event starts with (common_type, common_flags, common_preempt_count, common_pid) */
  commonFields: EventField[];
  /** the event's own fields */
  fields: EventField[];
  printFmt: string;
}

const FIELD = /^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/;

export function parseEventFormat(text: string, source = 'format'): EventFormat {
  let name = '';
  let id = -1;
  let printFmt = '';
  const commonFields: EventField[] = [];
  const fields: EventField[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('name: ')) name = line.slice(6).trim();
    else if (line.startsWith('ID: ')) id = Number(line.slice(4).trim());
    else if (line.startsWith('print fmt: ')) printFmt = line.slice(11);
    else {
      const m = FIELD.exec(line);
      if (!m) continue;
      const field = parseField(m[1] ?? '', Number(m[2]), Number(m[3]), m[4] === '1', source);
      (field.name.startsWith('common_') ? commonFields : fields).push(field);
    }
  }
  if (!Number.isInteger(id) || id < 0) throw new TracefsError(`Cannot parse event format ${source}: no ID line`);
  return { name, id, commonFields, fields, printFmt };
}

const ARRAY = /^(.*?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*\[([^\]]*)\]$/;
const PLAIN = /^(.*?[\s*])([A-Za-z_][A-Za-z0-9_]*)$/;
const DYNAMIC = /^__(data|rel)_loc\s+(.*?)(\[\])?\s+([A-Za-z_][A-Za-z0-9_]*)$/;

function parseField(decl: string, offset: number, size: number, signed: boolean, source: string): EventField {
  const base = { decl, offset, size, signed };
  const dyn = DYNAMIC.exec(decl);
  if (dyn) {
    return { ...base, name: dyn[4] ?? '', type: (dyn[2] ?? '').trim(), isDataLoc: true, isRelLoc: dyn[1] === 'rel', isArray: dyn[3] !== undefined, arrayLength: undefined };
  }
  const arr = ARRAY.exec(decl);
  if (arr) {
    const type = (arr[1] ?? '').trim();
    const lengthText = (arr[3] ?? '').trim();
    let arrayLength: number | undefined;
    if (lengthText === '') arrayLength = 0;
    else if (/^\d+$/.test(lengthText)) arrayLength = Number(lengthText);
    else if (/^0x[0-9a-f]+$/i.test(lengthText)) arrayLength = parseInt(lengthText, 16);
    else {
      // A length the kernel left as an expression (sizeof(...)): derive it from the size when the element size is known.
      const elem = elementSize(type);
      arrayLength = elem ? size / elem : undefined;
    }
    return { ...base, name: arr[2] ?? '', type, isDataLoc: false, isRelLoc: false, isArray: true, arrayLength };
  }
  const plain = PLAIN.exec(decl);
  if (!plain) throw new TracefsError(`Cannot parse event format ${source}: unreadable field declaration: ${decl}`);
  return { ...base, name: plain[2] ?? '', type: (plain[1] ?? '').trim(), isDataLoc: false, isRelLoc: false, isArray: false, arrayLength: undefined };
}

function elementSize(type: string): number | undefined {
  if (/\*$/.test(type)) return 8;
  if (/^(unsigned |signed )?char$|^[us]8$|^__[us]8$|^bool$/.test(type)) return 1;
  if (/^(unsigned )?short$|^[us]16$|^__[us]16$|^__[bl]e16$/.test(type)) return 2;
  if (/^(unsigned )?int$|^[us]32$|^__[us]32$|^__[bl]e32$/.test(type)) return 4;
  if (/^(unsigned )?long( long)?$|^[us]64$|^__[us]64$|^__[bl]e64$/.test(type)) return 8;
  return undefined;
}
