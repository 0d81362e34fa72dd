/**
 * Turning a k6 script (.ts or .js) into code: the ESM bundle real k6 runs, and
 * the per-VU factory the embedded engine runs.
 *
 * Both start from the same esbuild options (k6-bundle-options.ts), so both
 * engines execute the same program. The factory differs only in its module
 * format: CommonJS, so that the `k6/*` imports become calls of a `require`
 * we hand to each VU, and the whole module body sits inside one function that
 * we call once per VU (k6 gives each VU its own JS runtime; a function scope
 * per VU gives the same isolation of top-level variables at a fraction of the
 * memory).
 */
import { build, type Message } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { k6BundleOptions } from './k6-bundle-options.ts';
import { K6_EXIT_CODES, K6RunError } from './exit-codes.ts';

/**
 * Bundles a k6 script with the shared k6 options (ES module, `k6` and `k6/*`
 * external) and returns the path of the bundle, ready for `k6 run`.
 */
export async function bundleScript(entry: string, outfile?: string): Promise<string> {
  const abs = resolve(entry);
  const out = outfile
    ? resolve(outfile)
    : join(tmpdir(), 'acgs-load-k6', `${basename(abs, extname(abs))}-${process.pid}.js`);
  mkdirSync(dirname(out), { recursive: true });
  try {
    await build(k6BundleOptions(abs, out));
  } catch (e) {
    throw scriptBuildError(abs, e);
  }
  return out;
}

/**
 * The names a script sees as globals that change per VU or per iteration.
 * esbuild `define` rewrites them into reads of the per-VU `__k6vu` object, so
 * one compiled program serves every VU (`Math.random` too: `randomSeed` seeds
 * one VU's generator, as in k6).
 */
export const VU_DEFINES: Record<string, string> = {
  __VU: '__k6vu.vu',
  __ITER: '__k6vu.iter',
  __ENV: '__k6vu.env',
  'Math.random': '__k6vu.random',
};

/** Parameters of the factory function, in order (see script-program.ts). */
export const FACTORY_PARAMS = [
  'require',
  'module',
  'exports',
  '__k6vu',
  'open',
  'console',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
];

/** The bundled script as the source of one factory function expression. */
export async function buildFactorySource(entry: string): Promise<string> {
  const abs = resolve(entry);
  let code: string;
  try {
    const result = await build({
      ...k6BundleOptions(abs, join(dirname(abs), '__k6_factory.js')),
      write: false,
      format: 'cjs',
      define: VU_DEFINES,
      // Remote modules (jslib.k6.io) cannot be fetched here: keep them
      // external so `require` can explain that instead of esbuild failing.
      external: ['k6', 'k6/*', 'https://*', 'http://*'],
    });
    code = result.outputFiles![0].text;
  } catch (e) {
    throw scriptBuildError(abs, e);
  }
  // The prefix stays on the first line so line numbers of the bundle hold.
  return `(function (${FACTORY_PARAMS.join(', ')}) {${code}\n})`;
}

/** A build failure as k6 reports a script error: exit 107, with file:line. */
function scriptBuildError(entry: string, e: unknown): K6RunError {
  const errors = ((e as { errors?: Message[] }).errors ?? []).map((m) => {
    const loc = m.location ? `${resolve(m.location.file)}:${m.location.line}:${m.location.column + 1}: ` : '';
    return `${loc}${m.text}`;
  });
  const first = errors[0] ?? String((e as Error)?.message ?? e);
  return new K6RunError(
    K6_EXIT_CODES.SCRIPT_EXCEPTION,
    `could not load the script ${entry}: ${first}`,
    errors.slice(1),
    e,
  );
}
