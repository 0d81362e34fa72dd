/**
 * Cache warming when the target starts (config `cache.warmOnStart`): the hot
 * entities of each family go through the target's own read path (an in-process
 * request per key, so the value, its version and its TTL are exactly what a
 * cache fill writes). "Hot" is the lowest ids, which the seeder's skewed
 * popularity favours, `cache.warmHotFraction` of each table, at most
 * MAX_PER_FAMILY keys per family.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';

export const MAX_PER_FAMILY = 2000;
const CONCURRENCY = 8;

/** Route path prefix and the SQL listing its hot ids (constants). */
const FAMILIES: Array<{ family: string; path: (id: string | number) => string; sql: string }> = [
  { family: 'principle', path: (id) => `/api/v1/principles/${id}`, sql: 'SELECT id FROM principles ORDER BY id LIMIT $1' },
  { family: 'policy', path: (id) => `/api/v1/policies/${id}`, sql: 'SELECT id FROM policies ORDER BY id LIMIT $1' },
  { family: 'config', path: (id) => `/api/v1/config/${encodeURIComponent(String(id))}`, sql: 'SELECT key AS id FROM static_config ORDER BY key LIMIT $1' },
  { family: 'api:tally', path: (id) => `/api/v1/amendments/${id}/tally`, sql: "SELECT id FROM amendments WHERE status = 'open' ORDER BY id LIMIT $1" },
];
const COUNT_SQL: Record<string, string> = {
  principle: 'SELECT count(*) AS n FROM principles',
  policy: 'SELECT count(*) AS n FROM policies',
  config: 'SELECT count(*) AS n FROM static_config',
  'api:tally': "SELECT count(*) AS n FROM amendments WHERE status = 'open'",
};

/** What warming wrote, per family. */
export type WarmReport = Record<string, { requested: number; cached: number }>;

/** Warms the hot entries; returns how many keys per family were read through the cache. */
export async function warmOnStart(app: FastifyInstance, config: Readonly<Config>): Promise<WarmReport> {
  const report: WarmReport = {};
  if (!app.cache.available) return report; // nothing to warm into; reads BYPASS until Redis is back
  for (const f of FAMILIES) {
    const [{ n }] = await app.pg.query<{ n: number }>(undefined, 'simple', COUNT_SQL[f.family]);
    const limit = Math.min(MAX_PER_FAMILY, Math.ceil(n * config.cache.warmHotFraction));
    const ids = (await app.pg.query<{ id: string | number }>(undefined, 'simple', f.sql, [limit])).map((r) => r.id);
    let cached = 0;
    for (let i = 0; i < ids.length; i += CONCURRENCY) {
      const batch = ids.slice(i, i + CONCURRENCY);
      const res = await Promise.all(batch.map((id) => app.inject({ method: 'GET', url: f.path(id), headers: { 'x-acgs-warm': '1' } })));
      cached += res.filter((r) => r.statusCode === 200 && r.headers['x-cache'] !== 'BYPASS').length;
    }
    report[f.family] = { requested: ids.length, cached };
  }
  return report;
}
