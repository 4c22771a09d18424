import { describe, expect, it } from 'vitest';
import { eventLayout } from '../lang/codegen/artifact.js';
import { I32, U64, U8, int as intType, string as stringType, tuple as tupleType } from '../lang/types.js';
import { decodeValue, encodeUint } from './decode.js';
import { array, bool, int, none, pointer, record, str, tuple, uint } from './value/index.js';

// Builds a record the way the code generator lays it out: u64 id, then fields at eventLayout's offsets.
function record_(fields: { offset: number; bytes: Uint8Array }[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (const f of fields) out.set(f.bytes, f.offset);
  return out;
}

describe('decodeValue', () => {
  it('reads integers at their width and signedness', () => {
    const bytes = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x05, 0, 0, 0, 0, 0, 0, 0]);
    expect(decodeValue(I32, bytes, 0)).toEqual(int(-1, true, 32));
    expect(decodeValue(intType(32, false), bytes, 0)).toEqual(uint(0xffffffff, 32));
    expect(decodeValue(U8, bytes, 4)).toEqual(uint(5, 8));
    expect(decodeValue(U64, bytes, 4)).toEqual(uint(5));
  });

  it('reads strings up to their NUL, with the trailer when the buffer is full', () => {
    const bytes = new TextEncoder().encode('abc\0zzzz');
    expect(decodeValue(stringType(8), bytes, 0)).toEqual(str('abc', 8));
    expect(decodeValue(stringType(4), new TextEncoder().encode('abcd'), 0)).toEqual(str('abcd..', 4));
    expect(decodeValue(stringType(4), new TextEncoder().encode('abcd'), 0, { truncationTrailer: '_x' })).toEqual(str('abcd_x', 4));
  });

  it('reads a printf record laid out by eventLayout', () => {
    const fields = [I32, stringType(5), U64];
    const layout = eventLayout(fields);
    expect(layout.args.map((a) => a.offset)).toEqual([8, 12, 24]);
    const rec = record_(
      [
        { offset: 0, bytes: encodeUint(3n, 8) },
        { offset: 8, bytes: encodeUint(-7n, 4) },
        { offset: 12, bytes: new TextEncoder().encode('hi\0') },
        { offset: 24, bytes: encodeUint(1n << 40n, 8) },
      ],
      layout.size,
    );
    expect(layout.args.map((a) => decodeValue(a.type, rec, a.offset))).toEqual([int(-7, true, 32), str('hi', 5), uint(1n << 40n)]);
  });

  it('reads tuples, records, arrays, bools and pointers by C layout', () => {
    const t = tupleType([U8, U64]);
    const bytes = new Uint8Array(16);
    bytes[0] = 9;
    bytes.set(encodeUint(77n, 8), 8);
    expect(decodeValue(t, bytes, 0)).toEqual(tuple(uint(9, 8), uint(77)));
    expect(decodeValue({ kind: 'record', name: undefined, fields: [{ name: 'a', type: U8 }, { name: 'b', type: U64 }] }, bytes, 0)).toEqual(
      record([
        { name: 'a', value: uint(9, 8) },
        { name: 'b', value: uint(77) },
      ]),
    );
    expect(decodeValue({ kind: 'array', element: U8, length: 2 }, new Uint8Array([1, 2]), 0)).toEqual(array([uint(1, 8), uint(2, 8)]));
    expect(decodeValue({ kind: 'bool' }, new Uint8Array([1]), 0)).toEqual(bool(true));
    expect(decodeValue({ kind: 'pointer', pointee: U8, userSpace: false }, encodeUint(0x1000n, 8), 0)).toEqual(pointer(0x1000));
    expect(decodeValue({ kind: 'none' }, bytes, 0)).toEqual(none);
  });

  it('symbolizes through the context and falls back to hex', () => {
    const addr = encodeUint(0xffffffff81000000n, 8);
    expect(decodeValue({ kind: 'ksym' }, addr, 0)).toEqual(str('0xffffffff81000000'));
    expect(decodeValue({ kind: 'ksym' }, addr, 0, { kernelSymbol: () => 'startup_64' })).toEqual(str('startup_64'));
    expect(decodeValue({ kind: 'username' }, encodeUint(0n, 8), 0, { userName: (uid) => (uid === 0 ? 'root' : '?') })).toEqual(str('root'));
    expect(decodeValue({ kind: 'strerror' }, encodeUint(2n, 8), 0)).toEqual(str('No such file or directory'));
  });

  it('formats inet addresses', () => {
    const bytes = new Uint8Array(24);
    bytes.set(encodeUint(2n, 8), 0);
    bytes.set([127, 0, 0, 1], 8);
    expect(decodeValue({ kind: 'inet' }, bytes, 0)).toEqual(str('127.0.0.1'));
  });
});
