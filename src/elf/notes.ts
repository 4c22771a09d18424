// ELF note records (Elf64_Nhdr followed by name and descriptor), as found in SHT_NOTE sections and PT_NOTE segments.
import { ElfError } from './error.js';

export interface ElfNote {
  readonly owner: string;
  readonly type: number;
  readonly desc: Buffer;
}

/** Splits a note area into records. `align` is the section's alignment: 4 normally, 8 for some GNU property notes. */
export function parseNotes(data: Buffer, align: number, path: string): ElfNote[] {
  const pad = align === 8 ? 8 : 4;
  const notes: ElfNote[] = [];
  let at = 0;
  while (at + 12 <= data.length) {
    const nameSize = data.readUInt32LE(at);
    const descSize = data.readUInt32LE(at + 4);
    const type = data.readUInt32LE(at + 8);
    const nameAt = at + 12;
    // Padding is to absolute positions: with 8-byte alignment a 4-byte name still puts the descriptor at 16.
    const descAt = at + roundUp(12 + nameSize, pad);
    const end = roundUp(descAt + descSize, pad);
    if (descAt + descSize > data.length) {
      throw new ElfError(`Cannot read ELF note: record at ${at} runs past the end of its section`, path);
    }
    const nameEnd = nameSize > 0 && data[nameAt + nameSize - 1] === 0 ? nameAt + nameSize - 1 : nameAt + nameSize;
    notes.push({ owner: data.toString('latin1', nameAt, nameEnd), type, desc: data.subarray(descAt, descAt + descSize) });
    at = end;
  }
  return notes;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
