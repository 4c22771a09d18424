import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demangleCpp } from './cpp.js';

// The reference is the c++filt installed here (GNU binutils): every name is demangled by both and compared.

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

const HAVE_CXXFILT = have('c++filt');
const HAVE_GXX = HAVE_CXXFILT && have('g++') && have('nm');
const LIBSTDCXX = '/usr/lib/x86_64-linux-gnu/libstdc++.so.6';
const HAVE_LIBSTDCXX = HAVE_CXXFILT && have('nm') && existsSync(LIBSTDCXX);
if (!HAVE_CXXFILT) console.log('demangle/cpp: skipping c++filt comparisons: c++filt is not installed');
else if (!HAVE_GXX) console.log('demangle/cpp: skipping compiled fixtures: g++ or nm is not installed');
if (HAVE_CXXFILT && !HAVE_LIBSTDCXX) console.log(`demangle/cpp: skipping libstdc++ comparison: ${LIBSTDCXX} not found`);

function cxxfilt(names: string[]): string[] {
  const out = execFileSync('c++filt', { input: names.join('\n') + '\n', maxBuffer: 1 << 28 }).toString();
  return out.split('\n').slice(0, names.length);
}

interface Comparison {
  total: number;
  mismatches: string[];
}

function compare(names: string[]): Comparison {
  const want = cxxfilt(names);
  const mismatches: string[] = [];
  names.forEach((name, i) => {
    const got = demangleCpp(name);
    if (got !== want[i]) mismatches.push(`${name}\n  c++filt: ${want[i]}\n  bpfkit:  ${got}`);
  });
  return { total: names.length, mismatches };
}

function report(what: string, c: Comparison): void {
  const matched = c.total - c.mismatches.length;
  console.log(`demangle/cpp: ${what}: ${matched}/${c.total} match c++filt (${((100 * matched) / c.total).toFixed(2)}%)`);
  if (c.mismatches.length > 0) console.log(c.mismatches.slice(0, 20).join('\n'));
}

/** `_Z` symbols of an object or library, without symbol versions. */
function mangledSymbols(file: string, dynamic: boolean): string[] {
  const args = dynamic ? ['-D', '--defined-only', file] : [file];
  const out = execFileSync('nm', args, { maxBuffer: 1 << 28 }).toString();
  const names = new Set<string>();
  for (const line of out.split('\n')) {
    const name = line.trim().split(/\s+/).pop()?.replace(/@.*$/, '');
    if (name?.startsWith('_Z')) names.add(name);
  }
  return [...names].sort();
}

