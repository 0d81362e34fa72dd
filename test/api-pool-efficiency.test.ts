/**
 * The target counts how each pool acquisition ended
 * (acgs_pool_acquire_outcomes_total), and the report's pool efficiency is
 * served-without-queueing ÷ all acquisitions, failed ones included. Against a
 * real target with a pool of one connection: requests are made slow as the
 * pool-exhaust fault makes them (a row of `policies` held FOR UPDATE by the
 * test, concurrent PUTs of that row), so a second request has to queue behind
 * the first, or time out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../api/index.ts';
import { parsePrometheus, sumOf, type PromSample } from '../measure/index.ts';
import { acquireOutcomes, poolFigures } from '../report/figures/pool.ts';
import type { RunInputs } from '../report/figures/index.ts';
import { clearPrefix, REDIS_URL } from './helpers/services.ts';
import { call, eventually, metricValue, seeded, targetConfig, type Seeded } from './helpers/api-fixture.ts';

let s: Seeded;
let policyId: number;
beforeAll(async () => {
  s = await seeded('target_pool_efficiency');
  policyId = (await s.pg.query<{ id: number }>('SELECT max(id)::int AS id FROM policies')).rows[0].id;
});
afterAll(async () => {
  await s?.cleanup();
});

async function scrape(t: RunningApi): Promise<PromSample[]> {
  return parsePrometheus((await call(t.url, 'GET', '/metrics')).text);
}

/** The pool figures a run would report between two scrapes. */
function efficiency(t: RunningApi, config: RunInputs['config'], before: PromSample[], after: PromSample[]) {
  const inputs: RunInputs = {
    config,
    scenarios: [],
    pg: null,
    redis: null,
    target: { before, after, utilisation: { mean: null, peak: null, peakWaiting: 0 } },
    infra: {
      pgVersion: 'n/a',
      redisVersion: 'n/a',
      pgRttMs: null,
      redisRttMs: null,
      targetHealthMs: null,
      targetUrl: t.url,
    },
    checks: null,
    plans: [],
    ladder: null,
  };
  return poolFigures(inputs).figures.find((f) => f.id === 'pool.efficiency')!;
}

/** One PUT of the locked policy: it takes a pool connection, then waits on the row lock inside its transaction. */
function slowUpdate(t: RunningApi, version: number, i: number) {
  return call(t.url, 'PUT', `/api/v1/policies/${policyId}`, {
    expectedVersion: version,
    updatedBy: 1,
    description: `pool efficiency ${i}`,
  });
}

/** Runs `fn` while the test holds the policy row FOR UPDATE; released (rolled back) afterwards. */
async function withRowLocked<T>(fn: (version: number) => Promise<T>): Promise<T> {
  const { version } = (await s.pg.query<{ version: number }>('SELECT version FROM policies WHERE id = $1', [policyId]))
    .rows[0];
  await s.pg.query('BEGIN');
  try {
    await s.pg.query('SELECT id FROM policies WHERE id = $1 FOR UPDATE', [policyId]);
    return await fn(version);
  } finally {
    await s.pg.query('ROLLBACK');
  }
}

/** True once the target's one connection waits on the row lock. */
async function targetWaitsOnLock(): Promise<boolean> {
  const r = await s.pg.query(
    "SELECT 1 FROM pg_stat_activity WHERE application_name = 'acgs-load-target' AND wait_event_type = 'Lock' AND datname = current_database()",
  );
  return r.rowCount === 1;
}

describe('pool efficiency against the target (pool of 1, no overflow)', () => {
  it('two concurrent slow requests: the second queues, so served-without-queueing < all acquisitions', async () => {
    const prefix = `${s.prefix.slice(0, -1)}_queue:`;
    await clearPrefix(s.redis, prefix);
    const config = targetConfig(prefix, { pool: { size: 1, overflow: 0, acquireTimeoutMs: 20_000 } });
    const t = await startApi({ config, databaseUrl: s.db.url, redisUrl: REDIS_URL });
    try {
      const before = await scrape(t);
      const answers = await withRowLocked(async (version) => {
        const pending = [slowUpdate(t, version, 1), slowUpdate(t, version, 2)];
        // One holds the connection waiting on the lock, the other waits for the connection.
        expect(await eventually(targetWaitsOnLock)).toBe(true);
        expect(
          await eventually(
            async () => metricValue((await call(t.url, 'GET', '/metrics')).text, 'acgs_pool_waiting') === 1,
          ),
        ).toBe(true);
        return pending;
      });
      const statuses = (await Promise.all(answers)).map((a) => a.status).sort();
      expect(statuses).toEqual([200, 409]); // the queued one finds the version moved on
      const after = await scrape(t);
      const o = acquireOutcomes(before, after)!;
      expect(o).toEqual({ unqueued: 1, queued: 1, timeout: 0, error: 0, all: 2 });
      expect(o.unqueued).toBeLessThan(o.all);
      const f = efficiency(t, config, before, after);
      expect(f.value).toBe(0.5);
      expect(f.source).toContain('acgs_pool_acquire_outcomes_total');
    } finally {
      await t.close();
      await clearPrefix(s.redis, prefix);
    }
  });

  it('an acquire timeout is a failed acquisition, counted in the denominator', async () => {
    const prefix = `${s.prefix.slice(0, -1)}_timeout:`;
    await clearPrefix(s.redis, prefix);
    const config = targetConfig(prefix, { pool: { size: 1, overflow: 0, acquireTimeoutMs: 300 } });
    const t = await startApi({ config, databaseUrl: s.db.url, redisUrl: REDIS_URL });
    try {
      const before = await scrape(t);
      const held = await withRowLocked(async (version) => {
        const first = slowUpdate(t, version, 1);
        expect(await eventually(targetWaitsOnLock)).toBe(true);
        const second = await slowUpdate(t, version, 2);
        expect(second.status).toBe(503);
        expect(second.headers.get('retry-after')).toBe('1');
        return { first }; // not the promise itself: an async function would wait for it, with the lock held
      });
      expect((await held.first).status).toBe(200);
      const after = await scrape(t);
      const o = acquireOutcomes(before, after)!;
      expect(o).toEqual({ unqueued: 1, queued: 0, timeout: 1, error: 0, all: 2 });
      // Both existing counters agree: one served acquisition, one timeout.
      const delta = (name: string) => sumOf(after, name) - sumOf(before, name);
      expect(delta('acgs_pool_acquires_total')).toBe(1);
      expect(delta('acgs_pool_acquire_timeouts_total')).toBe(1);
      // Served-only, the pool would look perfect (1 of 1); with the failure it is 1 of 2.
      expect(efficiency(t, config, before, after).value).toBe(0.5);
    } finally {
      await t.close();
      await clearPrefix(s.redis, prefix);
    }
  });
});
