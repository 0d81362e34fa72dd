/**
 * Policies: the JOIN read (a policy with its rules and principle ids), the
 * optimistic-concurrency update, and the complex compliance report (CTEs and
 * window functions).
 */
import type { FastifyInstance } from 'fastify';
import { pickRow, selectList } from '../columns.ts';
import { ApiError, notFound } from '../http-errors.ts';
import { audit, idParams, idSchema, runFields, writeMeta, type RouteDeps } from './_shared.ts';
import { COMPLIANCE_REPORT_SQL, reportFromRow } from './compliance-report-sql.ts';

type Row = Record<string, unknown> & { version: number };

/** One statement, one snapshot: policy LEFT JOIN its rules, principle ids as an array. */
export const POLICY_JOIN_SQL = `
SELECT ${selectList('policies', 'p', 'p_')}, ${selectList('policy_rules', 'r', 'r_')},
       ARRAY(SELECT pp.principle_id FROM policy_principles pp WHERE pp.policy_id = p.id ORDER BY pp.principle_id) AS principle_ids
  FROM policies p
  LEFT JOIN policy_rules r ON r.policy_id = p.id
 WHERE p.id = $1
 ORDER BY r.rule_order, r.id`;

/** The derived value of `policy:{id}` (docs/cache-keys.md). */
export interface PolicyData {
  policy: Row;
  rules: Record<string, unknown>[];
  principleIds: number[];
}

const updateBody = {
  type: 'object',
  required: ['expectedVersion', 'updatedBy'],
  properties: {
    expectedVersion: { type: 'integer', minimum: 1, maximum: 2147483647 },
    updatedBy: idSchema,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 5000 },
    status: { type: 'string', enum: ['draft', 'active', 'suspended', 'retired'] },
    enforcementLevel: { type: 'string', enum: ['advisory', 'mandatory', 'critical'] },
    ...runFields,
  },
  additionalProperties: false,
} as const;

interface UpdateBody {
  expectedVersion: number;
  updatedBy: number;
  name?: string;
  description?: string;
  status?: string;
  enforcementLevel?: string;
}

export function registerPolicyRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { id: number } }>(
    '/api/v1/policies/:id',
    {
      schema: {
        summary: 'A policy with its rules and principle ids (join; cache-aside policy:{id}, governanceRules TTL)',
        tags: ['reads'],
        params: idParams,
        'x-response': {
          description: '`{"policy": row, "rules": [rows by rule_order, id], "principleIds": [ascending]}`',
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const data = await deps.cache.read<PolicyData>(req.timing, {
        key: deps.cache.key('policy:{id}', id),
        dataType: 'governanceRules',
        kind: 'derived',
        load: async () => {
          const rows = await deps.db.query(req.timing, 'join', POLICY_JOIN_SQL, [id]);
          if (rows.length === 0) return null;
          const policy = pickRow('policies', 'p_', rows[0]) as Row;
          const rules = rows.map((r) => pickRow('policy_rules', 'r_', r)).filter((r) => r !== null);
          const principleIds = (rows[0].principle_ids as number[] | null) ?? [];
          return { v: policy.version, payload: { policy, rules, principleIds } };
        },
      });
      if (!data) throw notFound('policy', id);
      return data;
    },
  );

  app.put<{ Params: { id: number }; Body: UpdateBody }>(
    '/api/v1/policies/:id',
    {
      schema: {
        summary: 'Update a policy with optimistic concurrency (write; stale expectedVersion -> 409)',
        tags: ['writes'],
        params: idParams,
        body: updateBody,
        'x-response': { description: 'the updated policies row (version = expectedVersion + 1)' },
      },
    },
    async (req) => {
      const { id } = req.params;
      const b = req.body;
      const meta = writeMeta(req);
      const changes: Record<string, string> = {};
      if (b.name !== undefined) changes.name = b.name;
      if (b.description !== undefined) changes.description = b.description;
      if (b.status !== undefined) changes.status = b.status;
      if (b.enforcementLevel !== undefined) changes.enforcement_level = b.enforcementLevel;
      const row = await deps.db.transaction(req.timing, async (tx) => {
        const updated = await tx.query<Row>(
          'write',
          `UPDATE policies SET name = COALESCE($3, name), description = COALESCE($4, description),
                status = COALESCE($5, status), enforcement_level = COALESCE($6, enforcement_level),
                version = version + 1, updated_at = now()
          WHERE id = $1 AND version = $2 RETURNING *`,
          [id, b.expectedVersion, b.name ?? null, b.description ?? null, b.status ?? null, b.enforcementLevel ?? null],
        );
        if (updated.length === 0) {
          const current = await tx.query<{ version: number }>('simple', 'SELECT version FROM policies WHERE id = $1', [
            id,
          ]);
          if (current.length === 0) throw notFound('policy', id);
          throw new ApiError(
            409,
            'version_conflict',
            `policy ${id} is at version ${current[0].version}, not expectedVersion ${b.expectedVersion}`,
            'expectedVersion',
            undefined,
            { currentVersion: current[0].version },
          );
        }
        await tx.query(
          'write',
          `INSERT INTO policy_updates (policy_id, updated_by, from_version, to_version, changes, created_at, run_id, client_request_id)
         VALUES ($1, $2, $3, $4, $5, now(), $6, $7)`,
          [
            id,
            b.updatedBy,
            b.expectedVersion,
            b.expectedVersion + 1,
            JSON.stringify(changes),
            meta.runId,
            meta.clientRequestId,
          ],
        );
        await audit(
          tx,
          {
            actorId: b.updatedBy,
            action: 'policy.update',
            entityType: 'policy',
            entityId: id,
            details: { changes, toVersion: b.expectedVersion + 1 },
          },
          meta,
        );
        return updated[0];
      });
      await deps.cache.invalidate(req.timing, [
        deps.cache.key('policy:{id}', id),
        deps.cache.key('api:compliance-report:{id}', id),
      ]);
      return row;
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/policies/:id/compliance-report',
    {
      schema: {
        summary:
          "A policy's compliance report (complex: CTEs + window functions; cache-aside api:compliance-report:{id}, apiResponses TTL)",
        tags: ['reads'],
        params: idParams,
        'x-response': {
          description:
            '`{"checks", "passRate" (4 decimals text), "avgScore" (2 decimals text), "byStatus", "recent": [...]}`',
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const data = await deps.cache.read(req.timing, {
        key: deps.cache.key('api:compliance-report:{id}', id),
        dataType: 'apiResponses',
        kind: 'derived',
        load: async () => {
          const rows = await deps.db.query(req.timing, 'complex', COMPLIANCE_REPORT_SQL, [id]);
          return rows[0] ? { v: rows[0].version as number, payload: reportFromRow(rows[0]) } : null;
        },
      });
      if (!data) throw notFound('policy', id);
      return data;
    },
  );
}
