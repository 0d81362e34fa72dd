/**
 * Public API of api/: the reference governance API (the system under test
 * that ships with the suite). See docs/api.md for the HTTP contract and
 * docs/cache-keys.md for what it writes into Redis.
 */
import type { Config } from '../config/index.ts';
import { buildApp, openApiDocument } from './app.ts';
import type { ActiveDefects } from './defects.ts';
import type { WarmResult } from '../seed/index.ts';
import { listenError } from '../services/index.ts';

export { openApiDocument };
export { API_APPLICATION_NAME } from './db.ts';
// The API's own SQL for the query types the report times, so EXPLAIN in the
// report shows the plan of the statement that ran.
export { TALLY_SQL, STATS_SQL } from './routes/amendments.ts';
export { POLICY_JOIN_SQL } from './routes/policies.ts';
export { FIRST_PAGE_SQL } from './routes/audit.ts';
export { COMPLIANCE_REPORT_SQL } from './routes/compliance-report-sql.ts';
export type { ActiveDefects };

export interface ApiOptions {
  config: Readonly<Config>;
  databaseUrl: string;
  redisUrl: string;
  /** Default config.api.host. */
  host?: string;
  /** Default config.api.port (0 = a free port). */
  port?: number;
  /** fastify's pino logger to stdout; default off. */
  logger?: boolean;
}

export interface RunningApi {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** Fault switches that are on (rate > 0); empty when none. Also in /healthz. */
  defects: ActiveDefects;
  /** What the cache warmer wrote (null when warmOnStart is off or Redis is down). */
  warmed: WarmResult | null;
  /** Stops listening, ends the pool and the Redis connection. */
  close(): Promise<void>;
}

/**
 * Starts the target: connects PostgreSQL (readiness: the schema is there,
 * else AcgsError PG_UNREACHABLE / PG_ERROR) and Redis (down is allowed: reads
 * BYPASS until it answers), warms the cache when configured, and listens.
 */
export async function startApi(opts: ApiOptions): Promise<RunningApi> {
  const { app, defects } = await buildApp(opts);
  try {
    // The one cache warmer (seed/), the same that `acgs-load warm` runs; nothing to
    // warm into while Redis is down (reads BYPASS until it answers). Loaded only when
    // used: the seeder's generators (faker) would slow every start of the API.
    const { cache, redis } = opts.config;
    const warmed =
      cache.warmOnStart && app.cache.available
        ? await (
            await import('../seed/index.ts')
          ).warmCache({
            databaseUrl: opts.databaseUrl,
            redisUrl: opts.redisUrl,
            prefix: redis.prefix,
            ttlSeconds: cache.ttlSeconds,
            hotFraction: cache.warmHotFraction,
          })
        : null;
    const host = opts.host ?? opts.config.api.host;
    const port = opts.port ?? opts.config.api.port;
    await app.listen({ host, port }).catch((e: unknown) => {
      throw listenError(e, host, port, `the API's address (api.host:api.port)`) ?? e;
    });
    const addr = app.server.address();
    if (addr === null || typeof addr === 'string') throw new Error(`unexpected server address ${String(addr)}`);
    const bound = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${bound}:${addr.port}`,
      defects: defects.active(),
      warmed,
      close: () => (closing ??= app.close()),
    };
  } catch (e) {
    await app.close().catch(() => {});
    throw e;
  }
}
