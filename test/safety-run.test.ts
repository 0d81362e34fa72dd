/**
 * Safety of a whole run against servers that need a password (throw-away
 * PostgreSQL with scram-sha-256 and Redis with requirepass, never the shared
 * ones):
 *  - the password appears in no result file and nowhere in the captured
 *    stdout/stderr of `acgs-load run` and `acgs-load seed --fresh`;
 *  - keys outside the prefix (other prefixes, the same prefix in another
 *    Redis database) survive both: nothing is flushed or deleted outside it;
 *  - another application's database on the same server is untouched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPasswordPostgres, startPasswordRedis } from './helpers/safety-servers.ts';

const PASSWORD = `Pw-${randomBytes(6).toString('hex')}!`;
let pgServer: Awaited<ReturnType<typeof startPasswordPostgres>>;
let redisServer: Awaited<ReturnType<typeof startPasswordRedis>>;
let dir: string;
let runOut: ReturnType<typeof spawnSync>;
let seedOut: ReturnType<typeof spawnSync>;
const SENTINELS: Array<[number, string]> = [
  [0, 'other-app:session:1'],
  [0, 'acgsx:lookalike'],
  [0, 'acg:short'],
  [1, 'acgs:policy:1'],
];

function files(root: string): string[] {
  return readdirSync(root).flatMap((f) => {
    const p = join(root, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function cli(args: string[]) {
  return spawnSync(process.execPath, ['bin/acgs-load.js', ...args], {
    env: {
      ...process.env,
      BASE_URL: '',
      DATABASE_URL: pgServer.url('acgs_load'),
      REDIS_URL: redisServer.url(),
      ACGS_RESULTS_DIR: join(dir, 'results'),
    },
    encoding: 'utf8',
    timeout: 180_000,
  });
}

beforeAll(async () => {
  [pgServer, redisServer] = await Promise.all([startPasswordPostgres(PASSWORD), startPasswordRedis(PASSWORD)]);
  dir = mkdtempSync(join(tmpdir(), 'acgs-safety-'));
  for (const [db, key] of SENTINELS) {
    const r = new Redis(redisServer.url() + `/${db}`);
    await r.set(key, 'keep me');
    r.disconnect();
  }
  const admin = new pg.Client({ connectionString: pgServer.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE other_app');
  await admin.end();
  const other = new pg.Client({ connectionString: pgServer.url('other_app') });
  await other.connect();
  await other.query(
    'CREATE TABLE customers (id int primary key, name text); INSERT INTO customers VALUES (1, $$ada$$), (2, $$grace$$)',
  );
  await other.end();
  runOut = cli(['run', '--profile', 'smoke', '--scale', '0.05', '--quiet']);
  seedOut = cli(['seed', '--scale', '0.05', '--fresh']);
}, 300_000);
afterAll(async () => {
  await pgServer?.stop();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a run with passwords in DATABASE_URL and REDIS_URL', () => {
  it('works (the servers really need the password)', () => {
    expect(runOut.stdout).toContain('results: ');
    expect([0, 3, 4]).toContain(runOut.status);
    expect(seedOut.status).toBe(0);
  });

  it('never writes the password into a result file', () => {
    const all = files(join(dir, 'results'));
    expect(all.some((f) => f.endsWith('run.json'))).toBe(true);
    expect(all.some((f) => f.endsWith('.ndjson'))).toBe(true);
    for (const f of all) {
      const text = readFileSync(f, 'latin1');
      expect(text.includes(PASSWORD), f).toBe(false);
      expect(text.includes(encodeURIComponent(PASSWORD)), f).toBe(false);
    }
  });

  it('never prints it', () => {
    for (const out of [runOut, seedOut]) {
      for (const text of [String(out.stdout), String(out.stderr)]) {
        expect(text.includes(PASSWORD)).toBe(false);
        expect(text.includes(encodeURIComponent(PASSWORD))).toBe(false);
      }
    }
    expect(String(runOut.stdout)).toMatch(/postgres:\*\*\*@|redis:\/\/:\*\*\*@|PostgreSQL 15/);
  });

  it('leaves every key outside its prefix, in every Redis database, alone (run + seed --fresh)', async () => {
    for (const [db, key] of SENTINELS) {
      const r = new Redis(redisServer.url() + `/${db}`);
      expect(await r.get(key), `db ${db} ${key}`).toBe('keep me');
      r.disconnect();
    }
  });

  it("leaves another application's database on the same server alone", async () => {
    const other = new pg.Client({ connectionString: pgServer.url('other_app') });
    await other.connect();
    const { rows } = await other.query('SELECT name FROM customers ORDER BY id');
    const tables = await other.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    await other.end();
    expect(rows.map((r) => r.name)).toEqual(['ada', 'grace']);
    expect(tables.rows.map((r) => r.table_name)).toEqual(['customers']);
  });
});
