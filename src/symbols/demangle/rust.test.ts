import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demangleRust } from './rust.js';

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

const HAVE_RUSTC = have('rustc') && have('nm');
const HAVE_CXXFILT = have('c++filt');
if (!HAVE_RUSTC) console.log('demangle/rust: skipping compiled Rust fixtures: rustc or nm is not installed');
if (HAVE_RUSTC && !have('rustfilt')) console.log('demangle/rust: rustfilt is not installed; comparing with names derived from the source and with c++filt');

// Every function below shows up in the expected names, spelled as the source spells its path and types.
const SOURCE = String.raw`pub mod outer {
    pub mod inner {
        pub struct Point<T> { pub x: T, pub y: T }
        impl<T: Copy + std::ops::Add<Output = T>> Point<T> {
            #[inline(never)] pub fn sum(&self) -> T { self.x + self.y }
        }
        pub trait Shape { fn area(&self) -> f64; }
        impl Shape for Point<f64> { #[inline(never)] fn area(&self) -> f64 { self.x * self.y } }
        #[inline(never)] pub fn generic<T: std::fmt::Debug>(t: T) -> String { format!("{:?}", t) }
        #[inline(never)] pub fn consts<const N: usize, const B: bool, const C: char>() -> usize { N + B as usize + C as usize }
        #[inline(never)] pub fn signed<const I: i32>() -> i32 { I }
        #[inline(never)] pub fn typed<T: ?Sized>() -> usize { std::mem::size_of::<&T>() }
        #[inline(never)] pub fn closure(v: u32) -> u32 { let c = move |a: u32| a + v; let d = |b: u32| b * 2; c(d(v)) }
        #[inline(never)] pub fn früh(x: u8) -> u8 { x + 1 }
        #[inline(never)] pub fn 日本(x: u8) -> u8 { x + 2 }
    }
}
pub struct Wrapper(pub Vec<String>);
impl Drop for Wrapper { fn drop(&mut self) { self.0.clear(); } }
impl std::fmt::Display for Wrapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{}", self.0.len()) }
}
fn main() {
    use outer::inner::*;
    let p = Point { x: 1u32, y: 2 };
    let q = Point { x: 1.5f64, y: 2.0 };
    let s = generic(vec![1u8]) + &generic(Some("x")) + &generic((1i32, 'c'));
    let mut n = consts::<3, true, 'x'>() + consts::<0, false, '\n'>() + signed::<-5>() as usize;
    n += typed::<fn(u8) -> u16>() + typed::<unsafe extern "C" fn()>() + typed::<dyn Fn(u32) -> bool>()
        + typed::<dyn Iterator<Item = u8> + Send>() + typed::<for<'a> fn(&'a u8) -> &'a u8>()
        + typed::<(u8, i64)>() + typed::<(bool,)>() + typed::<[u32; 4]>() + typed::<[u8]>() + typed::<*const u8>()
        + typed::<*mut i16>() + typed::<&mut str>() + typed::<()>() + typed::<fn() -> !>()
        + typed::<(i8, i16, i128, u128, isize, f32, f64)>() + typed::<Point<char>>();
    n += p.sum() as usize + q.area() as usize + closure(3) as usize + früh(1) as usize + 日本(1) as usize;
    let w = Wrapper(vec![s]);
    n += w.to_string().len();
    std::process::exit((n == 0) as i32);
}
`;

