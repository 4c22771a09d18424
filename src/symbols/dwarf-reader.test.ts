import { describe, expect, it } from 'vitest';
import { DwarfReader, readUnitLength } from './dwarf-reader.js';
import { SymbolsError } from './error.js';

const reader = (bytes: number[]): DwarfReader => new DwarfReader(Buffer.from(bytes), 0, '.debug_test');

describe('DwarfReader', () => {
  // The LEB128 examples of DWARF 5, 7.6 (figures 7.4 and 7.5).
  it.each([
    [[0x02], 2],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0x81, 0x01], 129],
    [[0x82, 0x01], 130],
    [[0xb9, 0x64], 12857],
  ])('reads ULEB128 %j as %d, as a number and as a bigint', (bytes, value) => {
    expect(reader(bytes).uleb()).toBe(value);
    expect(reader(bytes).ulebBig()).toBe(BigInt(value));
  });

  it.each([
    [[0x02], 2],
    [[0x7e], -2],
    [[0xff, 0x00], 127],
    [[0x81, 0x7f], -127],
    [[0x80, 0x01], 128],
    [[0x80, 0x7f], -128],
    [[0x81, 0x01], 129],
    [[0xff, 0x7e], -129],
  ])('reads SLEB128 %j as %d, as a number and as a bigint', (bytes, value) => {
    expect(reader(bytes).sleb()).toBe(value);
    expect(reader(bytes).slebBig()).toBe(BigInt(value));
  });

  it('reads a 64-bit unit length after the 0xffffffff escape, and widens offsets with it', () => {
    const r = reader([0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0, 0, 0, 0, 0]);
    expect(readUnitLength(r)).toEqual({ length: 16, is64: true, end: 28 });
    const short = reader([0x20, 0, 0, 0]);
    expect(readUnitLength(short)).toEqual({ length: 32, is64: false, end: 36 });
  });

  it('names the section when a value runs past its end or a string has no NUL', () => {
    expect(() => reader([0x80]).uleb()).toThrow(new SymbolsError('Cannot read .debug_test: unit runs past the section end'));
    expect(() => reader([0x61, 0x62]).cstr()).toThrow(new SymbolsError('Cannot read .debug_test: string is not NUL-terminated'));
  });
});
