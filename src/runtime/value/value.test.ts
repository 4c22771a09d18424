import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, decodeCString, formatInetAddress, formatMacAddress, int, pointer, uint } from './value.js';

function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

describe('values', () => {
  it('wraps integers to their width', () => {
    expect(int(200, true, 8).value).toBe(-56n);
    expect(uint(-1, 32).value).toBe(0xffffffffn);
  });

  it('prints pointers as 0x hex', () => {
    expect(pointer(0x1f)).toEqual({ kind: 'symbol', symbol: '0x1f', numeric: 0x1fn });
  });

  it('adds the truncation trailer to strings that fill their buffer', () => {
    expect(decodeCString(new Uint8Array([104, 105, 0, 0])).value).toBe('hi');
    expect(decodeCString(new Uint8Array([104, 105, 106, 107])).value).toBe('hijk..');
  });

  it('formats IPv4 addresses as ntop does (master tests/runtime/call "ntop static ip")', () => {
    expect([1, 0x0100007f, 0xffff0000, 0x0000ffff].map((n) => formatInetAddress(AF_INET, le32(n)))).toEqual([
      '1.0.0.0', '127.0.0.1', '0.0.255.255', '255.255.0.0',
    ]);
  });

  // References: Python's socket.inet_ntop (glibc inet_ntop) on the same 16 bytes.
  it('formats IPv6 addresses as glibc inet_ntop does', () => {
    const cases: [string, string][] = [
      ['00000000000000000000000000000001', '::1'],
      ['00000000000000000000000000000000', '::'],
      ['fe800000000000000000000000010002', 'fe80::1:2'],
      ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
      ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
      ['00000000000000000000000001020304', '::1.2.3.4'],
      ['00010000000000020000000000000003', '1:0:0:2::3'],
      ['00010002000300040005000600070008', '1:2:3:4:5:6:7:8'],
      ['00010000000000000000000000000000', '1::'],
      ['00000000000100000000000000000000', '0:0:1::'],
    ];
    for (const [hex, text] of cases) expect(formatInetAddress(AF_INET6, new Uint8Array(Buffer.from(hex, 'hex')))).toBe(text);
  });

  it('formats MAC addresses (master tests/runtime/call "macaddr")', () => {
    expect(formatMacAddress(new Uint8Array([5, 4, 3, 2, 1, 2]))).toBe('05:04:03:02:01:02');
  });
});
