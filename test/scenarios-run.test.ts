/**
 * Every scenario runs for a few seconds under the embedded engine against a
 * real target on real PostgreSQL and Redis (this file's own database, seeded
 * at scale 0.05, and its own key prefix), and its thresholds and checks pass.
 *
 * No timed assertions: the TARGETS given here keep the report's threshold
 * structure (every threshold is still evaluated and listed) but with latency
 * targets no machine misses (10 s), so only correctness decides the exit code.
 * A cache hit rate of 99.5 % is not a property of a 3-second run on a freshly
 * seeded dataset (first reads of cold keys miss, votes invalidate tallies), so
 * the journey-style runs judge it at 0 and cache-ops' hot path at 0.5 - the
 * report's targets are judged in real runs. One test then sets an impossible
 * target and expects k6's exit code 99.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/index.ts';
import { runK6 } from '../engine/index.ts';
import { seedDatabase } from '../seed/index.ts';
import { startApi, type RunningApi } from '../api/index.ts';
import { buildScenario } from '../engine/k6-build.ts';
import { scenarioEnv } from '../run/scenario-env.ts';
import { runScenario } from '../run/scenario-run.ts';
import {
  clearPrefix,
  createTestDatabase,
  newRedis,
  REDIS_URL,
  testPrefix,
  type TestDatabase,
} from './helpers/services.ts';

const NAME = 'scenarios_run';
const prefix = testPrefix(NAME);
const out = mkdtempSync(join(tmpdir(), 'acgs-scenarios-run-'));
let db: TestDatabase;
let redis: Redis;
let target: RunningApi;
let config: Readonly<Config>;

/** Latency targets nobody misses; correctness targets as the report's. */
const LENIENT = (cacheHitRate: number) =>
  JSON.stringify({
    avgQueryMs: 10_000,
    cacheHitRate,
    redisOpMs: 10_000,
    successRate: 0.99,
    queryTypes: Object.fromEntries(
      ['simple', 'join', 'aggregation', 'complex', 'index_scan'].map((q) => [q, { p95Ms: 10_000, p99Ms: 10_000 }]),
    ),
  });

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

