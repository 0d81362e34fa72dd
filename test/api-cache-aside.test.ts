/**
 * The cache-aside core against a real Redis: a fill that raced with an
 * invalidation does not write its stale value, a read that starts after an
 * invalidation does not join the older load, and adaptive TTL lengthens the
 * TTL of hot keys within its bounds (visible as a metric).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheAside } from '../api/cache-aside.ts';
import { Cache } from '../api/cache.ts';
import { Defects } from '../api/defects.ts';
import { createMetrics } from '../api/metrics.ts';
import { RequestTiming } from '../api/timing.ts';
import { clearPrefix, newRedis, REDIS_URL, testPrefix } from './helpers/services.ts';
import { targetConfig } from './helpers/api-fixture.ts';

const prefix = testPrefix('target_cache_aside');
const redis = newRedis();
let cache: Cache;

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function make(overrides: Record<string, unknown> = {}) {
  const config = targetConfig(prefix, overrides);
  const metrics = createMetrics(
    () => ({ total: 0, idle: 0, waiting: 0 }),
    () => 0,
  );
  return { aside: new CacheAside(cache, config, new Defects(config.api.defects), metrics), metrics };
}

beforeAll(async () => {
  await clearPrefix(redis, prefix);
  cache = new Cache(REDIS_URL, prefix);
  await cache.start();
});
afterAll(async () => {
  await cache.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
});

describe('cache-aside', () => {
  it('a fill whose key was invalidated while it loaded does not write the old value', async () => {
    const { aside } = make();
    const key = aside.key('principle:{id}', 1);
    const load = deferred<{ v: number; payload: { id: number; version: number } }>();
    const loading = deferred<void>();
    const reading = aside.read(new RequestTiming(), {
      key,
      dataType: 'governanceRules',
      kind: 'entity',
      load: () => (loading.resolve(), load.promise),
    });
    await loading.promise; // the GET has missed and the load is running (not a guess at how long that takes)
    await aside.invalidate(new RequestTiming(), [key]); // a write committed meanwhile
    load.resolve({ v: 1, payload: { id: 1, version: 1 } }); // the row as read before the write
    expect(await reading).toEqual({ id: 1, version: 1 });
    expect(await redis.exists(key)).toBe(0);
  });

  it('a rewrite by version keeps the newest value whatever order writers reach Redis in', async () => {
    const { aside } = make();
    const key = aside.key('api:tally:{id}', 9);
    const t = new RequestTiming();
    await aside.rewrite(t, key, 'apiResponses', 'derived', { v: 5, payload: { total: 5 } });
    await aside.rewrite(t, key, 'apiResponses', 'derived', { v: 4, payload: { total: 4 } }); // an older writer arrives late
    const entry = JSON.parse((await redis.get(key))!);
    expect(entry).toMatchObject({ v: 5, data: { total: 5 } });
    expect(await redis.ttl(key)).toBeGreaterThan(590); // apiResponses policy: 600 s
    await aside.rewrite(t, key, 'apiResponses', 'derived', { v: 6, payload: { total: 6 } });
    expect(JSON.parse((await redis.get(key))!)).toMatchObject({ v: 6, data: { total: 6 } });
  });

  it('a fill that started before a rewrite does not overwrite it with the older value', async () => {
    const { aside } = make();
    const key = aside.key('api:tally:{id}', 10);
    const load = deferred<{ v: number; payload: { total: number } }>();
    const reading = aside.read(new RequestTiming(), {
      key,
      dataType: 'apiResponses',
      kind: 'derived',
      load: () => load.promise,
    });
    await new Promise((r) => setTimeout(r, 20));
    await aside.rewrite(new RequestTiming(), key, 'apiResponses', 'derived', { v: 2, payload: { total: 2 } });
    load.resolve({ v: 1, payload: { total: 1 } });
    await reading;
    expect(JSON.parse((await redis.get(key))!)).toMatchObject({ v: 2, data: { total: 2 } });
  });

  it('without an invalidation the fill is written ({v,row,cachedAt})', async () => {
    const { aside } = make();
    const key = aside.key('principle:{id}', 2);
    await aside.read(new RequestTiming(), {
      key,
      dataType: 'governanceRules',
      kind: 'entity',
      load: async () => ({ v: 3, payload: { id: 2, version: 3 } }),
    });
    const entry = JSON.parse((await redis.get(key))!);
    expect(entry).toMatchObject({ v: 3, row: { id: 2, version: 3 } });
    expect(Number.isNaN(Date.parse(entry.cachedAt))).toBe(false);
  });

  it('a read that starts after an invalidation runs its own load', async () => {
    const { aside } = make();
    const key = aside.key('policy:{id}', 3);
    let loads = 0;
    const first = deferred<{ v: number; payload: { n: number } }>();
    const spec = (p: Promise<{ v: number; payload: { n: number } }>) => ({
      key,
      dataType: 'governanceRules' as const,
      kind: 'derived' as const,
      load: () => {
        loads++;
        return p;
      },
    });
    const a = aside.read(new RequestTiming(), spec(first.promise));
    const joined = aside.read(new RequestTiming(), spec(Promise.resolve({ v: 9, payload: { n: 9 } })));
    await new Promise((r) => setTimeout(r, 20));
    expect(loads).toBe(1); // single flight: the second miss joined the first load
    await aside.invalidate(new RequestTiming(), [key]);
    const b = aside.read(new RequestTiming(), spec(Promise.resolve({ v: 2, payload: { n: 2 } })));
    first.resolve({ v: 1, payload: { n: 1 } });
    expect(await a).toEqual({ n: 1 });
    expect(await joined).toEqual({ n: 1 });
    expect(await b).toEqual({ n: 2 });
    expect(loads).toBe(2);
    expect(JSON.parse((await redis.get(key))!).v).toBe(2);
  });

  it('adaptive TTL: a hot key lives longer than a cold one, within [min, max] x policy, shown in /metrics', async () => {
    const { aside, metrics } = make({ cache: { adaptiveTtl: { enabled: true, minFactor: 0.5, maxFactor: 2 } } });
    const hot = aside.key('principle:{id}', 10);
    const cold = aside.key('principle:{id}', 11);
    const spec = (key: string) => ({
      key,
      dataType: 'governanceRules' as const,
      kind: 'entity' as const,
      load: async () => ({ v: 1, payload: { id: 1 } }),
    });
    for (let i = 0; i < 40; i++) {
      await redis.del(hot); // every read misses and refills, as a hot key does after each invalidation
      await aside.read(new RequestTiming(), spec(hot));
    }
    await aside.read(new RequestTiming(), spec(cold));
    const hotTtl = await redis.ttl(hot);
    const coldTtl = await redis.ttl(cold);
    expect(hotTtl).toBe(7200);
    expect(coldTtl).toBeGreaterThanOrEqual(1800);
    expect(coldTtl).toBeLessThan(hotTtl);
    const text = await metrics.registry.getSingleMetricAsString('acgs_cache_adaptive_ttl_seconds');
    expect(text).toMatch(/acgs_cache_adaptive_ttl_seconds\{data_type="governanceRules"\} \d+/);
  });
});
