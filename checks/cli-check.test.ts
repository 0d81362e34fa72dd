/** `acgs-load check` end to end: table, --json, exit codes 0 / 2 / 3. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Redis } from 'ioredis';
import {
  clearPrefix,
  createTestDatabase,
  newRedis,
  REDIS_URL,
  testPrefix,
  type TestDatabase,
} from '../test/helpers/services.ts';
import { applySchema, resetRows, warmFixture } from '../test/helpers/checks-fixture.ts';

let tdb: TestDatabase;
let db: pg.Pool;
let redis: Redis;
const prefix = testPrefix('checks_cli');
const dir = mkdtempSync(join(tmpdir(), 'acgs-check-cli-'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: tdb.url, REDIS_URL, ACGS_REDIS_PREFIX: prefix };
  delete env.BASE_URL; // vitest sets BASE_URL=/ (Vite's public base), which the CLI would read as the target URL
  return new Promise((resolve) => {
    execFile('node', ['bin/acgs-load.js', 'check', ...args], { env }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  tdb = await createTestDatabase('checks_cli');
  db = new pg.Pool({ connectionString: tdb.url, max: 2 });
  db.on('error', () => {});
  await applySchema(db);
  await resetRows(db);
  redis = newRedis();
  await clearPrefix(redis, prefix);
  await warmFixture(db, redis, prefix);
});
afterAll(async () => {
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.end();
  await tdb.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('acgs-load check', () => {
  it('exits 0 on a consistent database and cache, printing the table', async () => {
    const r = await cli(['--grace', '0']);
    // stderr holds the progress only: not a terminal, so no live line, and a line per checker over
    // (plus a status line should a checker pass the 10 s mark on a slow machine, and bin/'s
    // "acgs-load: sources changed since the last build" when dist/ was stale)
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('checking ') && !l.startsWith('acgs-load: '));
    for (const l of lines) expect(l).toMatch(/^checked [a-z+-]+(: [\d,]+ keys)? in \d+(\.\d)? m?s$/);
    expect(lines.map((l) => /^checked ([a-z+-]+)/.exec(l)![1])).toEqual([
      'cache-db-sync+data-types',
      'referential-integrity',
      'transaction-isolation',
      'concurrent-access',
    ]);
    expect(r.stderr).not.toContain('\r');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Data Consistency Validation');
    expect(r.stdout).toMatch(/\| Cache-DB Sync\s+\|\s+\d+ \|\s+0 \|/);
    expect(r.stdout).toContain('Result: consistent');
  });

  it('--json alone: stdout is the result as JSON, the table goes to stderr', async () => {
    const r = await cli(['--only', 'referential-integrity', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; checkers: Array<{ name: string; checked: number }> };
    expect(result.ok).toBe(true);
    expect(result.checkers.map((c) => c.name)).toEqual(['referential-integrity']);
    expect(result.checkers[0].checked).toBeGreaterThan(0);
    expect(r.stderr).toContain('Data Consistency Validation');
  });

  it('exits 3 and writes the JSON when a violation remains after grace', async () => {
    await redis.persist(prefix + 'principle:1');
    const json = join(dir, 'checks.json');
    const r = await cli(['--grace', '100ms', '--only', 'cache-db-sync,data-types', '--json', json]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('cache-db-sync: no_ttl 1');
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.ok).toBe(false);
    expect(result.checkers.map((c: { name: string }) => c.name)).toEqual(['cache-db-sync', 'data-types']);
    expect(result.checkers[0].violations).toEqual({ no_ttl: 1 });
    await redis.expire(prefix + 'principle:1', 60);
  });

  it('a bad --only names the allowed checkers (exit 2)', async () => {
    const r = await cli(['--only', 'cache,data-types']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--only 'cache' is not a checker; choose from cache-db-sync, referential-integrity, transaction-isolation, data-types, concurrent-access",
    );
  });

  it('a bad --grace says what a duration looks like (exit 2)', async () => {
    const r = await cli(['--grace', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--grace 'soon' is not a duration");
    const tooLong = await cli(['--grace', '1h']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('checks.graceSeconds');
  });
});
