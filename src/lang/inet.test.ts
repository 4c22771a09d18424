import { describe, expect, it } from 'vitest';
import { parseIpAddress } from './inet.js';

describe('parseIpAddress', () => {
  it('parses IPv4 and IPv6 text into network-order bytes', () => {
    expect([...parseIpAddress('127.0.0.1')!]).toEqual([127, 0, 0, 1]);
    expect([...parseIpAddress('::1')!]).toEqual([...Array<number>(15).fill(0), 1]);
    expect([...parseIpAddress('fe80::1:2')!]).toEqual([0xfe, 0x80, ...Array<number>(10).fill(0), 0, 1, 0, 2]);
    expect([...parseIpAddress('::ffff:10.1.2.3')!].slice(10)).toEqual([0xff, 0xff, 10, 1, 2, 3]);
  });

  it('refuses what is not an address', () => {
    for (const bad of ['1.2.3', '256.0.0.1', '1::2::3', 'fe80:1', 'hello', '1:2:3:4:5:6:7:8:9']) expect(parseIpAddress(bad)).toBeUndefined();
  });
});
