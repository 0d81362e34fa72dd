// The compiled CLI: esbuild bundles the TypeScript entry points into dist/ once
// (npm ci runs it through `prepare`), so every start runs JavaScript instead of
// compiling the sources again. A bundle older than any source is rebuilt before
// it runs, with a one-line notice: never a silent run of old code.
//
// The bundles sit one folder below the project root, as the sources do, so
// paths the code computes from import.meta.url (`../config/profiles`,
// `./copy-worker.mjs`) mean the same in both. Packages stay external: they load
// from node_modules as they do for the sources.
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import LAYERS from './layers.cjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// ACGS_DIST_NAME: another folder of the root for the bundles (the build's own tests use one, // the dist/ other tests run from); it stays one level below the root, as the paths above need.
const DIST = join(ROOT, process.env.ACGS_DIST_NAME ?? 'dist');

/** Entry points: the command line and the API's process (code split: a command loads only what it uses), and the worker threads (the seeder's, a sync k6 script's VUs). */
const SPLIT_ENTRIES = { cli: 'cli/main.ts', 'api-child': 'api/child.ts' };
const WORKER_ENTRIES = { 'copy-worker': 'seed/copy-worker.ts', 'vu-worker': 'engine/sync/vu-worker.ts' };
const OUTPUTS = ['cli.js', 'api-child.js', 'copy-worker.mjs', 'vu-worker.mjs'];

/** Folders whose TypeScript ends up in a bundle (the scenarios' helpers too: the CLI reads ladder steps). */
const SOURCE_DIRS = Object.keys(LAYERS);

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(ROOT, d));
  return newest;
}

function bundleTime(file) {
  try {
    return statSync(join(DIST, file)).mtimeMs;
  } catch {
    return 0;
  }
}

const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
};

/**
 * Builds every bundle into a folder of its own, then moves the files into
 * dist/: the chunks first (new hashed names nobody reads yet), the entry files
 * last, each by rename, so a start that races a rebuild reads whole files.
 * Chunks sit in dist/ beside the entries, one folder below the root.
 */
export async function buildApp({ prune = false } = {}) {
  const { build } = await import('esbuild'); // only when building: loading it costs a start more than the rest
  const tmp = join(DIST, `.build-${process.pid}-${Date.now()}`);
  try {
    await build({
      ...COMMON,
      entryPoints: entries(SPLIT_ENTRIES),
      outdir: tmp,
      splitting: true,
      chunkNames: 'chunk-[hash]',
    });
    await build({ ...COMMON, entryPoints: entries(WORKER_ENTRIES), outdir: tmp, outExtension: { '.js': '.mjs' } });
    const built = readdirSync(tmp);
    const order = (f) => (OUTPUTS.includes(f) ? 1 : 0);
    for (const f of built.sort((a, b) => order(a) - order(b))) renameSync(join(tmp, f), join(DIST, f));
    // chunks of earlier builds: only on an explicit build, never under a running command
    if (prune)
      for (const f of readdirSync(DIST)) if (/^chunk-.*\.js$/.test(f) && !built.includes(f)) rmSync(join(DIST, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function entries(map) {
  return Object.fromEntries(Object.entries(map).map(([out, src]) => [out, join(ROOT, src)]));
}

/** The path of a fresh bundle (`cli.js`, `api-child.js`), rebuilding all of them first when a source is newer. */
export async function freshBundle(name) {
  const oldest = Math.min(...OUTPUTS.map(bundleTime));
  if (oldest === 0 || oldest < newestSource()) {
    const t0 = performance.now();
    await buildApp();
    const why = oldest === 0 ? 'no compiled bundle yet' : 'sources changed since the last build';
    process.stderr.write(
      `acgs-load: ${why}; compiled ${relative(process.cwd(), DIST)}/ in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
  return join(DIST, name);
}

// `node bin/build.js`: build now (npm's prepare and the test command run it).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  await buildApp({ prune: true });
  process.stdout.write(
    `acgs-load build: ${OUTPUTS.join(', ')} and their chunks in dist/ (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
}
