/**
 * The index range scan: an actor's audit log in a time window, by
 * (occurred_at, id), with keyset pagination (the cursor is the last row's
 * occurred_at and id; no OFFSET, so page N costs what page 1 costs).
 * Uses audit_log_actor_time_idx (actor_id, occurred_at). Not cached.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http-errors.ts';
import { idSchema, type RouteDeps } from './_shared.ts';

// cursor_ts: the exact timestamp (microseconds) for the cursor; the ISO form has milliseconds only.
export const FIRST_PAGE_SQL = `
SELECT *, occurred_at::text AS cursor_ts FROM audit_log
 WHERE actor_id = $1 AND occurred_at >= $2 AND occurred_at < $3
 ORDER BY occurred_at, id
 LIMIT $4`;

const NEXT_PAGE_SQL = `
SELECT *, occurred_at::text AS cursor_ts FROM audit_log
 WHERE actor_id = $1 AND occurred_at >= $2 AND occurred_at < $3
   AND (occurred_at, id) > ($5::timestamptz, $6::bigint)
 ORDER BY occurred_at, id
 LIMIT $4`;

const auditQuery = {
  type: 'object',
  required: ['actorId'],
  properties: {
    actorId: idSchema,
    from: { type: 'string', format: 'date-time', default: '1970-01-01T00:00:00.000Z' },
    to: { type: 'string', format: 'date-time', default: '9999-12-31T00:00:00.000Z' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
  },
  additionalProperties: false,
} as const;

interface AuditQuery {
  actorId: number;
  from: string;
  to: string;
  limit: number;
  cursor?: string;
}

/** Pure: the opaque cursor of a row (base64url of `<occurred_at as PostgreSQL text>|id`). */
export function encodeCursor(occurredAtText: string, id: number): string {
  return Buffer.from(`${occurredAtText}|${id}`).toString('base64url');
}

/** Pure: the position of a cursor; throws a 400 naming `cursor` when it is not one of ours. */
export function decodeCursor(cursor: string): { occurredAt: string; id: number } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2})?)\|(\d{1,16})$/.exec(text);
  if (!m) {
    throw new ApiError(400, 'bad_request', 'querystring/cursor is not a cursor returned by this endpoint', 'cursor');
  }
  return { occurredAt: m[1], id: Number(m[2]) };
}

export function registerAuditRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Querystring: AuditQuery }>(
    '/api/v1/audit',
    {
      schema: {
        summary: "An actor's audit log in a time window [from, to), keyset-paginated (index_scan; not cached)",
        tags: ['reads'],
        querystring: auditQuery,
        'x-response': { description: '`{"items": [audit_log rows by occurred_at, id], "nextCursor": string | null}`' },
      },
    },
    async (req) => {
      const q = req.query;
      if (Date.parse(q.from) >= Date.parse(q.to))
        throw new ApiError(400, 'bad_request', 'querystring/from must be before to', 'from');
      const params: unknown[] = [q.actorId, q.from, q.to, q.limit];
      let sql = FIRST_PAGE_SQL;
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        params.push(c.occurredAt, c.id);
        sql = NEXT_PAGE_SQL;
      }
      const rows = await deps.db.query<{ cursor_ts?: string; id: number }>(req.timing, 'index_scan', sql, params);
      const last = rows[rows.length - 1];
      const nextCursor = rows.length === q.limit && last ? encodeCursor(String(last.cursor_ts), last.id) : null;
      for (const r of rows) delete r.cursor_ts;
      return { items: rows, nextCursor };
    },
  );
}
