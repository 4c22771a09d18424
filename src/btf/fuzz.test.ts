// Truncated and mutated BTF must fail with the reader's typed errors: never a crash, a RangeError or a hang.
import { describe, expect, it } from 'vitest';
import { BtfBuilder, buildEveryKind } from '../../test/fixtures/btf/encode.js';
import { BtfMissingFieldError, BtfParseError, BtfTypeError, parseBtf, type Btf } from './index.js';

const fixture = buildEveryKind();
const base = parseBtf(fixture.bytes);

function splitBlob(): Uint8Array {
  const mod = new BtfBuilder({ lastId: fixture.lastId, strLen: fixture.stringBytes });
  const inner = mod.struct('inner', 8, [{ name: 'v', type: fixture.ids.long!, bitOffset: 0 }]);
  mod.struct('outer', 16, [
    { name: '', type: inner, bitOffset: 0 },
    { name: 'task', type: mod.ptr(fixture.ids.task!), bitOffset: 64 },
  ]);
  return mod.build();
}

// A small deterministic generator so failures reproduce.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function isTyped(err: unknown): boolean {
  return err instanceof BtfParseError || err instanceof BtfTypeError || err instanceof BtfMissingFieldError;
}

function attempt(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!isTyped(err)) throw err;
  }
}

/** Parses and asks every question of every type; returns whether parsing succeeded. */
function exercise(bytes: Uint8Array, baseBtf?: Btf): boolean {
  let btf: Btf;
  try {
    btf = parseBtf(bytes, baseBtf);
  } catch (err) {
    if (!(err instanceof BtfParseError)) throw err;
    return false;
  }
  const first = baseBtf ? btf.firstId : 0;
  for (let id = first; id <= btf.lastId + 1; id++) {
    attempt(() => btf.typeById(id));
    attempt(() => btf.resolve(id));
    attempt(() => btf.sizeOf(id));
    attempt(() => btf.alignOf(id));
    attempt(() => btf.members(id));
    attempt(() => btf.findMember(id, 'pid'));
    attempt(() => btf.findMember(id, 'comm[2]'));
    attempt(() => btf.formatType(id));
    attempt(() => btf.formatDefinition(id));
  }
  for (const name of ['task', 'int', 'do_open', 'pid_t', 'struct task', 'outer']) attempt(() => btf.findAllByName(name));
  attempt(() => btf.funcProto('do_open'));
  attempt(() => btf.rawTracepointArgs('demo'));
  attempt(() => btf.enumValue('HUGE'));
  return true;
}

describe('BTF parser on malformed input', () => {
  it('gives a typed error for every truncation', () => {
    let parsed = 0;
    for (let len = 0; len < fixture.bytes.length; len++) {
      if (exercise(fixture.bytes.slice(0, len))) parsed++;
    }
    // Only the full blob is consistent: every shorter one has a header pointing past the end.
    expect(parsed).toBe(0);
    expect(exercise(fixture.bytes)).toBe(true);
  });

  it('gives a typed error or a usable result for mutated blobs', () => {
    const next = rng(0x5eed);
    const interesting = [0, 1, 2, 0x7f, 0xff, 0xffff, 0x7fffffff, 0xffffffff, fixture.lastId, fixture.lastId + 1, 24, 64];
    let parsed = 0;
    for (let round = 0; round < 1000; round++) {
      const bytes = fixture.bytes.slice();
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) {
        const pos = Math.floor(next() * bytes.length);
        if (next() < 0.5 && pos + 4 <= bytes.length) {
          view.setUint32(pos & ~3, interesting[Math.floor(next() * interesting.length)]!, true);
        } else {
          bytes[pos] = Math.floor(next() * 256);
        }
      }
      if (exercise(bytes)) parsed++;
    }
    // Most single-field mutations leave a parseable blob, so the type-level checks were reached too.
    expect(parsed).toBeGreaterThan(100);
  });

  it('handles mutated split BTF on top of a good base', () => {
    const split = splitBlob();
    expect(exercise(split, base)).toBe(true);
    const next = rng(42);
    for (let round = 0; round < 500; round++) {
      const bytes = split.slice();
      const pos = 24 + Math.floor(next() * (bytes.length - 24));
      bytes[pos] = Math.floor(next() * 256);
      exercise(bytes, base);
    }
    for (let len = 0; len < split.length; len++) exercise(split.slice(0, len), base);
  });

  it('stops on reference cycles', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, { signed: true });
    // Type 2 is a typedef of itself; type 3 a struct holding itself twice; 4 a prototype taking a pointer to itself.
    b.typedef('loop', 2);
    b.struct('', 8, [{ name: '', type: 3, bitOffset: 0 }, { name: 'x', type: 3, bitOffset: 0 }]);
    b.funcProto(int, [['a', 5], ['b', 5]]);
    b.ptr(4);
    const btf = parseBtf(b.build());
    expect(() => btf.resolve(2)).toThrow(BtfTypeError);
    expect(() => btf.sizeOf(2)).toThrow(BtfTypeError);
    expect(() => btf.alignOf(3)).toThrow(BtfTypeError);
    expect(() => btf.members(3)).toThrow(BtfTypeError);
    expect(() => btf.formatDefinition(3)).toThrow(BtfTypeError);
    expect(() => btf.formatType(5)).toThrow(BtfTypeError);
  });
});