const V0_EXPECTED = [
  'demo::main',
  '<demo::outer::inner::Point<u32>>::sum',
  '<demo::outer::inner::Point<f64> as demo::outer::inner::Shape>::area',
  'demo::outer::inner::generic::<alloc::vec::Vec<u8>>',
  'demo::outer::inner::generic::<core::option::Option<&str>>',
  'demo::outer::inner::generic::<(i32, char)>',
  "demo::outer::inner::consts::<3, true, 'x'>",
  "demo::outer::inner::consts::<0, false, '\\n'>",
  'demo::outer::inner::signed::<-5>',
  'demo::outer::inner::typed::<fn(u8) -> u16>',
  'demo::outer::inner::typed::<unsafe extern "C" fn()>',
  'demo::outer::inner::typed::<dyn core::ops::function::Fn<(u32,), Output = bool>>',
  'demo::outer::inner::typed::<dyn core::iter::traits::iterator::Iterator<Item = u8> + core::marker::Send>',
  "demo::outer::inner::typed::<for<'a> fn(&'a u8) -> &'a u8>",
  'demo::outer::inner::typed::<(u8, i64)>',
  'demo::outer::inner::typed::<(bool,)>',
  'demo::outer::inner::typed::<[u32; 4]>',
  'demo::outer::inner::typed::<[u8]>',
  'demo::outer::inner::typed::<*const u8>',
  'demo::outer::inner::typed::<*mut i16>',
  'demo::outer::inner::typed::<&mut str>',
  'demo::outer::inner::typed::<()>',
  'demo::outer::inner::typed::<fn() -> !>',
  'demo::outer::inner::typed::<(i8, i16, i128, u128, isize, f32, f64)>',
  'demo::outer::inner::typed::<demo::outer::inner::Point<char>>',
  'demo::outer::inner::closure::{closure#0}',
  'demo::outer::inner::closure::{closure#1}',
  'demo::outer::inner::früh',
  'demo::outer::inner::日本',
  '<demo::Wrapper as core::ops::drop::Drop>::drop',
  '<demo::Wrapper as core::fmt::Display>::fmt',
];

const LEGACY_EXPECTED = [
  'demo::main',
  'demo::outer::inner::Point<T>::sum',
  '<demo::outer::inner::Point<f64> as demo::outer::inner::Shape>::area',
  'demo::outer::inner::generic',
  'demo::outer::inner::consts',
  'demo::outer::inner::signed',
  'demo::outer::inner::typed',
  'demo::outer::inner::closure::{{closure}}',
  'demo::outer::inner::früh',
  'demo::outer::inner::日本',
  '<demo::Wrapper as core::ops::drop::Drop>::drop',
  '<demo::Wrapper as core::fmt::Display>::fmt',
];

function rustSymbols(binary: string): string[] {
  const out = execFileSync('nm', [binary], { maxBuffer: 1 << 28 }).toString();
  const names = new Set<string>();
  for (const line of out.split('\n')) {
    const name = line.trim().split(/\s+/).pop() ?? '';
    if (name.startsWith('_R') || /^_ZN.*17h[0-9a-f]{16}E/.test(name)) names.add(name);
  }
  return [...names].sort();
}

/**
 * c++filt prints Rust names in their long form: crate disambiguators (`core[abcd]`), the legacy hash (`::h...`) and
 * const generic types (`3: usize`). Removing those gives the short form bpfkit prints. c++filt also drops `.N`
 * suffixes of v0 names, which bpfkit keeps as rustc-demangle does.
 */
function shortForm(cxxfilt: string): string {
  return cxxfilt
    .replace(/\[[0-9a-f]+\]/g, '')
    .replace(/::h[0-9a-f]{16}$/, '')
    .replace(/: (?:u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|bool|char)\b/g, '');
}