// Exercises templates, namespaces, operators, lambdas, std containers, constructors and destructors, const and
// ref-qualified methods, function pointers, anonymous namespaces, ABI tags, thunks, guards and TLS wrappers.
// Built at -O2 too, which adds .cold, .constprop and .isra clones.
const SOURCE = String.raw`#include <string>
#include <vector>
#include <map>
#include <unordered_map>
#include <memory>
#include <functional>
#include <tuple>
#include <array>
#include <utility>
#include <cstdio>
namespace outer { namespace inner {
struct Point { int x, y;
  Point() : x(0), y(0) {}
  Point(int a, int b) : x(a), y(b) {}
  ~Point() { std::printf("bye\n"); }
  int sum() const { return x + y; }
  int &ref() & { return x; }
  int &&mv() && { return static_cast<int&&>(x); }
  Point operator+(const Point &o) const { return Point(x + o.x, y + o.y); }
  Point &operator+=(const Point &o) { x += o.x; return *this; }
  bool operator==(const Point &o) const { return x == o.x; }
  bool operator<(const Point &o) const { return x < o.x; }
  int operator[](int i) const { return i ? y : x; }
  int operator()(int a, double b) { return a + int(b); }
  explicit operator bool() const { return x != 0; }
  operator long() const { return x; }
  Point &operator++() { ++x; return *this; }
  Point operator++(int) { Point p = *this; ++x; return p; }
  Point operator-() const { return Point(-x, -y); }
  bool operator!() const { return !x; }
  Point &operator=(const Point &o) { x = o.x; y = o.y; return *this; }
  void *operator new(std::size_t n) { return ::operator new(n); }
  void operator delete(void *p) { ::operator delete(p); }
  void *operator new[](std::size_t n) { return ::operator new(n); }
  void operator delete[](void *p) { ::operator delete(p); }
  static int count;
  virtual void v() {}
};
int Point::count = 3;
template <typename T, int N> struct Box { T items[N]; T get(int i) const { return items[i]; }
  template <typename U> U as(U u) const { return u + static_cast<U>(items[0]); } };
template <typename T> T twice(T v) { return v + v; }
template <typename... Ts> int countof(Ts... ts) { return sizeof...(ts); }
template <typename... Ts> int refs(const Ts &...ts) { return sizeof...(ts); }
template <bool B, char C, unsigned U, long L> int lits() { return B + C + U + L; }
template <typename T> auto declfn(T t) -> decltype(t + 1) { return t + 1; }
template <typename T> auto declfn2(T t) -> decltype(t.sum()) { return t.sum(); }
template <int (*F)(int)> int callit(int v) { return F(v); }
int plain(int v) { return v; }
int fnptr(int (*f)(int), void (*g)(const char *, ...)) { return f(1); }
int memptr(int Point::*m, int (Point::*f)() const, Point &p) { return p.*m + (p.*f)(); }
int arr(int (&a)[4], int (*b)[3], char c[2][5]) { return a[0] + (*b)[0] + c[0][0]; }
int vol(volatile int *v, const volatile char *c, int *__restrict r) { return *v + *c + *r; }
void rv(std::string &&s, std::vector<int> &&v) { s.clear(); v.clear(); }
std::string str(const std::string &s, std::wstring w) { return s + "x"; }
std::map<std::string, std::vector<int>> mapf(std::map<int, std::string> &m) { return {}; }
std::unordered_map<int, std::pair<int, double>> umap(std::unique_ptr<int> p, std::shared_ptr<Point> q) { return {}; }
std::function<int(int, double)> fnobj(std::function<void()> f) { return nullptr; }
std::tuple<int, char, std::string> tup(std::array<int, 3> a) { return {}; }
int (*retfp(int))(double) { return nullptr; }
int fv(void) { return 1; }
int ell(int, ...) { return 2; }
long double ld(long double a, __int128 b, unsigned __int128 c, wchar_t w, char16_t c16, char32_t c32, signed char sc, unsigned char uc, short s, unsigned short us, unsigned long ul, long long ll, unsigned long long ull, float f, double d, bool bb, std::nullptr_t np) { return a; }
inline namespace v1 { int inl(int a) { return a; } }
struct [[gnu::abi_tag("mytag")]] Tagged { int a; };
Tagged tagged(Tagged t) { return t; }
std::string abi_ret(int a) { return std::to_string(a); }
enum class Color { Red, Green };
template <Color C> int enumt() { return (int)C; }
template <typename T> struct Outer { template <typename U> struct In { static U f(T, U u) { return u; } }; };
template <template <typename> class TT> int tt(TT<int> &x) { return 0; }
template <typename T> struct Hold { T t; };
}
namespace { int anon(int a) { static int counter = 0; return a + ++counter; } struct Anon { int f() { return 1; } }; }
}
using namespace outer::inner; using namespace outer;
static int stat_fn(int a) { return a * 3; }
int lam(int z) {
  auto l = [z](int a) { return a + z; };
  auto l2 = [](auto a, auto b) { return a + b; };
  auto l3 = []() { struct Local { int g() { return 7; } }; return Local().g(); };
  static int guarded = outer::inner::twice(z);
  std::function<int(int)> f = l;
  std::vector<std::function<int()>> fs;
  fs.push_back([&] { return l(1); });
  int t = 0;
  for (auto &g : fs) t += g();
  return f(1) + l2(1, 2) + l2(1.0, 2.0) + l3() + guarded + t;
}
struct Base1 { virtual ~Base1() {} virtual int a() { return 1; } };
struct Base2 { virtual ~Base2() {} virtual int b() { return 2; } };
struct Derived : Base1, Base2 { int b() override { return 3; } ~Derived() override {} };
struct VBase { virtual ~VBase() {} virtual int c() { return 4; } };
struct VDer : virtual VBase { int c() override { return 5; } };
thread_local int tls = 5;
int use_tls() { return tls; }
__attribute__((noinline, cold)) void cold_path(int x) { std::printf("cold %d\n", x); }
__attribute__((noinline)) static int cp(int a, int b) { if (a > 100) cold_path(a); return a * b + outer::inner::countof(a, b, 1.0); }
template <typename T> int lamg(T t) { return (int)t; }
int generic_lambdas() {
  auto a = []<typename T>(T x) { return lamg(x); };
  auto b = []<int N>() { return N; };
  auto c = [](auto... xs) { return sizeof...(xs); };
  auto d = []<typename T, typename U>(T t, U u) { return t + u; };
  return a(1) + a(2.0) + b.operator()<3>() + c(1, 2) + d(1, 2L);
}
int main(int argc, char **argv) {
  Point p(1, 2), q;
  p += q; p = p + q; (void)(p == q); (void)(p < q); (void)p[1]; (void)p(1, 2.0); (void)bool(p); (void)long(p);
  ++p; p++; (void)-p; (void)!p; p.ref(); Point(3, 4).mv(); (void)p.sum();
  Point *pp = new Point; delete pp; Point *pa = new Point[2]; delete[] pa;
  Box<int, 4> b{}; b.get(0); b.as<double>(1.5); Box<Point *, 2> bp{}; bp.get(1);
  twice(1); twice(2.0); twice(std::string("a"));
  countof(); countof(1, 'c', 2.0); refs(1, std::string("x")); lits<true, 'a', 5u, -7L>();
  declfn(1); declfn2(p); callit<plain>(3); fnptr(plain, nullptr); memptr(&Point::x, &Point::sum, p);
  int a4[4] = {}; int a3[3] = {}; char c25[2][5] = {}; arr(a4, &a3, c25);
  int vv = 0; char cc = 0; vol(&vv, &cc, &vv); rv(std::string(), std::vector<int>());
  str("a", L"b"); std::map<int, std::string> m; mapf(m); umap(nullptr, nullptr); fnobj(nullptr); tup({});
  retfp(1); fv(); ell(1, 2); ld(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, nullptr); inl(1); tagged({});
  abi_ret(1); enumt<Color::Green>(); Outer<int>::In<char>::f(1, 'c'); Hold<int> h; (void)h;
  anon(1); Anon().f(); stat_fn(argc); lam(argc); Derived d; d.b(); Base2 *b2 = &d; b2->b(); VDer vd; vd.c();
  use_tls(); return cp(argc, 3) + Point::count;
}
`;

