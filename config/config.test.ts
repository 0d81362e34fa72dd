import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AcgsError, ExitCode, TTL_POLICY_DEFAULTS, listProfiles, loadConfig, redactConfig } from './index.ts';
import { tempDir } from '../test/helpers/temp.ts';

function expectConfigError(fn: () => unknown): AcgsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AcgsError);
    return e as AcgsError;
  }
  throw new Error('expected an AcgsError');
}

describe('configuration', () => {
  it('every shipped profile is valid and has a description', () => {
    expect(listProfiles()).toEqual(expect.arrayContaining(['smoke', 'load', 'nightly', 'release']));
    for (const name of listProfiles()) {
      const c = loadConfig({ profile: name, env: {} });
      expect(c.profile).toBe(name);
      expect(c.description.length).toBeGreaterThan(10);
    }
  });

  it("carries the report's eight TTL policies as data, overridable per profile", () => {
    expect(loadConfig({ env: {} }).cache.ttlSeconds).toEqual(TTL_POLICY_DEFAULTS);
    const c = loadConfig({ env: {}, flags: { cache: { ttlSeconds: { policyDecisions: 60 } } } });
    expect(c.cache.ttlSeconds.policyDecisions).toBe(60);
    expect(c.cache.ttlSeconds.sessions).toBe(1800);
  });

  it('applies profile < environment < flags', () => {
    const dir = tempDir('acgs-profile-');
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify({ seed: { scale: 3, seed: 7 }, redis: { prefix: 'mine:' } }));
    const c = loadConfig({ profile: file, env: { ACGS_SCALE: '5' }, flags: { seed: { seed: 9 } } });
    expect(c.seed).toMatchObject({ scale: 5, seed: 9 });
    expect(c.redis.prefix).toBe('mine:');
  });

  it('lists every problem at once, with the value given, as a bad-input error', () => {
    const e = expectConfigError(() =>
      loadConfig({
        env: { ACGS_SCALE: 'abc' },
        flags: { pool: { size: -1, acquireTimeoutMs: 'soon' }, redis: { prefix: 'nocolon' }, bogus: true } as never,
      }),
    );
    expect(e.kind).toBe('BAD_CONFIG');
    expect(e.exitCode).toBe(ExitCode.BAD_INPUT);
    const text = e.format();
    expect(text).toContain("ACGS_SCALE: expected a number, got 'abc'");
    expect(text).toContain('pool.size');
    expect(text).toContain('(given: -1)');
    expect(text).toContain('pool.acquireTimeoutMs');
    expect(text).toContain('redis.prefix');
    expect(text).toContain("unknown key 'bogus'");
    expect(e.details.length).toBe(5);
  });

  it('rejects unknown keys inside a profile file, naming the path', () => {
    const dir = tempDir('acgs-profile-');
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ seed: { scael: 2 } }));
    expect(expectConfigError(() => loadConfig({ profile: file, env: {} })).format()).toContain(
      "seed: unknown key 'scael'",
    );
  });

  it('names the profiles when the one given does not exist', () => {
    const e = expectConfigError(() => loadConfig({ profile: 'nighty', env: {} }));
    expect(e.kind).toBe('UNKNOWN_PROFILE');
    expect(e.message).toContain("'nighty' is not a profile; choose one of");
    expect(e.message).toContain('nightly');
  });

  it('reports a profile file that is not JSON', () => {
    const dir = tempDir('acgs-profile-');
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "seed": { "scale": 2, } }');
    expect(expectConfigError(() => loadConfig({ profile: file, env: {} })).message).toMatch(/not valid JSON/);
  });

  it('rejects malformed URLs without echoing the password', () => {
    const e = expectConfigError(() => loadConfig({ env: { DATABASE_URL: 'mysql://u:hunter2@h/db' } }));
    expect(e.kind).toBe('BAD_URL');
    expect(e.format()).not.toContain('hunter2');
    expect(expectConfigError(() => loadConfig({ env: { REDIS_URL: 'not a url' } })).message).toContain('is not a URL');
  });

  it('never shows a password when printed', () => {
    const c = loadConfig({
      env: { DATABASE_URL: 'postgres://u:hunter2@db:5432/x', REDIS_URL: 'redis://:s3cret@r:6379' },
    });
    const printed = JSON.stringify(redactConfig(c));
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain('s3cret');
    expect(printed).toContain('***');
  });

  it('hides the arguments of stop/start commands, which may carry a password', () => {
    const c = loadConfig({
      env: {},
      flags: {
        services: {
          redis: {
            stopCommand: 'REDISCLI_AUTH=hunter2 redis-cli -a hunter2 shutdown',
            startCommand: 'systemctl start redis',
          },
        },
      },
    });
    const printed = JSON.stringify(redactConfig(c));
    expect(printed).not.toContain('hunter2');
    expect(redactConfig(c).services.redis).toEqual({
      stopCommand: 'redis-cli … (arguments hidden)',
      startCommand: 'systemctl … (arguments hidden)',
    });
  });

  it('is frozen', () => {
    const c = loadConfig({ env: {} });
    expect(Object.isFrozen(c.pool)).toBe(true);
  });
});
