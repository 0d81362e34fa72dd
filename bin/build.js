// The compiled CLI: esbuild bundles the TypeScript entry points into dist/ once
// (npm ci runs it through `prepare`), so every start runs JavaScript instead of
// compiling the sources again. A bundle older than any source is rebuilt before
// it runs, with a one-line notice: never a silent run of old code.
//
// The bundles sit one folder below the project root, as the sources do, so
// paths the code computes from import.meta.url (`../config/profiles`,
// `./copy-worker.mjs`) mean the same in both. Packages stay external: they load
// from node_modules as they do for the sources.
import { build } from 'esbuild';
import { readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/** Entry points: the command line, the API's process, the seeder's worker thread. */
const ENTRIES = {
  'cli.js': 'cli/main.ts',
  'api-child.js': 'api/child.ts',
  'copy-worker.mjs': 'seed/copy-worker.ts',
};

/** Folders whose TypeScript ends up in a bundle (the scenarios' helpers too: the CLI reads ladder steps). */
const SOURCE_DIRS = [
  'config',
  'services',
  'schema',
  'seed',
  'api',
  'engine',
  'checks',
  'measure',
  'faults',
  'report',
  'run',
  'cli',
  'scenarios',
];

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

/** Builds every bundle (each written to a temporary name, then renamed: concurrent starts never read half a file). */
export async function buildApp() {
  const tag = `.tmp-${process.pid}-${Date.now()}`;
  await Promise.all(
    Object.entries(ENTRIES).map(async ([out, entry]) => {
      const outfile = join(DIST, out);
      await build({
        entryPoints: [join(ROOT, entry)],
        outfile: outfile + tag,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        sourcemap: 'inline',
        logLevel: 'warning',
      });
      renameSync(outfile + tag, outfile);
    }),
  );
}

/** The path of a fresh bundle (`cli.js`, `api-child.js`), rebuilding all of them first when a source is newer. */
export async function freshBundle(name) {
  const oldest = Math.min(...Object.keys(ENTRIES).map(bundleTime));
  if (oldest === 0 || oldest < newestSource()) {
    const t0 = performance.now();
    await buildApp();
    const why = oldest === 0 ? 'no compiled bundle yet' : 'sources changed since the last build';
    process.stderr.write(
      `acgs-load: ${why}; compiled ${relative(process.cwd(), DIST) || 'dist'}/ in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
  return join(DIST, name);
}

// `node bin/build.js`: build now (npm's prepare and the test command run it).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  await buildApp();
  process.stdout.write(
    `acgs-load build: ${Object.keys(ENTRIES).join(', ')} in dist/ (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
}
