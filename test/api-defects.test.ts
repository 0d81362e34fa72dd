/**
 * Each defect switch at rate 1.0 does exactly what it says, so the checkers'
 * tests can rely on it: a skipped invalidation leaves the stale entry, a wrong
 * version is cached as version + 1, an entry is written without TTL, a vote
 * does not move its counter. Rate 0 (the default) changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../api/index.ts';
import { clearPrefix, REDIS_URL } from './helpers/services.ts';
import { call, metricValue, seeded, targetConfig, type Seeded } from './helpers/api-fixture.ts';

let s: Seeded;
beforeAll(async () => {
  s = await seeded('target_faults');
});
afterAll(async () => {
  await s?.cleanup();
});

/** Runs `fn` against a target with one defect switch at rate 1. */
async function withFault(fault: string, fn: (t: RunningApi) => Promise<void>): Promise<void> {
  await clearPrefix(s.redis, s.prefix);
  const t = await startApi({
    config: targetConfig(s.prefix, { api: { defects: { [fault]: 1 } } }),
    databaseUrl: s.db.url,
    redisUrl: REDIS_URL,
  });
  try {
    expect(t.defects).toEqual({ [fault]: 1 });
    expect((await call(t.url, 'GET', '/healthz')).json.defects).toEqual({ [fault]: 1 });
    await fn(t);
  } finally {
    await t.close();
  }
}

const cached = async (key: string) => JSON.parse((await s.redis.get(s.prefix + key))!);

describe('defect switches at rate 1.0', () => {
  it('skipInvalidationRate: the write commits, the old entry stays in Redis and is served', async () => {
    await withFault('skipInvalidationRate', async (t) => {
      const before = (await call(t.url, 'GET', '/api/v1/policies/3')).json.policy.version;
      const put = await call(t.url, 'PUT', '/api/v1/policies/3', {
        expectedVersion: before,
        updatedBy: 1,
        name: 'renamed',
      });
      expect(put.status).toBe(200);
      expect((await cached('policy:3')).v).toBe(before);
      const again = await call(t.url, 'GET', '/api/v1/policies/3');
      expect(again.headers.get('x-cache')).toBe('HIT');
      expect(again.json.policy.version).toBe(before); // stale, on purpose
      const m = (await call(t.url, 'GET', '/metrics')).text;
      expect(metricValue(m, 'acgs_defect_injected_total{defect="skipInvalidation"}')).toBe(1);
    });
  });

  it('wrongVersionRate: a cache fill stores v = row version + 1 with the real row', async () => {
    await withFault('wrongVersionRate', async (t) => {
      const r = await call(t.url, 'GET', '/api/v1/principles/4');
      const entry = await cached('principle:4');
      expect(entry.v).toBe(r.json.version + 1);
      expect(entry.row).toEqual(r.json);
    });
  });

  it('noTtlRate: a cache fill is written without TTL', async () => {
    await withFault('noTtlRate', async (t) => {
      await call(t.url, 'GET', '/api/v1/principles/5');
      expect(await s.redis.ttl(`${s.prefix}principle:5`)).toBe(-1);
    });
  });

  it('skipVoteCounterRate: the vote row is inserted, the counter does not move', async () => {
    await withFault('skipVoteCounterRate', async (t) => {
      const [a] = (
        await s.pg.query("SELECT id::int, votes_for FROM amendments WHERE status = 'open' ORDER BY id LIMIT 1")
      ).rows;
      const [voter] = (
        await s.pg.query(
          'SELECT id::int FROM users u WHERE NOT EXISTS (SELECT 1 FROM amendment_votes v WHERE v.amendment_id = $1 AND v.voter_id = u.id) ORDER BY id LIMIT 1',
          [a.id],
        )
      ).rows;
      const r = await call(t.url, 'POST', `/api/v1/amendments/${a.id}/votes`, { voterId: voter.id, choice: 'for' });
      expect(r.status).toBe(201);
      const [after] = (
        await s.pg.query(
          `SELECT votes_for, (SELECT count(*)::int FROM amendment_votes v WHERE v.amendment_id = a.id AND v.choice = 'for') AS n FROM amendments a WHERE id = $1`,
          [a.id],
        )
      ).rows;
      expect(after.votes_for).toBe(a.votes_for);
      expect(after.n).toBe(a.votes_for + 1); // counter != counted rows: what the isolation checker catches
    });
  });
});

describe('defect switches off', () => {
  it('a fill has the row version and the policy TTL; writes invalidate; counters move', async () => {
    await clearPrefix(s.redis, s.prefix);
    const t = await startApi({ config: targetConfig(s.prefix), databaseUrl: s.db.url, redisUrl: REDIS_URL });
    try {
      expect(t.defects).toEqual({});
      const r = await call(t.url, 'GET', '/api/v1/principles/6');
      expect((await cached('principle:6')).v).toBe(r.json.version);
      expect(await s.redis.ttl(`${s.prefix}principle:6`)).toBeGreaterThan(0);
      const before = (await call(t.url, 'GET', '/api/v1/policies/9')).json.policy.version;
      await call(t.url, 'PUT', '/api/v1/policies/9', { expectedVersion: before, updatedBy: 1, name: 'n' });
      expect(await s.redis.exists(`${s.prefix}policy:9`)).toBe(0);
      expect((await call(t.url, 'GET', '/metrics')).text).not.toContain('acgs_defect_injected_total{');
    } finally {
      await t.close();
    }
  });
});
