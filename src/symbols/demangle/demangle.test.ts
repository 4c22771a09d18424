import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demangle, demangleCpp, demangleRust } from './index.js';

describe('demangle', () => {
  it('picks the demangler by prefix and shape', () => {
    expect(demangle('_ZN5outer5inner5Point3sumEv')).toBe('outer::inner::Point::sum()');
    expect(demangle('_ZNK5outer5inner5Point3sumEv.cold')).toBe('outer::inner::Point::sum() const [clone .cold]');
    // A legacy Rust name is an Itanium nested name ending in the hash element.
    expect(demangle('_ZN4demo3run17he91550161d7b7b46E')).toBe('demo::run');
    expect(demangle('_RNvNtCs2ndz2m94zur_4demo5outer3run')).toBe('demo::outer::run');
    // Without the hash element it is an ordinary C++ data name.
    expect(demangle('_ZN4demo3runE')).toBe('demo::run');
    expect(demangle('_ZN4demo3runE')).toBe(demangleCpp('_ZN4demo3runE'));
  });

  it('returns names that are not mangled, or cannot be demangled, unchanged', () => {
    for (const name of ['', 'main', 'readline', '_start', 'foo.cold', '_Z', '_ZN1AE1', '_R', '_RX', '__libc_start_main']) {
      expect(demangle(name)).toBe(name);
    }
  });
});

/** A small deterministic generator, so a failing case can be replayed. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SEEDS = [
  '_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE12_M_constructIPKcEEvT_S8_St20forward_iterator_tag',
  '_ZSt12construct_atIcJRKcEEDTgsnwcvPvLi0E_T_pispcl7declvalIT0_EEEEPS3_DpOS4_',
  '_ZZ1fIiEvvENKUlT_E_clIiEEDaS_',
  '_ZN1AIiEcvT_IcEEv',
  '_Z1fIJidEEvDpRKT_',
  '_ZTv0_n24_N1A1fEv',
  '_Z1fM1AKFivE',
  '_ZN2v84base17PrintCheckOperandIPKaEENSt9enable_ifIXaaaantsrSt11is_functionINSt14remove_pointerIT_E4typeEE5valuentsrSt7is_enumIS7_E5valueEE4typeES7_',
  '_RINvNtNtCs2ndz2m94zur_4demo5outer5inner6constsKj3_Kb1_Kc78_EB6_',
  '_RNvXs_NtNtCs2ndz2m94zur_4demo5outer5innerINtB4_5PointdENtB4_5Shape4area',
  '_RINvNtNtCs2ndz2m94zur_4demo5outer5inner5typedDNtNtNtNtCsgEmfK2I1SDS_4core4iter6traits8iterator8IteratorEp4ItemhNtNtB1b_6marker4SendEL_EB6_',
  '_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0a1b2c3d4e5f6a7bE',
];
const ALPHABET = '_ZRNSEIJLXTDpRKOPFvidcCMsBhu0123456789abStUlGK$.';

function mutate(rand: () => number, name: string): string {
  const chars = name.split('');
  const edits = 1 + Math.floor(rand() * 5);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (chars.length + 1));
    const pick = ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
    const r = rand();
    if (r < 0.3) chars.splice(at, 1);
    else if (r < 0.6) chars.splice(at, 0, pick);
    else if (r < 0.8) chars[at] = pick;
    else if (r < 0.9) chars.splice(at, 0, ...chars.slice(at, at + Math.floor(rand() * 20)));
    else chars.length = Math.min(chars.length, at);
  }
  return chars.join('');
}

describe('demangle fuzz', () => {
  const corpus = [...SEEDS];
  const lib = '/usr/lib/x86_64-linux-gnu/libstdc++.so.6';
  if (existsSync(lib) && spawnSync('sh', ['-c', 'command -v nm']).status === 0) {
    const out = execFileSync('nm', ['-D', '--defined-only', lib], { maxBuffer: 1 << 26 }).toString();
    for (const line of out.split('\n')) {
      const name = line.trim().split(/\s+/).pop()?.replace(/@.*$/, '');
      if (name?.startsWith('_Z')) corpus.push(name);
    }
  }

  it('never throws on mutated real names', () => {
    const rand = generator(0xb9f);
    let changed = 0;
    const bad: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const name = mutate(rand, corpus[Math.floor(rand() * corpus.length)]!);
      try {
        const out = demangle(name);
        if (typeof out !== 'string' || typeof demangleCpp(name) !== 'string' || typeof demangleRust(name) !== 'string') bad.push(name);
        if (out !== name) changed++;
      } catch (err) {
        bad.push(`${name}: ${String(err)}`);
      }
    }
    expect(bad).toEqual([]);
    // Many mutations still demangle; the rest come back unchanged.
    expect(changed).toBeGreaterThan(1000);
  });

  it('never throws on random strings', () => {
    const rand = generator(7);
    const bad: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const length = Math.floor(rand() * 80);
      let name = rand() < 0.5 ? '_Z' : '_R';
      for (let j = 0; j < length; j++) name += ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
      try {
        if (typeof demangle(name) !== 'string') bad.push(name);
      } catch (err) {
        bad.push(`${name}: ${String(err)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('bounds the work on inputs built to explode', () => {
    const huge = '_Z1f' + 'S_'.repeat(8_000);
    expect(demangle(huge)).toBe(huge);
    const long = '_Z' + '1a'.repeat(20_000);
    expect(demangle(long)).toBe(long);
    const backrefs = '_RNvCs_4demo3run' + 'B0_'.repeat(1_000);
    expect(demangle(backrefs)).toBe(backrefs);
  });
});
