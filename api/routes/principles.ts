/**
 * Simple SELECT by key, cache-aside: a principle (governanceRules) and a
 * static configuration entry (staticConfig).
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../http-errors.ts';
import { idParams, type RouteDeps } from './_shared.ts';

type Row = Record<string, unknown> & { version: number };

const configKeyParams = {
  type: 'object',
  required: ['key'],
  properties: { key: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:/-]+$' } },
  additionalProperties: false,
} as const;

export function registerPrincipleRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { id: number } }>(
    '/api/v1/principles/:id',
    {
      schema: {
        summary: 'A constitutional principle (simple; cache-aside principle:{id}, governanceRules TTL)',
        tags: ['reads'],
        params: idParams,
        'x-response': { description: 'the principles row (every column, docs/cache-keys.md encoding)' },
      },
    },
    async (req) => {
      const { id } = req.params;
      const row = await deps.cache.read<Row>(req.timing, {
        key: deps.cache.key('principle:{id}', id),
        dataType: 'governanceRules',
        kind: 'entity',
        load: async () => {
          const rows = await deps.db.query<Row>(req.timing, 'simple', 'SELECT * FROM principles WHERE id = $1', [id]);
          return rows[0] ? { v: rows[0].version, payload: rows[0] } : null;
        },
      });
      if (!row) throw notFound('principle', id);
      return row;
    },
  );

  app.get<{ Params: { key: string } }>(
    '/api/v1/config/:key',
    {
      schema: {
        summary: 'A static configuration entry (simple; cache-aside config:{key}, staticConfig TTL)',
        tags: ['reads'],
        params: configKeyParams,
        'x-response': { description: 'the static_config row' },
      },
    },
    async (req) => {
      const { key } = req.params;
      const row = await deps.cache.read<Row>(req.timing, {
        key: deps.cache.key('config:{id}', key),
        dataType: 'staticConfig',
        kind: 'entity',
        load: async () => {
          const rows = await deps.db.query<Row>(req.timing, 'simple', 'SELECT * FROM static_config WHERE key = $1', [
            key,
          ]);
          return rows[0] ? { v: rows[0].version, payload: rows[0] } : null;
        },
      });
      if (!row) throw notFound('config key', key, 'key');
      return row;
    },
  );
}
