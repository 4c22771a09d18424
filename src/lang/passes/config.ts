// Config: merges the command line's settings with the script's `config = { ... }` block (the script wins, as
// in bpftrace) into the artifact's config, with bpftrace's defaults.
import type { ArtifactConfig } from '../codegen/artifact.js';
import type { StackMode } from '../types.js';
import type { CompileContext } from './context.js';

const ALIASES: Record<string, string> = { strlen: 'max_strlen', map_keys_max: 'max_map_keys' };
const KNOWN = new Set([
  'max_strlen', 'stack_mode', 'print_maps_on_exit', 'max_map_keys', 'perf_rb_pages', 'log_size', 'max_bpf_progs', 'max_probes',
  'on_stack_limit', 'missing_probes', 'cache_user_symbols', 'cpp_demangle', 'lazy_symbolication', 'show_debug_info', 'symbol_source',
  'max_cat_bytes', 'max_type_res_iterations', 'license', 'unstable_map_decl', 'unstable_import', 'use_blazesym', 'print_maps_on_exit',
]);

export function defaultConfig(): ArtifactConfig {
  // bpftrace sizes its ring buffer from available memory, capped at 16544 KiB, rounded to a power of two of
  // pages: 4096 pages (16 MiB) on any machine with that much free.
  return { maxStrlen: 1024, stackMode: 'bpftrace', printMapsOnExit: true, maxMapKeys: 4096, perfRbPages: 4096, unsafe: false, raw: {} };
}

export function analyseConfig(ctx: CompileContext): void {
  const raw: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(ctx.options.config ?? {})) raw[ALIASES[k] ?? k] = v;
  for (const e of ctx.program.config?.entries ?? []) {
    let key = e.key.toLowerCase().replace(/^bpftrace_/, '');
    key = ALIASES[key] ?? key;
    if (!KNOWN.has(key)) {
      ctx.diagnostics.error(`Unrecognized config variable: ${e.key}`, e.range);
      continue;
    }
    raw[key] = typeof e.value === 'bigint' ? Number(e.value) : e.value;
  }
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
  if (mode !== 'bpftrace' && mode !== 'perf' && mode !== 'raw') ctx.diagnostics.error(`Invalid value for stack_mode: valid values are bpftrace, perf, and raw`);
  ctx.config = {
    maxStrlen: num('max_strlen', c.maxStrlen),
    stackMode: (mode === 'perf' || mode === 'raw' ? mode : 'bpftrace') as StackMode,
    printMapsOnExit: bool('print_maps_on_exit', c.printMapsOnExit),
    maxMapKeys: num('max_map_keys', c.maxMapKeys),
    perfRbPages: powerOfTwo(Math.max(1, num('perf_rb_pages', c.perfRbPages) || c.perfRbPages)),
    unsafe: ctx.options.unsafe ?? false,
    raw,
  };
}

/** The power of two nearest n (the ring buffer's size must be one). */
function powerOfTwo(n: number): number {
  const lo = 2 ** Math.floor(Math.log2(n));
  return n - lo < lo * 2 - n ? lo : lo * 2;
}
