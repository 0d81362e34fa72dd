/**
 * Public API of target/: the reference governance API (the system under test
 * that ships with the suite). See docs/api.md for the HTTP contract and
 * docs/cache-keys.md for what it writes into Redis.
 */
import type { Config } from '../config/schema.ts';
import { buildApp, openApiDocument } from './app.ts';
import type { ActiveFaults } from './faults.ts';
import { warmOnStart, type WarmReport } from './warm.ts';

export { openApiDocument };
export type { ActiveFaults, WarmReport };

export interface TargetOptions {
  config: Readonly<Config>;
  databaseUrl: string;
  redisUrl: string;
  /** Default config.target.host. */
  host?: string;
  /** Default config.target.port (0 = a free port). */
  port?: number;
  /** fastify's pino logger to stdout; default off. */
  logger?: boolean;
}

export interface RunningTarget {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** Fault switches that are on (rate > 0); empty when none. Also in /healthz. */
  faults: ActiveFaults;
  /** Keys warmed per family (empty when warmOnStart is off or Redis is down). */
  warmed: WarmReport;
  /** Stops listening, ends the pool and the Redis connection. */
  close(): Promise<void>;
}

/**
 * Starts the target: connects PostgreSQL (readiness: the schema is there,
 * else AcgsError PG_UNREACHABLE / PG_ERROR) and Redis (down is allowed: reads
 * BYPASS until it answers), warms the cache when configured, and listens.
 */
export async function startTarget(opts: TargetOptions): Promise<RunningTarget> {
  const { app, faults } = await buildApp(opts);
  try {
    const warmed = opts.config.cache.warmOnStart ? await warmOnStart(app, opts.config) : {};
    await app.listen({ host: opts.host ?? opts.config.target.host, port: opts.port ?? opts.config.target.port });
    const addr = app.server.address();
    if (addr === null || typeof addr === 'string') throw new Error(`unexpected server address ${String(addr)}`);
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${addr.port}`,
      faults: faults.active(),
      warmed,
      close: () => (closing ??= app.close()),
    };
  } catch (e) {
    await app.close().catch(() => {});
    throw e;
  }
}
