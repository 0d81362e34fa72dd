/**
 * The one set of esbuild options that turns a k6 script (TypeScript or
 * JavaScript) into a bundle `k6 run` executes unchanged. The scenarios' build
 * (`npm run build:k6`) and the embedded engine's loader both use it, so both
 * engines run byte-for-byte the same code.
 *
 * k6 runs ES modules with its own `k6` and `k6/*` built-ins; everything else
 * must be inlined. Source maps are inline so stack traces point at the .ts file
 * (k6 reads inline source maps with `--include-system-env-vars`-free defaults).
 */
import type { BuildOptions } from 'esbuild';
import { configSchema } from '../config/index.ts';

export const K6_EXTERNALS = ['k6', 'k6/*'];

/**
 * Constants the scenarios' helpers read at build time: the report's targets are
 * the configuration's defaults (scenarios/lib/thresholds.ts REPORT_TARGETS), so
 * the numbers exist once, in config/schema.ts. Unused identifiers cost nothing.
 */
export function k6BuildDefines(): Record<string, string> {
  // The subset the scripts judge (pool efficiency is judged outside k6).
  const { avgQueryMs, cacheHitRate, redisOpMs, successRate, queryTypes, percentiles } = configSchema.parse({}).targets;
  return {
    __ACGS_REPORT_TARGETS__: JSON.stringify({
      avgQueryMs,
      cacheHitRate,
      redisOpMs,
      successRate,
      queryTypes,
      percentiles,
    }),
  };
}

export function k6BundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: K6_EXTERNALS,
    define: k6BuildDefines(),
    sourcemap: 'inline',
    logLevel: 'silent',
    // k6 resolves no packages at run time: all of ours are inlined.
    mainFields: ['module', 'main'],
  };
}
