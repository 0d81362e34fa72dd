/**
 * `acgs-load api`: starts, prints its URL and the defect switches that are
 * on, serves, and stops cleanly on SIGTERM; a bad flag is exit code 2 with a
 * one-line message.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, seeded, type Seeded } from './helpers/api-fixture.ts';

let s: Seeded;
/** The child's environment: vitest sets BASE_URL=/ (Vite's), which the config loader rejects. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e = { ...process.env, ...extra };
  delete e.BASE_URL;
  return e;
}
beforeAll(async () => {
  s = await seeded('target_cli');
});
afterAll(async () => {
  await s?.cleanup();
});

describe('acgs-load target', () => {
  it('serves until SIGTERM and announces defect switches', async () => {
    const child = spawn(
      process.execPath,
      ['bin/acgs-load.js', 'api', '--port', '0', '--no-warm', '--defect-no-ttl', '0.25'],
      {
        env: env({ DATABASE_URL: s.db.url, ACGS_REDIS_PREFIX: s.prefix }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    expect(await eventually(async () => out.includes('DEFECTS ON: noTtlRate=0.25'))).toBe(true);
    const h = await call(url, 'GET', '/healthz');
    expect(h.json.defects).toEqual({ noTtlRate: 0.25 });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM: stopping');
  });

  it('a bad rate is exit code 2 with a message naming the flag', () => {
    const r = spawnSync(process.execPath, ['bin/acgs-load.js', 'api', '--defect-wrong-version', 'lots'], {
      encoding: 'utf8',
      env: env({}),
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--defect-wrong-version 'lots' is not a rate");
  });

  it('a database without the schema is a one-line PG_ERROR, no stack', () => {
    const r = spawnSync(process.execPath, ['bin/acgs-load.js', 'api', '--port', '0'], {
      encoding: 'utf8',
      env: env({ DATABASE_URL: s.db.url.replace(/\/[^/]+$/, '/postgres'), ACGS_REDIS_PREFIX: s.prefix }),
    });
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/error\[PG_ERROR\]: database .* has no acgs-load schema/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
