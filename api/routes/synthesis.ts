/**
 * Synthesis results: combine a set of principles into a guidance document
 * for a policy (write; cached synthesis:{id}, synthesisResults TTL) and its
 * cache-aside read. The "model" is deterministic: the output is built from
 * the principles' rows, the confidence is the share of them that are active.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http-errors.ts';
import { audit, created, idSchema, runFields, writeMeta, type RouteDeps } from './_shared.ts';
import { entityRead } from './decisions.ts';

type Row = Record<string, unknown> & { id: number; version: number };

export const SYNTHESIS_MODEL = 'acgs-reference-synthesis-1';

const synthesisBody = {
  type: 'object',
  required: ['policyId', 'requestedBy', 'principleIds'],
  properties: {
    policyId: idSchema,
    requestedBy: idSchema,
    principleIds: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: idSchema },
    ...runFields,
  },
  additionalProperties: false,
} as const;

interface PrincipleRow {
  id: number;
  code: string;
  title: string;
  category: string;
  weight: string;
  priority: number;
  is_active: boolean;
}

/** Pure: the stored output of a synthesis over principle rows (sorted by priority, then id). */
export function synthesise(
  policyId: number,
  principles: readonly PrincipleRow[],
): { output: unknown; confidence: string; inputHash: string } {
  const ordered = [...principles].sort((a, b) => a.priority - b.priority || a.id - b.id);
  const ids = ordered.map((p) => p.id).sort((a, b) => a - b);
  const inputHash = createHash('sha256')
    .update(`${policyId}:${ids.join(',')}`)
    .digest('hex');
  const active = ordered.filter((p) => p.is_active);
  const categories = [...new Set(ordered.map((p) => p.category))].sort();
  const output = {
    summary: `Policy ${policyId} is guided by ${ordered.length} principle(s) across ${categories.join(', ')}`,
    guidance: ordered.map((p) => ({
      principleId: p.id,
      code: p.code,
      title: p.title,
      weight: p.weight,
      active: p.is_active,
    })),
    categories,
  };
  return { output, confidence: (active.length / ordered.length).toFixed(3), inputHash };
}

export function registerSynthesisRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<{ Body: { policyId: number; requestedBy: number; principleIds: number[] } }>(
    '/api/v1/synthesis',
    {
      schema: {
        summary:
          'Synthesise guidance for a policy from principles (write; cached synthesis:{id}, synthesisResults TTL)',
        tags: ['writes'],
        body: synthesisBody,
        'x-response': { status: 201, description: 'the synthesis_results row' },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const meta = writeMeta(req);
      const row = await deps.db.transaction(req.timing, async (tx) => {
        const principles = await tx.query<PrincipleRow & Record<string, unknown>>(
          'simple',
          'SELECT id, code, title, category, weight::text AS weight, priority, is_active FROM principles WHERE id = ANY($1::bigint[])',
          [b.principleIds],
        );
        if (principles.length !== b.principleIds.length) {
          const found = new Set(principles.map((p) => p.id));
          const missing = b.principleIds.find((id) => !found.has(id));
          throw new ApiError(404, 'not_found', `principle ${missing} does not exist`, 'principleIds');
        }
        const s = synthesise(b.policyId, principles);
        const inserted = await tx.query<Row>(
          'write',
          `INSERT INTO synthesis_results (policy_id, requested_by, principle_ids, input_hash, output, model, confidence, created_at, updated_at, version, run_id, client_request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now(), 1, $8, $9) RETURNING *`,
          [
            b.policyId,
            b.requestedBy,
            JSON.stringify(b.principleIds),
            s.inputHash,
            JSON.stringify(s.output),
            SYNTHESIS_MODEL,
            s.confidence,
            meta.runId,
            meta.clientRequestId,
          ],
        );
        await audit(
          tx,
          {
            actorId: b.requestedBy,
            action: 'synthesis.create',
            entityType: 'synthesis_result',
            entityId: inserted[0].id,
            details: { policyId: b.policyId, principles: b.principleIds.length },
          },
          meta,
        );
        return inserted[0];
      });
      await deps.cache.put(req.timing, deps.cache.key('synthesis:{id}', row.id), 'synthesisResults', 'entity', {
        v: row.version,
        payload: row,
      });
      return created(reply, row);
    },
  );
  entityRead(
    app,
    deps,
    '/api/v1/synthesis',
    'synthesis_results',
    'synthesis:{id}',
    'synthesisResults',
    'synthesis result',
  );
}
