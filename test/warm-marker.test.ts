/**
 * The warm set a run's scenarios judge the cache by, on the real PostgreSQL
 * and Redis (this file's own database and prefix):
 * - the warmer's marker lists exactly the keys it wrote, per family;
 * - the target publishes that marker at GET /api/v1/ids as `warm`, or null
 *   when there is none;
 * - the run's warm stage empties the prefix also with cache.warmOnStart
 *   false (before, the stage was skipped and the run read the previous run's
 *   entries), and marks the cache as warmed with nothing;
 * - the skipFill defect stops write-back on a miss and write-through on create.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../api/index.ts';
import { deepMerge, loadConfig } from '../config/index.ts';
import { parseWarmMarker, WARM_META_KEY, type WarmMarker } from '../schema/index.ts';
import { emptyCache, warmCache } from '../seed/index.ts';
import { warmStage } from '../run/warm-stage.ts';
import { StageLog } from '../run/stage.ts';
import { normalizeWarmSet, WarmLookup } from '../scenarios/lib/warm-set.ts';
import type { KeyPattern } from '../scenarios/lib/cache-keys.ts';
import { clearPrefix, REDIS_URL } from './helpers/services.ts';
import { call, seeded, targetConfig, type Seeded } from './helpers/api-fixture.ts';

let s: Seeded;
beforeAll(async () => {
  s = await seeded('warm_marker');
}, 120_000);
afterAll(async () => {
  await s?.cleanup();
});

const marker = async (): Promise<WarmMarker | null> => parseWarmMarker(await s.redis.get(s.prefix + WARM_META_KEY));

/** Every key under the prefix, by family pattern ('principle:{id}' -> ids). */
async function keysByFamily(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let cursor = '0';
  do {
    const [next, keys] = await s.redis.scan(cursor, 'MATCH', `${s.prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) {
      const rest = k.slice(s.prefix.length);
      if (rest.startsWith('meta:')) continue;
      const cut = rest.lastIndexOf(':');
      const pattern = `${rest.slice(0, cut)}:{id}`;
      out.set(pattern, [...(out.get(pattern) ?? []), rest.slice(cut + 1)]);
    }
  } while (cursor !== '0');
  return out;
}

const warmOpts = () => ({
  databaseUrl: s.db.url,
  redisUrl: REDIS_URL,
  prefix: s.prefix,
  ttlSeconds: targetConfig(s.prefix).cache.ttlSeconds,
  hotFraction: 0.2,
});

describe('the warm marker', () => {
  it('lists exactly the keys the warmer wrote, each family, stamped before the first write', async () => {
    await s.redis.set(`${s.prefix}principle:999999`, 'left by an earlier run');
    const before = Date.now();
    const w = await warmCache({ ...warmOpts(), emptyFirst: true });
    const m = (await marker())!;
    expect(m).not.toBeNull();
    expect(m.cleared).toBe(true);
    expect(Date.parse(m.at)).toBeGreaterThanOrEqual(before - 1000);
    const look = new WarmLookup(normalizeWarmSet(m));
    const keys = await keysByFamily();
    expect(keys.get('principle:{id}')).not.toContain('999999');
    let listed = 0;
    for (const [pattern, ids] of keys) {
      const f = m.families[pattern];
      expect(f, pattern).toBeDefined();
      if ('count' in f!) {
        expect(f.count, pattern).toBe(ids.length);
        continue;
      }
      for (const id of ids) expect(look.of(pattern as KeyPattern, id), `${pattern} ${id}`).toBe('warmed');
      const n = 'ranges' in f! ? f.ranges.reduce((a, [lo, hi]) => a + hi - lo + 1, 0) : f!.keys.length;
      expect(n, `${pattern}: listed = written`).toBe(ids.length);
      listed += n;
    }
    expect(listed).toBeGreaterThan(0);
    expect(Object.values(w.byFamily).reduce((a, b) => a + b, 0)).toBe(w.keys);
    // An id just past a warmed range is not warmed.
    const [, hi] = (m.families['principle:{id}'] as { ranges: Array<[number, number]> }).ranges.at(-1)!;
    expect(look.of('principle:{id}', hi + 1)).toBe('not_warmed');
  });

  it('is published by the target at GET /api/v1/ids as `warm`, null when there is none', async () => {
    await warmCache({ ...warmOpts(), emptyFirst: true });
    const m = await marker();
    const t = await startApi({ config: targetConfig(s.prefix), databaseUrl: s.db.url, redisUrl: REDIS_URL });
    try {
      expect((await call(t.url, 'GET', '/api/v1/ids')).json.warm).toEqual(m);
      await s.redis.del(s.prefix + WARM_META_KEY);
      expect((await call(t.url, 'GET', '/api/v1/ids')).json.warm).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('emptyCache empties the prefix and marks it warmed with nothing', async () => {
    await warmCache({ ...warmOpts(), emptyFirst: true });
    expect((await keysByFamily()).size).toBeGreaterThan(0);
    const r = await emptyCache({ redisUrl: REDIS_URL, prefix: s.prefix });
    expect(r.cleared).toBeGreaterThan(0);
    expect((await keysByFamily()).size).toBe(0);
    const m = (await marker())!;
    expect(m.families).toEqual({});
    expect(m.cleared).toBe(true);
  });
});

describe("the run's warm stage", () => {
  const cfg = (warmOnStart: boolean) =>
    loadConfig({ env: {}, flags: deepMerge({ redis: { prefix: s.prefix } }, { cache: { warmOnStart } }) });

  it("broken before the fix: warmOnStart false left the previous run's entries; now the prefix is emptied", async () => {
    await clearPrefix(s.redis, s.prefix);
    await s.redis.set(`${s.prefix}principle:3`, '{"v":1,"row":{},"cachedAt":"earlier run"}');
    const lines: string[] = [];
    await warmStage({
      stages: new StageLog((l) => lines.push(l)),
      config: cfg(false),
      databaseUrl: s.db.url,
      redisUrl: REDIS_URL,
    });
    expect(await s.redis.exists(`${s.prefix}principle:3`)).toBe(0);
    expect((await marker())!.families).toEqual({});
    expect(lines.join('\n')).toContain('cache.warmOnStart is false: emptied the prefix (1 keys), warmed nothing');
  });

  it('with warmOnStart, empties the prefix first and warms', async () => {
    await s.redis.set(`${s.prefix}principle:999998`, 'left by an earlier run');
    await warmStage({ stages: new StageLog(() => {}), config: cfg(true), databaseUrl: s.db.url, redisUrl: REDIS_URL });
    expect(await s.redis.exists(`${s.prefix}principle:999998`)).toBe(0);
    expect(Object.keys((await marker())!.families).length).toBeGreaterThan(0);
  });
});

describe('the skipFill defect', () => {
  it('a miss is not written back and a created decision not written through: the next read misses again', async () => {
    await clearPrefix(s.redis, s.prefix);
    const t = await startApi({
      config: targetConfig(s.prefix, { api: { defects: { skipFillRate: 1 } } }),
      databaseUrl: s.db.url,
      redisUrl: REDIS_URL,
    });
    try {
      expect(t.defects).toEqual({ skipFillRate: 1 });
      const xs = [];
      for (let i = 0; i < 2; i++) xs.push((await call(t.url, 'GET', '/api/v1/principles/7')).headers.get('x-cache'));
      expect(xs).toEqual(['MISS', 'MISS']);
      expect(await s.redis.exists(`${s.prefix}principle:7`)).toBe(0);
      const d = await call(t.url, 'POST', '/api/v1/decisions', {
        policyId: 1,
        subjectId: 1,
        action: 'read',
        resource: 'policy:1',
      });
      expect(d.status).toBe(201);
      const id = d.json.id ?? d.json.decision?.id;
      expect((await call(t.url, 'GET', `/api/v1/decisions/${id}`)).headers.get('x-cache')).toBe('MISS');
    } finally {
      await t.close();
    }
    // Off (the default), the second read is a hit.
    const ok = await startApi({ config: targetConfig(s.prefix), databaseUrl: s.db.url, redisUrl: REDIS_URL });
    try {
      await call(ok.url, 'GET', '/api/v1/principles/8');
      expect((await call(ok.url, 'GET', '/api/v1/principles/8')).headers.get('x-cache')).toBe('HIT');
    } finally {
      await ok.close();
    }
  });
});
