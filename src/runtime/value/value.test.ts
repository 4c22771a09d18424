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

  // master src/bpftrace.cpp resolve_inetv4: inet_ntop(AF_INET) over the four bytes in memory order,
  // so a little-endian integer prints low byte first.
  it('formats IPv4 addresses from their bytes in memory order', () => {
    expect([0x0a00a8c0, 0x01020304, 0xfe, 0xffffffff].map((n) => formatInetAddress(AF_INET, le32(n)))).toEqual([
      '192.168.0.10', '4.3.2.1', '254.0.0.0', '255.255.255.255',
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

  // master src/bpftrace.cpp resolve_mac_address: six bytes as "%02X" joined by colons.
  it('formats MAC addresses as upper-case hex pairs', () => {
    expect(formatMacAddress(new Uint8Array([0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f]))).toBe('0A:1B:2C:3D:4E:5F');
  });
});