describe.skipIf(!HAVE_RUSTC)('demangleRust on compiled Rust', () => {
  let dir = '';
  let v0: string[] = [];
  let legacy: string[] = [];
  let legacyReason = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfkit-demangle-rs-'));
    const source = join(dir, 'demo.rs');
    writeFileSync(source, SOURCE);
    const common = ['--edition', '2021', '--crate-name', 'demo', '-C', 'opt-level=0', source];
    execFileSync('rustc', [...common, '-C', 'symbol-mangling-version=v0', '-o', join(dir, 'v0')], { stdio: 'pipe' });
    v0 = rustSymbols(join(dir, 'v0')).filter((n) => n.startsWith('_R'));
    // Stable rustc only offers the legacy scheme behind an unstable flag; its standard library is built with it.
    try {
      execFileSync('rustc', [...common, '-Z', 'unstable-options', '-C', 'symbol-mangling-version=legacy', '-o', join(dir, 'legacy')], {
        stdio: 'pipe',
        env: { ...process.env, RUSTC_BOOTSTRAP: '1' },
      });
      legacy = rustSymbols(join(dir, 'legacy')).filter((n) => n.startsWith('_ZN'));
    } catch (err) {
      legacyReason = `rustc refused -C symbol-mangling-version=legacy: ${(err as Error).message.split('\n')[0]}`;
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('demangles v0 names to the paths and types written in the source', () => {
    const names = new Set(v0.map(demangleRust));
    const missing = V0_EXPECTED.filter((e) => !names.has(e));
    expect(missing).toEqual([]);
  });

  it('demangles legacy names to the paths written in the source, without the hash', () => {
    if (legacyReason) {
      console.log(`demangle/rust: ${legacyReason}; checking the standard library's legacy names only`);
      legacy = rustSymbols(join(dir, 'v0')).filter((n) => n.startsWith('_ZN'));
      expect(legacy.length).toBeGreaterThan(0);
      for (const name of legacy) expect(demangleRust(name)).not.toBe(name);
      return;
    }
    const names = new Set(legacy.map(demangleRust));
    const missing = LEGACY_EXPECTED.filter((e) => !names.has(e));
    expect(missing).toEqual([]);
  });

  it.skipIf(!HAVE_CXXFILT)('agrees with c++filt on every Rust symbol of both binaries, up to the long form', () => {
    const all = [...new Set([...v0, ...legacy, ...rustSymbols(join(dir, 'v0'))])];
    const want = execFileSync('c++filt', { input: all.join('\n') + '\n', maxBuffer: 1 << 28 }).toString().split('\n');
    const mismatches: string[] = [];
    let skipped = 0;
    all.forEach((name, i) => {
      const expected = shortForm(want[i]!);
      // c++filt leaves legacy `$u..$` escapes of non-ASCII characters as they are; the source-derived names
      // above cover those.
      if (expected.includes('$u')) {
        skipped++;
        return;
      }
      const got = demangleRust(name).replace(/\.\d+$/, '');
      if (got !== expected) mismatches.push(`${name}\n  c++filt: ${expected}\n  bpfkit:  ${got}`);
    });
    const compared = all.length - skipped;
    console.log(`demangle/rust: ${compared - mismatches.length}/${compared} match c++filt in short form (${skipped} non-ASCII legacy names left to the source check)`);
    if (mismatches.length) console.log(mismatches.slice(0, 20).join('\n'));
    expect(compared).toBeGreaterThan(300);
    expect(mismatches).toEqual([]);
  });
});

describe('demangleRust', () => {
  it('reads legacy escapes', () => {
    expect(demangleRust('_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h0a1b2c3d4e5f6a7bE')).toBe(
      'core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>',
    );
    expect(demangleRust('_ZN55_$LT$demo..Wrapper$u20$as$u20$core..ops..drop..Drop$GT$4drop17h0123456789abcdefE')).toBe(
      '<demo::Wrapper as core::ops::drop::Drop>::drop',
    );
    expect(demangleRust('_ZN4demo3run17he91550161d7b7b46E.llvm.1234567890ABCDEF')).toBe('demo::run');
  });

  it('leaves names that are not Rust unchanged', () => {
    for (const name of ['_ZN3foo3barEv', '_ZN3foo3barE', '_R', '_RNvC', '_RNvCs_4demo', 'main', '_RNvCs_4demo3runX']) {
      expect(demangleRust(name)).toBe(name);
    }
  });

  it('stops at backreference loops and deep nesting', () => {
    // A backreference may only point backwards; one to itself is refused instead of looping.
    expect(demangleRust('_RNvB0_3foo')).toBe('_RNvB0_3foo');
    const deep = '_RINvCs_4demo1f' + 'RR'.repeat(5_000) + 'hE';
    expect(demangleRust(deep)).toBe(deep);
  });
});
