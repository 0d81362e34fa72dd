/**
 * fastify plugin that owns the PostgreSQL pool: creates it, checks readiness
 * (the server answers and holds the acgs-load schema) before the target
 * listens, and ends the pool when the app closes. Decorates `app.pg`.
 * (After fastify-postgres `index.js`.)
 */
import type { FastifyInstance } from 'fastify';
import { AcgsError, redactUrl, type Config } from '../../config/index.ts';
import { Database } from '../db.ts';
import type { ApiMetrics } from '../metrics.ts';
import { pgError } from '../../services/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    pg: Database;
  }
}

export interface PostgresPluginOptions {
  databaseUrl: string;
  pool: Config['pool'];
  metrics: ApiMetrics;
}

/** Connects and checks the schema; throws PG_UNREACHABLE / PG_ERROR for a person to act on. */
export async function checkReadiness(db: Database, databaseUrl: string): Promise<void> {
  let rows: Array<{ t: string | null }>;
  try {
    rows = await db.query<{ t: string | null }>(undefined, 'simple', "SELECT to_regclass('policies')::text AS t");
  } catch (e) {
    throw pgError((e as Error).cause ?? e, databaseUrl, 'starting the API');
  }
  if (!rows[0]?.t) {
    throw new AcgsError(
      'PG_ERROR',
      `database '${redactUrl(databaseUrl)}' has no acgs-load schema (table policies is missing)`,
      {
        hint: 'run `acgs-load seed` against it first',
      },
    );
  }
}

async function postgresPlugin(app: FastifyInstance, opts: PostgresPluginOptions): Promise<void> {
  const db = new Database(opts.databaseUrl, opts.pool);
  db.instrument(opts.metrics, opts.pool);
  try {
    await checkReadiness(db, opts.databaseUrl);
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  app.decorate('pg', db);
  app.addHook('onClose', async () => {
    await db.close();
  });
}

// Share the decorator with the parent scope (what fastify-plugin does).
(postgresPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(postgresPlugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'acgs-postgres';

export default postgresPlugin;
