// Config: merges the script's `config = { ... }` block with the environment's BPFTRACE_<NAME> settings (the
// environment wins, as in bpftrace) into the artifact's config, with bpftrace's defaults.
import type { ArtifactConfig } from '../codegen/artifact.js';
import type { StackMode } from '../types.js';
import { missingIncludes, systemIncludeDirs } from '../c-types.js';
import { rangeOf } from '../source.js';
import type { CompileContext } from './context.js';

// Old names bpftrace still accepts, with a warning that names the new one.
const RENAMED: Record<string, string> = { strlen: 'max_strlen', no_cpp_demangle: 'cpp_demangle', cat_bytes_max: 'max_cat_bytes', map_keys_max: 'max_map_keys' };
const KNOWN = new Set([
  'max_strlen', 'stack_mode', 'print_maps_on_exit', 'max_map_keys', 'perf_rb_pages', 'log_size', 'max_bpf_progs', 'max_probes',
  'on_stack_limit', 'missing_probes', 'cache_user_symbols', 'cpp_demangle', 'lazy_symbolication', 'show_debug_info',
  'max_cat_bytes', 'license', 'use_blazesym', 'str_trunc_trailer',
]);
// Accepted and ignored, with a warning.
const DEPRECATED = new Set(['symbol_source', 'max_type_res_iterations', 'unstable_addr', 'unstable_import', 'unstable_macro', 'unstable_map_decl']);
// Read by other parts of bpftrace from the environment only.
const ENV_ONLY = new Set(['btf', 'kernel_build', 'kernel_source', 'vmlinux']);

export function defaultConfig(): ArtifactConfig {
  // bpftrace sizes its ring buffer from available memory, capped at 16544 KiB, rounded to a power of two of
  // pages: 4096 pages (16 MiB) on any machine with that much free.
  return { maxStrlen: 1024, stackMode: 'bpftrace', printMapsOnExit: true, maxMapKeys: 4096, perfRbPages: 4096, unsafe: false, raw: {} };
}

export function analyseConfig(ctx: CompileContext): void {
  checkIncludes(ctx);
  const raw: Record<string, string | number | boolean> = {};
  for (const e of ctx.program.config?.entries ?? []) {
    if (DEPRECATED.has(e.key)) {
      ctx.diagnostics.warning(`${e.key} is deprecated and has no effect`, e.range);
      continue;
    }
    let key = e.key.toLowerCase().replace(/^bpftrace_/, '');
    const renamed = RENAMED[key];
    if (renamed !== undefined) {
      ctx.diagnostics.warning(`${e.key} has been renamed, please use ${renamed}`, e.range);
      key = renamed;
    }
    if (!KNOWN.has(key)) {
      const why = ENV_ONLY.has(key) ? 'can only be set as an environment variable' : 'not a known configuration option';
      ctx.diagnostics.error(`${e.key}: ${why}`, e.range);
      continue;
    }
    raw[key] = typeof e.value === 'bigint' ? Number(e.value) : e.value;
  }
  // The environment is read after the script's block, so BPFTRACE_<NAME> wins, as in bpftrace.
  for (const [k, v] of Object.entries(ctx.options.config ?? {})) raw[RENAMED[k] ?? k] = v;
  checkLicense(ctx, raw);
  const c = defaultConfig();
  const num = (k: string, d: number): number => {
    const v = raw[k];
    if (v === undefined) return d;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) && n >= 0 ? n : d;
  };
  const bool = (k: string, d: boolean): boolean => {
    const v = raw[k];
    if (v === undefined) return d;
    if (typeof v === 'boolean') return v;
    return v === 1 || v === '1' || v === 'true';
  };
  const mode = String(raw['stack_mode'] ?? c.stackMode);
  // build_id added for ustack(build_id); the message is bpftrace master's.
  if (mode !== 'bpftrace' && mode !== 'perf' && mode !== 'raw' && mode !== 'build_id') ctx.diagnostics.error(`Invalid value for stack_mode: valid values are bpftrace, raw, perf, and build_id`);
  ctx.config = {
    maxStrlen: num('max_strlen', c.maxStrlen),
    stackMode: (mode === 'perf' || mode === 'raw' || mode === 'build_id' ? mode : 'bpftrace') as StackMode,
    printMapsOnExit: bool('print_maps_on_exit', c.printMapsOnExit),
    maxMapKeys: num('max_map_keys', c.maxMapKeys),
    perfRbPages: powerOfTwo(Math.max(1, num('perf_rb_pages', c.perfRbPages) || c.perfRbPages)),
    unsafe: ctx.options.unsafe ?? false,
    raw,
  };
}

// The licenses the kernel counts as GPL-compatible, in the order bpftrace lists them.
const LICENSES = ['Dual MIT/GPL', 'Dual BSD/GPL', 'Dual MPL/GPL', 'GPL and additional rights', 'GPL v2', 'GPL'];

function checkLicense(ctx: CompileContext, raw: Record<string, string | number | boolean>): void {
  const value = raw['license'];
  if (value === undefined || LICENSES.includes(String(value))) return;
  // The script's entry is the place to point at unless the environment set the value.
  const fromEnv = Object.keys(ctx.options.config ?? {}).includes('license');
  const entry = fromEnv ? undefined : ctx.program.config?.entries.find((e) => e.key.toLowerCase().replace(/^bpftrace_/, '') === 'license');
  ctx.diagnostics.error(`Invalid value for license. Found: ${String(value)}. Valid values: ${LICENSES.join(', ')}`, entry?.range);
}

// Here, first, because a missing header stops bpftrace before anything else is looked at (its clang parse of the
// preamble fails), and so does a struct it cannot complete. -I directories come before the system ones.
function checkIncludes(ctx: CompileContext): void {
  const extra = ctx.options.includeDirs ?? [];
  for (const m of missingIncludes(ctx.program.c, [...extra, ...systemIncludeDirs()])) {
    const r = m.directive.range;
    const at = r.start + m.column;
    ctx.diagnostics.error(`'${m.header}' file not found`, rangeOf(r.file, at, Math.min(r.end, at + m.header.length + 2)));
  }
  // The preamble's structs must be complete, as clang requires when bpftrace compiles them.
  if (ctx.program.c.some((d) => d.kind === 'CDefinition')) {
    for (const e of ctx.scriptTypes().errors) ctx.diagnostics.error(e.message, e.definition.range);
  }
}

/** The power of two nearest n (the ring buffer's size must be one). */
function powerOfTwo(n: number): number {
  const lo = 2 ** Math.floor(Math.log2(n));
  return n - lo < lo * 2 - n ? lo : lo * 2;
}