describe.skipIf(!HAVE_GXX)('demangleCpp against c++filt on compiled C++', () => {
  let dir = '';
  const symbols = new Set<string>();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfkit-demangle-'));
    writeFileSync(join(dir, 't.cpp'), SOURCE);
    for (const opt of ['-O0', '-O2']) {
      const obj = join(dir, `t${opt}.o`);
      execFileSync('g++', ['-std=c++20', opt, '-c', join(dir, 't.cpp'), '-o', obj]);
      for (const name of mangledSymbols(obj, false)) symbols.add(name);
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('demangles every _Z symbol exactly as c++filt does', () => {
    const names = [...symbols];
    // The fixture must produce the constructs it is meant to cover.
    expect(names.some((n) => n.includes('.cold'))).toBe(true);
    expect(names.some((n) => n.includes('.constprop.'))).toBe(true);
    expect(names.some((n) => n.includes('Ul'))).toBe(true);
    expect(names.some((n) => n.includes('B5cxx11'))).toBe(true);
    expect(names.some((n) => n.includes('12_GLOBAL__N_1'))).toBe(true);
    expect(names.some((n) => n.startsWith('_ZTh'))).toBe(true);
    expect(names.some((n) => n.includes('UlDpT_E'))).toBe(true);
    const c = compare(names);
    report('g++ fixture (-O0 and -O2)', c);
    expect(c.total).toBeGreaterThan(500);
    expect(c.mismatches).toEqual([]);
  });
});

describe.skipIf(!HAVE_LIBSTDCXX)('demangleCpp against c++filt on libstdc++', () => {
  it('matches c++filt on at least 99% of the exported _Z symbols', () => {
    const c = compare(mangledSymbols(LIBSTDCXX, true));
    report('libstdc++.so.6', c);
    expect(c.total).toBeGreaterThan(1000);
    expect(c.total - c.mismatches.length).toBeGreaterThanOrEqual(Math.ceil(c.total * 0.99));
  });
});

describe.skipIf(!HAVE_CXXFILT || !have('nm'))('demangleCpp against c++filt on the node binary', () => {
  // V8 and Node.js: tens of thousands of heavily templated names, SFINAE expressions and lambdas.
  it('matches c++filt on at least 99.9% of its exported _Z symbols', () => {
    const names = mangledSymbols(process.execPath, true);
    if (names.length === 0) {
      console.log(`demangle/cpp: skipping node binary comparison: ${process.execPath} exports no _Z symbols`);
      return;
    }
    const c = compare(names);
    report(process.execPath, c);
    expect(c.total - c.mismatches.length).toBeGreaterThanOrEqual(Math.ceil(c.total * 0.999));
  });
});

describe.skipIf(!HAVE_CXXFILT)('demangleCpp against c++filt on hand-written names', () => {
  // Constructs the compiled fixtures do not all reach: literals, expressions in decltype, packs, special names,
  // declarators, and names c++filt refuses (which must come back unchanged).
  const NAMES = [
    '_Z1fPVKi', '_ZNKR1A1fEv', '_ZNKO1A1fEv', '_Z1fIJidEEvDpT_', '_Z1fIJEEvDpT_', '_Z1fIJidEEvDpRKT_',
    '_Z1fIiEDTplfp_fp_ET_', '_Z1fIiEDTgtfp_fp_ET_', '_Z1fIiEDTclfp_EET_', '_Z1fILDnEEvv', '_Z1fILb1EEvv',
    '_Z1fILin5EEvv', '_Z1fILj5EEvv', '_Z1fILl5EEvv', '_Z1fILs5EEvv', '_Z1fILf3f800000EEvv', '_Z1fIXadL_Z3foovEEEvv',
    '_Z1fIL_Z3foovEEvv', '_ZGR1a_', '_ZTC1A0_1B', '_ZZ1fvE1a_0', '_ZZ1fvEN1a1bE', '_ZZ1fvEs', '_ZN1AcvT_IiEEv',
    '_ZN1AIiEcvT_IcEEv', '_ZZ1fvENKUliE_clEi', '_ZZ1fvENKUlT_E_clIiEEDaS_', '_Z1fPFivE', '_Z1fPA3_i', '_Z1fRA3_i',
    '_Z1fM1AFivE', '_Z1fM1AKFivE', '_Z1fM1Ai', '_Z1fSs', '_Z1fSaIcE', '_Z1fA3_A4_i', '_Z1fPFPFivEvE',
    '_ZN1AC1Ev.isra.0.cold', '_Z1fDv4_i', '_Z1fU3fooi', '_ZL3foov', '_ZN1A1fIiEET_v', '_Z1fIiEDTcvT_fp_ET_',
    '_Z1fIiEDTstT_ET_', '_Z1fIiEDTszfp_ET_', '_Z1fIiEDTdtfp_1xET_', '_Z1fIiEDTptfp_1xET_', '_Z1fIiEDTsrT_1xET_',
    '_Z1fIiEDTngfp_ET_', '_Z1fIiEDTixfp_Li0EET_', '_Z1fIiEDTquLb1Efp_fp_ET_', '_Z1fIiEDTcl1gfp_EET_',
    '_Z1fIiEDTcldtfp_1gEET_', '_Z1fIiEDtfp_ET_', '_Z1fIiEDTnw_T_EET_', '_Z1fIiEDTscT_fp_ET_', '_Z1fIiEDTtlT_EET_',
    '_Z1fIiEDTcvT__EET_', '_Z1fIiEDTfpTET_', '_Z1fIiEDTspfp_ET_', '_Z1fIiEDTsZT_ET_', '_Z1fIiEDTadsr1A1fET_',
    '_Z1fDn', '_Z1fDa', '_Z1fDs', '_Z1fDi', '_Z1fDu', '_Z1fg', '_Z1fn', '_Z1fo', '_Z1fe', '_Z1fDF16_', '_Z1fz',
    '_ZThn8_N1A1fEv', '_ZTv0_n24_N1A1fEv', '_ZTch0_h0_N1A1fEv', '_ZGVZ1fvE1a', '_ZTHN1A1aE', '_ZTWN1A1aE',
    '_ZTIi', '_ZTSi', '_ZTV1A', '_ZTT1A', '_ZN12_GLOBAL__N_11fEv', '_ZUt_', '_ZN1AUt0_E', '_ZN1AUlvE0_E',
    '_ZZ1fvENUlvE_D1Ev', '_ZNSolsEi', '_ZNSiD0Ev', '_ZNSdC1Ev', '_ZNSbIwSt11char_traitsIwESaIwEEC1Ev',
    '_ZN1AdlEPv', '_ZN1AnaEm', '_ZN1AcvPFivEEv', '_ZN1Ali2_xEv', '_ZN1Av41xEv', '_Z1fPKFvvE', '_Z1fRKFvvE',
    '_Z1fFvvRE', '_Z1fOi', '_Z1fROi', '_ZN1AssERKS_', '_ZDC1a1bE', '_ZN1ADC1a1bEE', '_Z1fIiEvT_PS0_',
    '_Z1fIJEiEvv', '_Z1gIJEEvDpT_i', '_ZZZ1fIiEvvE1gIcEvvE1a', '_Z1fIXadL_ZN1A3fooEvEEEvv', '_Z1fIJicEEvT_DpT_T_',
    '_Z1fIiEvDpPT_', '_Z1fIiEPFivEv', '_Z1fIiEPA3_iv', '_Z1fIiERKPFivEv', '_Z1fIiEM1AFivEv', '_ZN1AI1BEC1Ev',
    '_ZN1AB3fooC1Ev', '_Z1fM1AKFvvES0_', '_Z1fM1AKFvvES1_', '_Z1fKFvvES_',
    // Not demangled by c++filt either.
    '_Z', '_ZN', '_Z1', '_Z1f', '_ZN1AE', '_Z1fIiE', '_ZSt', '_Z1fS_', '_Z1fT_', '_Z1fv.', '_Z1fv.C', '_Z3foo',
  ];

  it('prints what c++filt prints', () => {
    const c = compare(NAMES);
    report('hand-written names', c);
    expect(c.mismatches).toEqual([]);
  });
});

describe('demangleCpp limits', () => {
  it('returns names that are not Itanium C++ unchanged', () => {
    for (const name of ['main', '', 'foo::bar', '_R', '__Z3foov', 'Z3foov']) expect(demangleCpp(name)).toBe(name);
  });

  it('gives up on names nested beyond its depth limit instead of overflowing the stack', () => {
    const deep = '_Z1f' + 'P'.repeat(100_000) + 'i';
    expect(demangleCpp(deep)).toBe(deep);
    const nested = '_Z1f' + '1AI'.repeat(2_000) + 'i' + 'E'.repeat(2_000) + 'v';
    expect(demangleCpp(nested)).toBe(nested);
  });

  it('gives up when substitutions would make the output explode', () => {
    // Each parameter is a pointer to an array of the previous one: the text doubles with every step.
    let name = '_Z1fA1_i';
    for (let i = 0; i < 40; i++) name += `A1_S${i === 0 ? '' : (i - 1).toString(36).toUpperCase()}_`;
    expect(typeof demangleCpp(name)).toBe('string');
    const pack = '_Z1fIJ' + 'i'.repeat(2_000) + 'EEv' + 'DpT_'.repeat(200);
    expect(demangleCpp(pack)).toBe(pack);
  });
});
