/**
 * The CLI, the API's process and the seeder's workers run compiled JavaScript
 * (bin/build.js): a build writes the bundles, a start runs them without
 * compiling anything, and a bundle older than the sources is rebuilt before it
 * runs, with a one-line notice — never a silent run of old code. The bundles
 * here go to a folder of their own (ACGS_DIST_NAME), never the dist/ that
 * other tests run from at the same time.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';

const DIST = `.dist-test-${randomBytes(3).toString('hex')}`;
const env = { ...process.env, ACGS_PROFILE: '', ACGS_DIST_NAME: DIST };
const cli = (args: string[]) => spawnSync(process.execPath, ['bin/acgs-load.js', ...args], { encoding: 'utf8', env });
afterAll(() => rmSync(DIST, { recursive: true, force: true }));

describe('the compiled CLI', { timeout: 120_000 }, () => {
  it('a start without a bundle compiles one first and says so; a fresh bundle starts silently', () => {
    const first = cli(['--version']);
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/^acgs-load: no compiled bundle yet; compiled \.dist-test-\w+\/ in \d+\.\d s\n$/);
    for (const f of ['cli.js', 'api-child.js', 'copy-worker.mjs'])
      expect(statSync(`${DIST}/${f}`).size).toBeGreaterThan(0);
    const again = cli(['--version']);
    expect(again.status).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('rebuilds a bundle older than its sources before running it, and says so in one line', () => {
    const old = new Date(2000, 0, 1);
    utimesSync(`${DIST}/cli.js`, old, old);
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /^acgs-load: sources changed since the last build; compiled \.dist-test-\w+\/ in \d+\.\d s\n$/,
    );
    expect(statSync(`${DIST}/cli.js`).mtimeMs).toBeGreaterThan(old.getTime());
    expect(cli(['--version']).stderr).toBe(''); // fresh again
  });

  it('runs a command from the bundle (profiles and migrations found from dist/), with inline source maps enabled', () => {
    const r = cli(['config', 'show', '--profile', 'load']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).profile).toBe('load');
    // the seeder's worker thread is started by this name, beside the bundle as beside the sources
    expect(readFileSync('seed/parallel-load.ts', 'utf8')).toContain("new URL('./copy-worker.mjs', import.meta.url)");
    expect(readFileSync(`${DIST}/cli.js`, 'utf8')).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,/);
    expect(readFileSync('bin/acgs-load.js', 'utf8')).toContain('process.setSourceMapsEnabled(true)');
  });
});
