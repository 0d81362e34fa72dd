/**
 * Degradation: Redis down (killed, or cut off while keeping its data) ->
 * reads BYPASS, writes succeed, and when Redis returns no stale entry is
 * served; PostgreSQL unreachable or the pool exhausted -> 503 + Retry-After,
 * never a hang or a crash.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startApi, type RunningApi } from '../api/index.ts';
import { clearPrefix, REDIS_URL } from './helpers/services.ts';
import {
  call,
  eventually,
  freePort,
  metricValue,
  seeded,
  startRedisServer,
  startTcpProxy,
  stopProcess,
  targetConfig,
  type Seeded,
  type TcpProxy,
} from './helpers/api-fixture.ts';

let s: Seeded;
beforeAll(async () => {
  s = await seeded('target_outage');
});
afterAll(async () => {
  await s?.cleanup();
});

async function version(t: RunningApi, id: number): Promise<{ v: number; cache: string | null }> {
  const r = await call(t.url, 'GET', `/api/v1/policies/${id}`);
  expect(r.status).toBe(200);
  return { v: r.json.policy.version, cache: r.headers.get('x-cache') };
}

async function update(t: RunningApi, id: number, v: number): Promise<void> {
  const r = await call(t.url, 'PUT', `/api/v1/policies/${id}`, {
    expectedVersion: v,
    updatedBy: 1,
    description: `v${v + 1}`,
  });
  expect(r.status).toBe(200);
}

describe('Redis outage', () => {
  let port: number;
  let redis: ChildProcess;
  let t: RunningApi;
  let proxy: TcpProxy;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedisServer(port);
    proxy = await startTcpProxy(port);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    if (redis) await stopProcess(redis);
  });

  it('killed and restarted empty: BYPASS while down, writes succeed, fresh after', async () => {
    t = await startApi({
      config: targetConfig(s.prefix),
      databaseUrl: s.db.url,
      redisUrl: `redis://127.0.0.1:${port}`,
    });
    const before = await version(t, 5);
    expect((await version(t, 5)).cache).toBe('HIT');
    await stopProcess(redis);
    const during = await version(t, 5);
    expect(during).toEqual({ v: before.v, cache: 'BYPASS' });
    await update(t, 5, before.v);
    expect(await version(t, 5)).toEqual({ v: before.v + 1, cache: 'BYPASS' });
    const health = (await call(t.url, 'GET', '/healthz')).json;
    expect(health.status).toBe('degraded');
    expect(health.redis.pendingInvalidations).toBe(2);
    redis = await startRedisServer(port);
    expect(await eventually(async () => (await version(t, 5)).cache !== 'BYPASS')).toBe(true);
    expect((await version(t, 5)).v).toBe(before.v + 1);
    await t.close();
  });

  it('cut off while keeping its data: queued invalidations are replayed before the cache is used', async () => {
    t = await startApi({
      config: targetConfig(s.prefix),
      databaseUrl: s.db.url,
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
    });
    const before = await version(t, 6);
    expect((await version(t, 6)).cache).toBe('HIT');
    await proxy.cut(); // Redis keeps policy:6 at the old version; the target cannot reach it
    await update(t, 6, before.v);
    const direct = new Redis(`redis://127.0.0.1:${port}`);
    const stale = JSON.parse((await direct.get(`${s.prefix}policy:6`))!);
    expect(stale.v).toBe(before.v); // the old entry is still there while the target is cut off
    expect(await version(t, 6)).toEqual({ v: before.v + 1, cache: 'BYPASS' });
    await proxy.restore();
    expect(await eventually(async () => (await call(t.url, 'GET', '/healthz')).json.redis.status === 'up')).toBe(true);
    const after = await version(t, 6);
    expect(after.v).toBe(before.v + 1);
    expect(after.cache).toBe('MISS');
    direct.disconnect();
    await t.close();
  });

  it('hanging (SIGSTOP): commands time out, reads BYPASS instead of waiting, recovery after SIGCONT', async () => {
    t = await startApi({
      config: targetConfig(s.prefix),
      databaseUrl: s.db.url,
      redisUrl: `redis://127.0.0.1:${port}`,
    });
    const before = await version(t, 8);
    expect((await version(t, 8)).cache).toBe('HIT');
    redis.kill('SIGSTOP');
    try {
      await update(t, 8, before.v); // its DEL times out and is queued
      expect(await version(t, 8)).toEqual({ v: before.v + 1, cache: 'BYPASS' });
    } finally {
      redis.kill('SIGCONT');
    }
    expect(await eventually(async () => (await call(t.url, 'GET', '/healthz')).json.redis.status === 'up')).toBe(true);
    expect((await version(t, 8)).v).toBe(before.v + 1);
    await t.close();
  });

  it('down at start: the target starts degraded and serves from PostgreSQL', async () => {
    await stopProcess(redis);
    t = await startApi({
      config: targetConfig(s.prefix),
      databaseUrl: s.db.url,
      redisUrl: `redis://127.0.0.1:${port}`,
    });
    expect((await version(t, 7)).cache).toBe('BYPASS');
    expect((await call(t.url, 'GET', '/healthz')).json.status).toBe('degraded');
    await t.close();
  });
});

describe('PostgreSQL', () => {
  it('pool exhausted: 503 with Retry-After after the acquire timeout, then recovers', async () => {
    const prefix = `${s.prefix.slice(0, -1)}_pool:`;
    await clearPrefix(s.redis, prefix);
    const config = targetConfig(prefix, { pool: { size: 1, overflow: 0, acquireTimeoutMs: 300 } });
    const t = await startApi({ config, databaseUrl: s.db.url, redisUrl: REDIS_URL });
    try {
      await s.pg.query('BEGIN');
      await s.pg.query('LOCK TABLE principles IN ACCESS EXCLUSIVE MODE');
      const held = call(t.url, 'GET', '/api/v1/principles/1'); // takes the only connection, waits on the lock
      const waiting = await eventually(
        async () =>
          (
            await s.pg.query(
              "SELECT 1 FROM pg_stat_activity WHERE application_name = 'acgs-load-target' AND wait_event_type = 'Lock' AND datname = current_database()",
            )
          ).rowCount === 1,
      );
      expect(waiting).toBe(true);
      const r = await call(t.url, 'GET', '/api/v1/principles/2');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.json.error).toBe('unavailable');
      await s.pg.query('COMMIT');
      expect((await held).status).toBe(200);
      expect((await call(t.url, 'GET', '/api/v1/principles/2')).status).toBe(200);
      const m = (await call(t.url, 'GET', '/metrics')).text;
      expect(metricValue(m, 'acgs_pool_acquire_timeouts_total')).toBe(1);
    } finally {
      await s.pg.query('ROLLBACK').catch(() => {});
      await t.close();
      await clearPrefix(s.redis, prefix);
    }
  });

  it('unreachable: 503 with Retry-After, /healthz down, recovers when it returns', async () => {
    const proxy = await startTcpProxy(5432);
    const url = new URL(s.db.url);
    url.port = String(proxy.port);
    const prefix = `${s.prefix.slice(0, -1)}_pgdown:`;
    await clearPrefix(s.redis, prefix);
    const t = await startApi({ config: targetConfig(prefix), databaseUrl: url.toString(), redisUrl: REDIS_URL });
    try {
      expect((await call(t.url, 'GET', '/api/v1/principles/3')).status).toBe(200);
      await proxy.cut();
      const r = await call(t.url, 'GET', '/api/v1/principles/4');
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBeTruthy();
      const h = await call(t.url, 'GET', '/healthz');
      expect(h.status).toBe(503);
      expect(h.json.postgres.status).toBe('down');
      await proxy.restore();
      expect(await eventually(async () => (await call(t.url, 'GET', '/api/v1/principles/4')).status === 200)).toBe(
        true,
      );
    } finally {
      await t.close();
      await proxy.close();
      await clearPrefix(s.redis, prefix);
    }
  });
});
