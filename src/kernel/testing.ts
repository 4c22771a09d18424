// Helpers for kernel tests: skip with the reason when this kernel lacks a feature, and mount what tests need.
import type { Feature } from './features.js';
import { tracefsRoot } from '../tracefs/index.js';

/**
 * For `it.skipIf(skipUnless(haveX()))`: false when the feature works, else the reason (printed, so that a skipped
 * test says why in the run's output).
 */
export function skipUnless(feature: Feature | (() => Feature), what?: string): string | false {
  const f = typeof feature === 'function' ? feature() : feature;
  if (f.ok) return false;
  const reason = `${what ?? f.name} is not supported here: ${f.reason}`;
  console.warn(`skipping: ${reason}`);
  return reason;
}

/** Mounts tracefs at /sys/kernel/tracing when it is not mounted anywhere (tests run as root); returns its root. */
export function ensureTracefs(): string {
  return tracefsRoot();
}
