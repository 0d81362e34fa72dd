/**
 * The seed, db and warm commands end to end, through the real CLI process:
 * output, exit codes (README "Exit codes") and one-line errors without stacks.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from '../test/helpers/services.ts';
import { tempDir } from '../test/helpers/temp.ts';

const PREFIX = testPrefix('cli_seed');

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // vitest (vite) sets BASE_URL=/ in process.env; the CLI would read it as the target's base URL.
    const { BASE_URL: _vite, ...parentEnv } = process.env;
    const child = spawn(process.execPath, ['bin/acgs-load.js', ...args], {
      env: { ...parentEnv, ACGS_REDIS_PREFIX: PREFIX, ACGS_PROFILE: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function noStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain('internal error');
}

describe('acgs-load seed / db / warm', () => {
  let db: TestDatabase;
  let foreign: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('cli_seed');
    foreign = await createTestDatabase('cli_seed_foreign');
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: foreign.url });
    await c.connect();
    await c.query('CREATE TABLE somebody_elses (id int)');
    await c.end();
  });
  afterAll(async () => {
    const redis = newRedis();
    await clearPrefix(redis, PREFIX);
    redis.disconnect();
    await db?.drop();
    await foreign?.drop();
  });

  it('seeds, prints rows per table and the warm summary, then skips a rerun', async () => {
    const first = await cli(['seed', '--scale', '0.05', '--seed', '9'], { DATABASE_URL: db.url });
    expect(first.stderr).toContain('loaded audit_log');
    // not a terminal: plain lines only, one per table with the count of tables done
    expect(first.stderr).not.toContain('\r');
    expect(first.stderr).toMatch(/^loaded \w+ +[\d,]+ rows +[\d,]+ rows\/s  \(17\/17 tables\)$/m);
    expect(first.stderr).toMatch(/^built keys and indexes: \d+ statements in [\d.]+ m?s$/m);
    expect(first.stderr).toMatch(/^analyzed 18 tables in [\d.]+ m?s$/m);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/audit_log\s+2,500/);
    expect(first.stdout).toMatch(/^total\s+[\d,]+/m);
    expect(first.stdout).toMatch(/warmed \d+ keys under 't_cli_seed:'/);
    const again = await cli(['seed', '--scale', '0.05', '--seed', '9', '--no-warm'], { DATABASE_URL: db.url });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already loaded');
    expect(again.stdout).not.toContain('warmed');
    const status = await cli(['db', 'status'], { DATABASE_URL: db.url });
    expect(status.stdout).toMatch(/owned:\s+yes/);
    expect(status.stdout).toMatch(/pending:\s+none/);
  });

  it('lists every bad flag value at once, exit 2', async () => {
    const r = await cli(['seed', '--scale', 'abc', '--seed', '-1'], { DATABASE_URL: db.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[BAD_CONFIG\]: .*2 problems/);
    expect(r.stderr).toContain('seed.scale');
    expect(r.stderr).toContain('"abc"');
    expect(r.stderr).toContain('seed.seed');
    noStack(r.stderr);
  });

  it('reports an unreachable PostgreSQL in one line, exit 5, without the password', async () => {
    const r = await cli(['seed', '--scale', '0.05'], { DATABASE_URL: 'postgres://me:hunter2@127.0.0.1:1/acgs' });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^error\[PG_UNREACHABLE\]: cannot reach PostgreSQL at 127\.0\.0\.1:1/);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
    noStack(r.stderr);
  });

  it('refuses a foreign database, exit 6, and --force proceeds', async () => {
    const r = await cli(['seed', '--scale', '0.05', '--no-warm'], { DATABASE_URL: foreign.url });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^error\[FOREIGN_DATABASE\]: .*somebody_elses/);
    noStack(r.stderr);
    const m = await cli(['db', 'migrate'], { DATABASE_URL: foreign.url });
    expect(m.code).toBe(6);
    const forced = await cli(['db', 'migrate', '--force'], { DATABASE_URL: foreign.url });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('applied 001_tables, 002_keys_indexes');
  });

  it('refuses a drifted schema before any load in one line, exit 6; db status lists it; --repair fixes it', async () => {
    const drifted = await createTestDatabase('cli_seed_drift');
    try {
      const { seedDatabase } = await import('./index.ts');
      await seedDatabase({ databaseUrl: drifted.url, scale: 0.05, seed: 9 });
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: drifted.url });
      await c.connect();
      await c.query('DROP INDEX audit_log_time_idx; DROP INDEX audit_log_actor_time_idx');
      await c.end();
      const args = ['seed', '--scale', '0.05', '--seed', '9', '--no-warm'];
      const r = await cli(args, { DATABASE_URL: drifted.url });
      expect(r.code).toBe(6);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(
        /^error\[SCHEMA_DRIFT\]: the schema of 127\.0\.0\.1:5432\/acgs_t_cli_seed_drift differs from its migrations \(2 differences\): index audit_log_actor_time_idx on audit_log is missing; index audit_log_time_idx on audit_log is missing$/,
      );
      expect(lines[1]).toMatch(/^hint: .*acgs-load seed --repair.*--fresh/);
      expect(lines).toHaveLength(2);
      noStack(r.stderr);
      expect(r.stdout).not.toContain('already loaded');
      // `run` refuses in its seed stage, before the API starts or any load
      const results = tempDir('acgs-drift-run-');
      const run = await cli(['run', '--profile', 'smoke', '--scale', '0.05', '--seed', '9', '-q'], {
        DATABASE_URL: drifted.url,
        ACGS_RESULTS_DIR: results,
      });
      expect(run.code).toBe(6);
      expect(run.stdout).toMatch(/^✗ seed failed/m);
      expect(run.stdout).not.toMatch(/^▶ (warm|api|scenarios)/m);
      expect(run.stderr).toMatch(
        /^error\[SCHEMA_DRIFT\]: stage 'seed': the schema of .* index audit_log_time_idx on audit_log is missing$/m,
      );
      expect(run.stderr).toContain('`run --repair`');
      noStack(run.stderr);
      expect(readdirSync(results)).toEqual([]); // nothing measured, no results folder
      const status = await cli(['db', 'status'], { DATABASE_URL: drifted.url });
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^schema:\s+2 differences from the migrations/m);
      expect(status.stdout).toContain('  - index audit_log_time_idx on audit_log is missing');
      const repaired = await cli([...args, '--repair'], { DATABASE_URL: drifted.url });
      expect(repaired.code).toBe(0);
      expect(repaired.stdout).toContain('repaired: index audit_log_time_idx on audit_log is missing');
      expect(repaired.stdout).toContain('already loaded');
      const again = await cli(['db', 'status'], { DATABASE_URL: drifted.url });
      expect(again.stdout).toMatch(/^schema:\s+matches the migrations$/m);
    } finally {
      await drifted.drop();
    }
  });

  it('rejects a malformed DATABASE_URL, exit 2', async () => {
    const r = await cli(['db', 'status'], { DATABASE_URL: 'mysql://x@y/z' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[BAD_URL\]/);
  });
});
