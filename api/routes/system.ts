/**
 * /healthz, /metrics and /openapi.json: the target's own endpoints, outside
 * /api/v1 and not counted as load.
 */
import type { FastifyInstance } from 'fastify';
import type { Cache } from '../cache.ts';
import type { Database } from '../db.ts';
import type { Defects } from '../defects.ts';
import type { ApiMetrics } from '../metrics.ts';

const HEALTH_QUERY_TIMEOUT_MS = 1000;

export interface SystemDeps {
  db: Database;
  cache: Cache;
  defects: Defects;
  metrics: ApiMetrics;
  openapi: () => Record<string, unknown>;
}

/** SELECT 1 within a second; false when PostgreSQL or the pool cannot answer. */
async function postgresUp(db: Database): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_QUERY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      db.query(undefined, 'simple', 'SELECT 1').then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerSystemRoutes(app: FastifyInstance, deps: SystemDeps): void {
  app.get(
    '/healthz',
    {
      schema: {
        summary:
          'PostgreSQL and Redis status, pool figures, active defect switches (200 ok/degraded, 503 when PostgreSQL is down)',
        tags: ['system'],
        'x-response': {
          description: '`{"status": "ok"|"degraded"|"down", "postgres": {...}, "redis": {...}, "defects": {...}}`',
        },
      },
    },
    async (_req, reply) => {
      const pgUp = await postgresUp(deps.db);
      const redis = deps.cache.status();
      const status = !pgUp ? 'down' : redis.status === 'up' ? 'ok' : 'degraded';
      return reply.code(pgUp ? 200 : 503).send({
        status,
        postgres: { status: pgUp ? 'up' : 'down', pool: deps.db.snapshot() },
        redis,
        defects: deps.defects.active(),
      });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus text exposition (prom-client)',
        tags: ['system'],
        'x-response': { description: 'text/plain; version=0.0.4' },
      },
    },
    async (_req, reply) => {
      const text = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(text);
    },
  );

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This contract as OpenAPI 3.1',
        tags: ['system'],
        'x-response': { description: 'the OpenAPI document' },
      },
    },
    async () => deps.openapi(),
  );
}
