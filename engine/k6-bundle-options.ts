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

export const K6_EXTERNALS = ['k6', 'k6/*'];

export function k6BundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: K6_EXTERNALS,
    sourcemap: 'inline',
    logLevel: 'silent',
    // k6 resolves no packages at run time: all of ours are inlined.
    mainFields: ['module', 'main'],
  };
}
