/**
 * The command line as users type it: `--version`, ACGS_PROFILE honoured with
 * the flag winning over it, and one list convention (comma-separated or
 * repeated) for every list flag.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectList } from '../cli/options.ts';

const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/acgs-load.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, BASE_URL: '', ACGS_PROFILE: '', ...env },
  });

// Each case starts the CLI a few times; on a busy machine a start takes seconds.
describe('acgs-load command line', { timeout: 180_000 }, () => {
  it('--version prints the package version and exits 0', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('takes the profile from ACGS_PROFILE; --profile wins over it; smoke without either', () => {
    const profileOf = (r: ReturnType<typeof cli>) => (JSON.parse(r.stdout) as { profile: string }).profile;
    expect(profileOf(cli(['config', 'show'], { ACGS_PROFILE: 'load' }))).toBe('load');
    expect(profileOf(cli(['config', 'show', '--profile', 'nightly'], { ACGS_PROFILE: 'load' }))).toBe('nightly');
    expect(profileOf(cli(['config', 'show']))).toBe('smoke');
    const bad = cli(['config', 'show'], { ACGS_PROFILE: 'nighty' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error\[UNKNOWN_PROFILE\]: --profile 'nighty' is not a profile/);
  });

  it('reads list flags comma-separated or repeated, alike', () => {
    expect(collectList('smoke,ladder')).toEqual(['smoke', 'ladder']);
    expect(collectList('query-mix', collectList('smoke, ladder'))).toEqual(['smoke', 'ladder', 'query-mix']);
    expect(collectList(',,')).toEqual([]);
    // the comma-separated value reaches validation item by item
    const run = cli(['run', '--scenario', 'smoke,nope']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error\[BAD_FLAG\]: --scenario 'nope' is not a scenario/);
    const check = cli(['check', '--only', 'cache-db-sync', '--only', 'nope']);
    expect(check.status).toBe(2);
    expect(check.stderr).toMatch(/^error\[BAD_FLAG\]: --only 'nope' is not a checker/);
  });
});
