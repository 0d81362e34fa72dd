/** Finding the services, and throw-away servers started from local binaries. */
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { isListening, resolveServices, startThrowawayPostgres, startThrowawayRedis } from './discover.ts';

describe('service discovery', () => {
  it('uses DATABASE_URL and REDIS_URL when given', async () => {
    const config = loadConfig({
      profile: 'smoke',
      env: { DATABASE_URL: 'postgres://a@127.0.0.1:5999/x', REDIS_URL: 'redis://127.0.0.1:6999' },
    });
    const s = await resolveServices(config);
    expect(s).toMatchObject({
      databaseUrl: 'postgres://a@127.0.0.1:5999/x',
      redisUrl: 'redis://127.0.0.1:6999',
      source: { postgres: 'env', redis: 'env' },
    });
    await s.stop();
  });

  it('uses the local servers on the standard ports, with the configured database name', async () => {
    const config = loadConfig({ profile: 'smoke', env: { ACGS_DATABASE_NAME: 'acgs_t_services' } });
    const s = await resolveServices(config);
    expect(s.source).toEqual({ postgres: 'local', redis: 'local' });
    expect(s.databaseUrl).toMatch(/@127\.0\.0\.1:5432\/acgs_t_services$/);
    await s.stop();
  });

  it('starts, restarts and stops a throw-away Redis', async () => {
    const r = await startThrowawayRedis();
    const port = Number(new URL(r.url).port);
    const client = new Redis(r.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.set('t_throwaway:x', '1');
      expect(await client.get('t_throwaway:x')).toBe('1');
    } finally {
      client.disconnect();
    }
    await r.restart();
    expect(await isListening('127.0.0.1', port)).toBe(true);
    await r.stop();
    expect(await isListening('127.0.0.1', port)).toBe(false);
  });

  it('starts and stops a throw-away PostgreSQL', async () => {
    const p = await startThrowawayPostgres();
    const port = Number(new URL(p.url).port);
    try {
      const c = new pg.Client({ connectionString: p.url });
      await c.connect();
      const r = await c.query('SELECT 1 AS one');
      expect(r.rows).toEqual([{ one: 1 }]);
      await c.end();
    } finally {
      await p.stop();
    }
    expect(await isListening('127.0.0.1', port)).toBe(false);
  });
});
