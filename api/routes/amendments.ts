/**
 * Amendments: the vote (one transaction: insert the vote, move the counter,
 * audit row), the tally (aggregation, cache-aside api:tally:{id}) and
 * statistics of principles by category (aggregation, not cached).
 */
import type { FastifyInstance } from 'fastify';
import { ApiError, notFound } from '../http-errors.ts';
import { audit, created, idParams, idSchema, runFields, writeMeta, type RouteDeps } from './_shared.ts';

/** The derived value of api:tally:{id}: votes counted from amendment_votes. */
export interface Tally {
  for: number;
  against: number;
  abstain: number;
  total: number;
}

export const TALLY_SQL = `
SELECT a.version,
       count(v.id) FILTER (WHERE v.choice = 'for') AS for_votes,
       count(v.id) FILTER (WHERE v.choice = 'against') AS against_votes,
       count(v.id) FILTER (WHERE v.choice = 'abstain') AS abstain_votes,
       count(v.id) AS total
  FROM amendments a
  LEFT JOIN amendment_votes v ON v.amendment_id = a.id
 WHERE a.id = $1
 GROUP BY a.id, a.version`;

export const STATS_SQL = `
SELECT category, count(*) AS principles, count(*) FILTER (WHERE is_active) AS active,
       round(avg(weight), 3)::text AS avg_weight, min(priority) AS min_priority, max(priority) AS max_priority
  FROM principles
 GROUP BY category
 ORDER BY category`;

/** Counter column of each choice: a constant map, never request text in SQL. */
const COUNTER_SQL: Record<string, string> = {
  for: 'UPDATE amendments SET votes_for = votes_for + 1, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version',
  against:
    'UPDATE amendments SET votes_against = votes_against + 1, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version',
  abstain:
    'UPDATE amendments SET votes_abstain = votes_abstain + 1, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version',
};
/** With the skipVoteCounter defect: the version moves, the counter does not. */
const VERSION_ONLY_SQL =
  'UPDATE amendments SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version';

const voteBody = {
  type: 'object',
  required: ['voterId', 'choice'],
  properties: { voterId: idSchema, choice: { type: 'string', enum: ['for', 'against', 'abstain'] }, ...runFields },
  additionalProperties: false,
} as const;

export function registerAmendmentRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { id: number } }>(
    '/api/v1/amendments/:id/tally',
    {
      schema: {
        summary: "An amendment's vote tally (aggregation; cache-aside api:tally:{id}, apiResponses TTL)",
        tags: ['reads'],
        params: idParams,
        'x-response': {
          description: '`{"for": n, "against": n, "abstain": n, "total": n}` counted from amendment_votes',
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const tally = await deps.cache.read<Tally>(req.timing, {
        key: deps.cache.key('api:tally:{id}', id),
        dataType: 'apiResponses',
        kind: 'derived',
        load: async () => {
          const rows = await deps.db.query(req.timing, 'aggregation', TALLY_SQL, [id]);
          if (!rows[0]) return null;
          const r = rows[0];
          const payload: Tally = {
            for: r.for_votes as number,
            against: r.against_votes as number,
            abstain: r.abstain_votes as number,
            total: r.total as number,
          };
          return { v: r.version as number, payload };
        },
      });
      if (!tally) throw notFound('amendment', id);
      return tally;
    },
  );

  app.post<{ Params: { id: number }; Body: { voterId: number; choice: 'for' | 'against' | 'abstain' } }>(
    '/api/v1/amendments/:id/votes',
    {
      schema: {
        summary:
          'Vote on an open amendment (write: vote + counter + audit in one transaction; second vote of a voter -> 409)',
        tags: ['writes'],
        params: idParams,
        body: voteBody,
        'x-response': { status: 201, description: '`{"id", "amendmentId", "voterId", "choice", "amendmentVersion"}`' },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const { voterId, choice } = req.body;
      const meta = writeMeta(req);
      const skipCounter = deps.defects.fires('skipVoteCounter');
      const result = await deps.db.transaction(req.timing, async (tx) => {
        // Lock the amendment first: concurrent votes on it queue here, not on the counter update.
        // Timed as `write`: under contention its time is the wait for the row lock (the write
        // queueing behind other writers), not the cost of a simple SELECT by key (docs/api.md).
        const a = await tx.query<{ status: string }>(
          'write',
          'SELECT status FROM amendments WHERE id = $1 FOR UPDATE',
          [id],
        );
        if (!a[0]) throw notFound('amendment', id);
        if (a[0].status !== 'open')
          throw new ApiError(409, 'amendment_closed', `amendment ${id} is ${a[0].status}, not open for votes`, 'id');
        const vote = await tx.query<{ id: number }>(
          'write',
          `INSERT INTO amendment_votes (amendment_id, voter_id, choice, created_at, run_id, client_request_id)
         VALUES ($1, $2, $3, now(), $4, $5) ON CONFLICT (amendment_id, voter_id) DO NOTHING RETURNING id`,
          [id, voterId, choice, meta.runId, meta.clientRequestId],
        );
        if (!vote[0])
          throw new ApiError(409, 'duplicate_vote', `voter ${voterId} has already voted on amendment ${id}`, 'voterId');
        const moved = await tx.query<{ version: number }>(
          'write',
          skipCounter ? VERSION_ONLY_SQL : COUNTER_SQL[choice],
          [id],
        );
        await audit(
          tx,
          {
            actorId: voterId,
            action: 'amendment.vote',
            entityType: 'amendment',
            entityId: id,
            details: { choice, voteId: vote[0].id },
          },
          meta,
        );
        // The tally at the new version, counted inside the transaction: the amendment's row
        // lock orders concurrent votes, so this is exactly the tally of that version.
        const t = (await tx.query('aggregation', TALLY_SQL, [id]))[0];
        const tally: Tally = {
          for: t.for_votes as number,
          against: t.against_votes as number,
          abstain: t.abstain_votes as number,
          total: t.total as number,
        };
        return {
          vote: { id: vote[0].id, amendmentId: id, voterId, choice, amendmentVersion: moved[0].version },
          tally: { v: t.version as number, payload: tally },
        };
      });
      // Rewrite by version rather than delete: hot tallies stay cached while votes arrive.
      await deps.cache.rewrite(
        req.timing,
        deps.cache.key('api:tally:{id}', id),
        'apiResponses',
        'derived',
        result.tally,
      );
      return created(reply, result.vote);
    },
  );

  app.get(
    '/api/v1/stats/principles-by-category',
    {
      schema: {
        summary: 'Principles by category: count, active, average weight, priority range (aggregation; not cached)',
        tags: ['reads'],
        'x-response': {
          description:
            '`{"categories": [{"category", "principles", "active", "avgWeight", "minPriority", "maxPriority"}]}`',
        },
      },
    },
    async (req) => {
      const rows = await deps.db.query(req.timing, 'aggregation', STATS_SQL);
      return {
        categories: rows.map((r) => ({
          category: r.category,
          principles: r.principles,
          active: r.active,
          avgWeight: r.avg_weight,
          minPriority: r.min_priority,
          maxPriority: r.max_priority,
        })),
      };
    },
  );
}
