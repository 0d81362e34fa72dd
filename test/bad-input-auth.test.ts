/**
 * Bad input in the environment that needs real servers: a wrong PostgreSQL
 * password, a Redis that needs AUTH, a wrong Redis password. Throw-away
 * servers with password authentication (never the shared ones). Each command
 * fails with exit 5, the error kind and the fix, no stack trace, the password
 * nowhere in its output, and nothing written: no suite database on the
 * PostgreSQL server, no key in Redis.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPasswordPostgres, startPasswordRedis } from './helpers/safety-servers.ts';

const PASSWORD = 'Auth-Test-7f3a9c';
let pgs: Awaited<ReturnType<typeof startPasswordPostgres>>;
let rs: Awaited<ReturnType<typeof startPasswordRedis>>;
let dir: string;
beforeAll(async () => {
  [pgs, rs] = await Promise.all([startPasswordPostgres(PASSWORD), startPasswordRedis(PASSWORD)]);
  dir = mkdtempSync(join(tmpdir(), 'acgs-auth-'));
}, 60_000);
afterAll(async () => {
  await pgs?.stop();
  await rs?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['bin/acgs-load.js', ...args], {
      env: { ...process.env, BASE_URL: '', ACGS_RESULTS_DIR: join(dir, 'results'), ...env },
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => resolve({ code, out, err }));
  });
}

const CASES: Array<{
  name: string;
  args: string[];
  pg: string | null;
  redis: string | null;
  kind: string;
  hint: RegExp;
  db?: string;
}> = [
  {
    name: 'seed with a wrong PostgreSQL password',
    args: ['seed', '--scale', '0.02'],
    pg: 'wrong-pw',
    redis: PASSWORD,
    kind: 'PG_AUTH',
    hint: /password in DATABASE_URL/,
  },
  {
    name: 'run with a wrong PostgreSQL password',
    args: ['run', '--quiet'],
    pg: 'wrong-pw',
    redis: PASSWORD,
    kind: 'PG_AUTH',
    hint: /password in DATABASE_URL/,
  },
  {
    name: 'check with a wrong PostgreSQL password',
    args: ['check'],
    pg: 'wrong-pw',
    redis: PASSWORD,
    kind: 'PG_AUTH',
    hint: /password in DATABASE_URL/,
  },
  {
    name: 'seed against a Redis that needs AUTH',
    args: ['seed', '--scale', '0.02'],
    pg: PASSWORD,
    redis: null,
    kind: 'REDIS_AUTH',
    hint: /password in REDIS_URL/,
  },
  {
    name: 'run against a Redis that needs AUTH',
    args: ['run', '--quiet'],
    pg: PASSWORD,
    redis: null,
    kind: 'REDIS_AUTH',
    hint: /password in REDIS_URL/,
  },
  // the checkers only read: the server's maintenance database is enough to get past PostgreSQL
  {
    name: 'check against a Redis that needs AUTH',
    args: ['check'],
    pg: PASSWORD,
    redis: null,
    kind: 'REDIS_AUTH',
    hint: /password in REDIS_URL/,
    db: 'postgres',
  },
  {
    name: 'seed with a wrong Redis password',
    args: ['seed', '--scale', '0.02'],
    pg: PASSWORD,
    redis: 'wrong-pw',
    kind: 'REDIS_AUTH',
    hint: /password in REDIS_URL/,
  },
  {
    name: 'run with a wrong Redis password',
    args: ['run', '--quiet'],
    pg: PASSWORD,
    redis: 'wrong-pw',
    kind: 'REDIS_AUTH',
    hint: /password in REDIS_URL/,
  },
];

describe.concurrent('credentials', () => {
  for (const c of CASES) {
    it(
      c.name,
      async () => {
        const r = await cli(c.args, {
          DATABASE_URL: pgs.url(c.db ?? 'acgs_load', c.pg ?? undefined),
          REDIS_URL: rs.url(c.redis),
        });
        const lines = r.err.trim().split('\n');
        expect(r.code, r.err).toBe(5);
        expect(lines[0]).toMatch(new RegExp(`^error\\[${c.kind}\\]: `));
        expect(lines.at(-1)).toMatch(c.hint);
        expect(r.err).not.toMatch(/^\s+at /m);
        expect(r.out + r.err).not.toContain(PASSWORD);
      },
      60_000,
    );
  }
});

describe('nothing written by the failed commands', () => {
  it('no suite database on the server, no key in Redis', async () => {
    const c = new pg.Client({ connectionString: pgs.url('postgres') });
    await c.connect();
    const { rows } = await c.query("SELECT datname FROM pg_database WHERE datname = 'acgs_load'");
    await c.end();
    expect(rows).toEqual([]);
    const r = new Redis(rs.url());
    expect(await r.dbsize()).toBe(0);
    r.disconnect();
  });
});
