/**
 * The CLI, the API's process and the seeder's workers run compiled JavaScript
 * (dist/, bin/build.js): `npm run build` writes the bundles, a start runs
 * them without compiling anything, and a bundle older than the sources is
 * rebuilt before it runs, with a one-line notice — never a silent run of old code.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['bin/acgs-load.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ACGS_PROFILE: '' },
  });

describe('the compiled CLI', { timeout: 120_000 }, () => {
  it('builds a bundle per entry point; a fresh bundle starts without a notice', () => {
    const b = spawnSync(process.execPath, ['bin/build.js'], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    for (const f of ['dist/cli.js', 'dist/api-child.js', 'dist/copy-worker.mjs'])
      expect(statSync(f).size).toBeGreaterThan(0);
    // the worker thread's entry is an ES module the Worker can start, and the seeder asks for that name
    expect(readFileSync('seed/parallel-load.ts', 'utf8')).toContain("new URL('./copy-worker.mjs', import.meta.url)");
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('rebuilds a bundle older than its sources before running it, and says so in one line', () => {
    const old = new Date(2000, 0, 1);
    utimesSync('dist/cli.js', old, old);
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^acgs-load: sources changed since the last build; compiled dist\/ in \d+\.\d s\n$/);
    expect(statSync('dist/cli.js').mtimeMs).toBeGreaterThan(old.getTime());
    expect(cli(['--version']).stderr).toBe(''); // fresh again
  });

  it('carries inline source maps and enables them, so a bug\'s stack names the .ts files', () => {
    const src = readFileSync('dist/cli.js', 'utf8');
    expect(src).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,/);
    expect(readFileSync('bin/acgs-load.js', 'utf8')).toContain('process.setSourceMapsEnabled(true)');
  });
});