type Summary = {
  metrics: Record<
    string,
    { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
  >;
};

async function run(
  name: string,
  env: Record<string, string>,
): Promise<{ exitCode: number; summary: Summary; runId: string }> {
  const script = await buildScenario(name, out);
  const runId = `t-${name}-${Date.now()}`;
  const r = await runK6(
    {
      script,
      env: {
        ...scenarioEnv(config, { baseUrl: target.url, runId }),
        THINK_MIN_MS: '0',
        THINK_MAX_MS: '20',
        DURATION_SECONDS: '3',
        ...env,
      },
      quiet: true,
      stdout: sink(),
      stderr: sink(),
    },
    'embedded',
  );
  return { exitCode: r.exitCode, summary: r.summary as unknown as Summary, runId };
}

function failedThresholds(s: Summary): string[] {
  const bad: string[] = [];
  for (const [m, v] of Object.entries(s?.metrics ?? {}))
    for (const [expr, t] of Object.entries(v.thresholds ?? {})) if (!t.ok) bad.push(`${m}: ${expr}`);
  return bad;
}

beforeAll(async () => {
  db = await createTestDatabase(NAME);
  redis = newRedis();
  await clearPrefix(redis, prefix);
  config = loadConfig({
    profile: 'smoke',
    env: {},
    flags: { database: { url: db.url }, redis: { url: REDIS_URL, prefix }, seed: { scale: 0.05, seed: 42 } },
  });
  await seedDatabase({ databaseUrl: db.url, scale: 0.05, seed: 42 });
  target = await startApi({ config, databaseUrl: db.url, redisUrl: REDIS_URL });
}, 180_000);

afterAll(async () => {
  await target?.close();
  if (redis) {
    await clearPrefix(redis, prefix);
    redis.disconnect();
  }
  await db?.drop();
  rmSync(out, { recursive: true, force: true });
});

describe('scenarios against the real target', () => {
  it('smoke passes its correctness thresholds', async () => {
    const { exitCode, summary } = await run('smoke', {});
    expect(failedThresholds(summary)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(summary.metrics.checks.values.rate).toBe(1);
    expect(summary.metrics.acked_writes.values.count).toBeGreaterThanOrEqual(8); // 2 VUs x (session, decision, check, synthesis)
  }, 60_000);

  it('query-mix times every query type and shows each as a sub-metric', async () => {
    const { exitCode, summary } = await run('query-mix', { QUERY_MIX_RATE: '4', TARGETS: LENIENT(0) });
    expect(failedThresholds(summary)).toEqual([]);
    expect(exitCode).toBe(0);
    for (const q of ['simple', 'join', 'aggregation', 'complex', 'index_scan']) {
      const m = summary.metrics[`db_query_duration{query_type:${q}}`];
      expect(m, q).toBeDefined();
      expect(m.type).toBe('trend');
      expect(m.values.count, q).toBeGreaterThan(0);
      expect(m.values['p(99)']).toBeGreaterThan(0);
    }
    expect(summary.metrics.cache_op_duration.values.count).toBeGreaterThan(0);
  }, 60_000);

  it('an impossible target crosses its threshold: exit code 99', async () => {
    const { exitCode, summary } = await run('query-mix', {
      QUERY_MIX_RATE: '2',
      DURATION_SECONDS: '2',
      TARGETS: JSON.stringify({ avgQueryMs: 0.0001 }),
    });
    expect(exitCode).toBe(99);
    expect(summary.metrics.db_query_duration.thresholds?.['avg<=0.0001']?.ok).toBe(false);
  }, 60_000);

  it('an impossible target in a profile file exits 99 through `scenario run`', async () => {
    const profile = join(out, 'impossible.json');
    writeFileSync(
      profile,
      JSON.stringify({
        load: { durationSeconds: 2, queryMixRate: 2, thinkTimeMs: { min: 0, max: 10 } },
        targets: { avgQueryMs: 0.0001 },
      }),
    );
    const cfg = loadConfig({
      profile,
      env: {},
      flags: { database: { url: db.url }, redis: { url: REDIS_URL, prefix } },
    });
    const r = await runScenario({
      name: 'query-mix',
      config: cfg,
      engine: 'embedded',
      baseUrl: target.url,
      quiet: true,
      stdout: sink(),
      stderr: sink(),
    });
    expect(r.exitCode).toBe(99);
    expect(r.env.TARGETS).toContain('"avgQueryMs":0.0001');
    const s = r.summary as Summary;
    expect(s.metrics.db_query_duration.thresholds?.['avg<=0.0001']?.ok).toBe(false);
    expect(s.metrics.http_req_failed.thresholds?.['rate<=0.01']?.ok).toBe(true);
  }, 60_000);

  it("`acgs-load scenario run` starts the target in its own process and exits with the engine's code", async () => {
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL,
      ACGS_REDIS_PREFIX: prefix,
      ACGS_SCALE: '0.05',
      ACGS_SEED: '42',
    };
    const cli = join(process.cwd(), 'bin', 'acgs-load.js');
    const ok = spawnSync(process.execPath, [cli, 'scenario', 'run', 'smoke', '--engine', 'embedded', '-q'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(ok.stderr).toMatch(/target started at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    expect(ok.stdout).toContain('checks');
    expect(ok.status).toBe(0);
    const bad = spawnSync(process.execPath, [cli, 'scenario', 'run', 'smokey'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("error[BAD_FLAG]: 'smokey' is not a scenario; choose one of");
  }, 150_000);

  it('cache-ops exercises GET hit and miss, SET, DEL and EXISTS', async () => {
    const { exitCode, summary } = await run('cache-ops', { CACHE_OPS_RATE: '4', TARGETS: LENIENT(0.5) });
    expect(failedThresholds(summary)).toEqual([]);
    expect(exitCode).toBe(0);
    for (const op of ['get', 'set', 'del', 'exists'])
      expect(summary.metrics[`cache_op_duration{op:${op}}`]?.values.count, op).toBeGreaterThan(0);
    expect(summary.metrics['cache_hit{cache_expect:hit}'].values.rate).toBeGreaterThan(0.5);
  }, 60_000);

  it('user-journey passes, and its acknowledged writes are exactly the rows of its run', async () => {
    const { exitCode, summary, runId } = await run('user-journey', { VUS: '3', TARGETS: LENIENT(0) });
    expect(failedThresholds(summary)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(summary.metrics.cache_hit.values.rate).toBeGreaterThan(0);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const n = async (table: string) =>
        (await c.query(`SELECT count(*)::int AS n FROM ${table} WHERE run_id = $1`, [runId])).rows[0].n as number;
      const sessions = await n('user_sessions');
      const decisions = await n('policy_decisions');
      const votes = await n('amendment_votes');
      expect(sessions).toBeGreaterThan(0);
      expect(decisions).toBeGreaterThan(0);
      // The journey writes sessions, decisions and votes; every 2xx was counted once.
      expect(summary.metrics.acked_writes.values.count).toBe(sessions + decisions + votes);
    } finally {
      await c.end();
    }
  }, 60_000);

  it('the ladder yields per-step sub-metrics', async () => {
    const { exitCode, summary } = await run('ladder', {
      LADDER_USERS: '1,3',
      LADDER_STEP_SECONDS: '2',
      TARGETS: LENIENT(0),
    });
    expect(failedThresholds(summary)).toEqual([]);
    expect(exitCode).toBe(0);
    for (const step of ['users_1', 'users_3']) {
      expect(summary.metrics[`http_req_duration{scenario:${step}}`]?.values.count, step).toBeGreaterThan(0);
      expect(summary.metrics[`http_reqs{scenario:${step}}`]?.values.count, step).toBeGreaterThan(0);
      expect(summary.metrics[`http_req_failed{scenario:${step}}`]?.values.rate, step).toBe(0);
      expect(summary.metrics[`db_query_duration{scenario:${step}}`], step).toBeDefined();
    }
  }, 60_000);

  it('write-contention: every acknowledged write is in the database, 409s are expected', async () => {
    const { exitCode, summary, runId } = await run('write-contention', {
      VUS: '6',
      HOT_ROWS: '2',
      TARGETS: LENIENT(0),
    });
    expect(failedThresholds(summary)).toEqual([]);
    expect(exitCode).toBe(0);
    const acked = (kind: string) => summary.metrics[`acked_writes{kind:${kind}}`]?.values.count ?? 0;
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const votes = await c.query('SELECT count(*)::int AS n FROM amendment_votes WHERE run_id = $1', [runId]);
      const updates = await c.query('SELECT count(*)::int AS n FROM policy_updates WHERE run_id = $1', [runId]);
      expect(acked('vote')).toBeGreaterThan(0);
      expect(acked('policy_update')).toBeGreaterThan(0);
      expect(votes.rows[0].n).toBe(acked('vote'));
      expect(updates.rows[0].n).toBe(acked('policy_update'));
    } finally {
      await c.end();
    }
    // Six VUs racing for two policies: stale versions are answered 409 and counted, not failed.
    expect(summary.metrics.http_req_failed.values.rate).toBe(0);
  }, 60_000);
});
