/**
 * What every route module shares: its dependencies, JSON-schema fragments,
 * the run id / client request id of a write, and the audit row every write
 * adds in its own transaction.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { CacheAside } from '../cache-aside.ts';
import type { Database, Queryable } from '../db.ts';
import type { Defects } from '../defects.ts';

/** What route handlers use. */
export interface RouteDeps {
  db: Database;
  cache: CacheAside;
  config: Readonly<Config>;
  defects: Defects;
}

/** Largest id the API accepts (ids are bigint, JSON numbers stay exact below 2^53). */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

export const idSchema = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: idSchema },
  additionalProperties: false,
} as const;
/** Optional body fields of every write (the headers X-Run-Id / X-Client-Request-Id win). */
export const runFields = {
  runId: { type: 'string', minLength: 1, maxLength: 200 },
  clientRequestId: { type: 'string', minLength: 1, maxLength: 200 },
} as const;

/** The error body of docs/api.md, referenced by the OpenAPI document. */
export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string' },
  },
} as const;

/** The run id and client request id of a write: headers first, then body fields. */
export function writeMeta(req: FastifyRequest): { runId: string | null; clientRequestId: string | null } {
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as {
    runId?: unknown;
    clientRequestId?: unknown;
  };
  const field = (v: unknown): string | undefined =>
    typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined;
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    const s = Array.isArray(v) ? v[0] : v;
    return s && s.length <= 200 ? s : undefined;
  };
  return {
    runId: header('x-run-id') ?? field(body.runId) ?? null,
    clientRequestId: header('x-client-request-id') ?? field(body.clientRequestId) ?? null,
  };
}

/** Inserts the audit_log row of a write, inside the write's transaction. */
export async function audit(
  tx: Queryable,
  entry: { actorId: number; action: string; entityType: string; entityId: number; details: unknown },
  meta: { runId: string | null; clientRequestId: string | null },
): Promise<void> {
  await tx.query(
    'write',
    `INSERT INTO audit_log (occurred_at, actor_id, action, entity_type, entity_id, details, run_id, client_request_id)
     VALUES (now(), $1, $2, $3, $4, $5, $6, $7)`,
    [
      entry.actorId,
      entry.action,
      entry.entityType,
      entry.entityId,
      JSON.stringify(entry.details),
      meta.runId,
      meta.clientRequestId,
    ],
  );
}

/**
 * One statement that inserts a row and its audit_log row (the same columns
 * `audit` writes), returning the inserted row: `insertSql` is an
 * `INSERT ... RETURNING *` whose row has `id`, `run_id` and `client_request_id`;
 * the audit row takes actor, action, entity type and details from parameters
 * `$first` .. `$first+3`. A single statement commits both rows or neither, with
 * one `now()`, so a write needs no BEGIN and COMMIT round trips.
 */
export function insertWithAuditSql(insertSql: string, first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `WITH inserted AS (
${insertSql}
), audited AS (
  INSERT INTO audit_log (occurred_at, actor_id, action, entity_type, entity_id, details, run_id, client_request_id)
  SELECT now(), ${p(0)}::bigint, ${p(1)}::text, ${p(2)}::text, inserted.id, ${p(3)}::jsonb, inserted.run_id, inserted.client_request_id
    FROM inserted
)
SELECT * FROM inserted`;
}

/** The audit parameters of `insertWithAuditSql`, in its order. */
export function auditParams(entry: {
  actorId: number;
  action: string;
  entityType: string;
  details: unknown;
}): unknown[] {
  return [entry.actorId, entry.action, entry.entityType, JSON.stringify(entry.details)];
}

/** Sends 201 with a body. */
export function created(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.code(201).send(body);
}
