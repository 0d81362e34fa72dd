/**
 * The k6 build: bundles every scenarios/*.ts with the shared k6 options
 * (engine/k6-bundle-options.ts: ES module, `k6` and `k6/*` external, inline
 * source maps) into dist/k6/<name>.js, which `k6 run` executes unchanged.
 *
 * `npm run build:k6` runs this file; `acgs-load scenario run` calls
 * {@link ensureBundle} to rebuild a bundle that is missing or older than its
 * sources. A broken scenario fails the build with esbuild's message (exit 1),
 * so it fails `npm ci` and CI.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AcgsError } from '../config/index.ts';
import { k6BundleOptions } from './k6-bundle-options.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** scenarios/ (the sources). */
export const SCENARIOS_DIR = join(ROOT, 'scenarios');
/** dist/k6/ (the bundles). */
export const K6_DIST_DIR = join(ROOT, 'dist', 'k6');

/** Names of the scenarios: scenarios/<name>.ts, sorted. */
export function scenarioNames(dir = SCENARIOS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** Path of a scenario's bundle. */
export function bundlePath(name: string, outDir = K6_DIST_DIR): string {
  return join(outDir, `${name}.js`);
}

/** Newest modification time of the scenario sources (scripts and lib/), in ms. */
export function newestSourceMtime(dir = SCENARIOS_DIR): number {
  let newest = 0;
  for (const sub of [dir, join(dir, 'lib')]) {
    if (!existsSync(sub)) continue;
    for (const f of readdirSync(sub)) {
      if (f.endsWith('.ts')) newest = Math.max(newest, statSync(join(sub, f)).mtimeMs);
    }
  }
  // The bundle options are part of the build's input too.
  return Math.max(newest, statSync(join(ROOT, 'engine', 'k6-bundle-options.ts')).mtimeMs);
}

/** Bundles one scenario; throws SCRIPT_ERROR with esbuild's messages on failure. */
export async function buildScenario(name: string, outDir = K6_DIST_DIR, dir = SCENARIOS_DIR): Promise<string> {
  const entry = join(dir, `${name}.ts`);
  const out = bundlePath(name, outDir);
  mkdirSync(outDir, { recursive: true });
  try {
    await build(k6BundleOptions(entry, out));
  } catch (e) {
    const errors =
      (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> })
        .errors ?? [];
    const details = errors.map((m) =>
      m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text,
    );
    throw new AcgsError('SCRIPT_ERROR', `scenario '${name}' does not build: ${details[0] ?? (e as Error).message}`, {
      details: details.slice(1),
      hint: `fix scenarios/${name}.ts (run \`npm run typecheck:k6\` for type errors)`,
      cause: e,
    });
  }
  return out;
}

/** Bundles every scenario; returns their bundle paths. */
export async function buildAll(outDir = K6_DIST_DIR, dir = SCENARIOS_DIR): Promise<string[]> {
  const out: string[] = [];
  for (const name of scenarioNames(dir)) out.push(await buildScenario(name, outDir, dir));
  return out;
}

/** The scenario's bundle, rebuilt first when missing or older than any source. */
export async function ensureBundle(name: string, outDir = K6_DIST_DIR, dir = SCENARIOS_DIR): Promise<string> {
  const out = bundlePath(name, outDir);
  if (existsSync(out) && statSync(out).mtimeMs >= newestSourceMtime(dir)) return out;
  return buildScenario(name, outDir, dir);
}

/** {@link ensureBundle} for the default folders (the run pipeline's name for it). */
export function ensureScenarioBundle(name: string): Promise<string> {
  return ensureBundle(name);
}

/** Module specifiers a bundle imports (static `import ... from` and `import "..."`, and dynamic `import("...")`). */
export function importedModules(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bimport\s+(?:[\w*${}\s,]+?\s+from\s+)?["']([^"']+)["']/g,
    /\bexport\s+[\w*${}\s,]+?\s+from\s+["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (let m = re.exec(code); m; m = re.exec(code)) found.add(m[1]);
  return [...found].sort();
}

/** The one-line description a scenario exports (`export const description = '...'`), or its first doc line. */
export function scenarioDescription(name: string, dir = SCENARIOS_DIR): string {
  const src = readFileSync(join(dir, `${name}.ts`), 'utf8');
  const m = /export\s+const\s+description\s*=\s*(['"`])((?:\\.|(?!\1).)*)\1/.exec(src);
  if (m) return m[2].replace(/\\(.)/g, '$1');
  const doc = /\/\*\*\s*\n?\s*\*?\s*([^\n]+)/.exec(src);
  return doc ? doc[1].trim() : '';
}

const invokedDirectly = process.argv[1] && /k6-build\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  buildAll().then(
    (paths) => process.stdout.write(`k6 build: ${paths.length} bundles in ${K6_DIST_DIR}\n`),
    (e) => {
      process.stderr.write(`${e instanceof AcgsError ? e.format() : (e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
