/**
 * `GET /api/v1/ids`: which ids exist, so load scripts can pick valid ones
 * without database access. Min/max come from the primary-key indexes (cheap);
 * samples are capped. Not cached: ids move as the run writes rows.
 *
 * `warm` is the warm marker the cache warmer left in Redis (schema/warm-marker.ts):
 * when the cache was warmed and which keys. Null when there is none (the prefix was
 * emptied and not warmed, or Redis does not answer): then nothing is known to be warm.
 */
import type { FastifyInstance } from 'fastify';
import { parseWarmMarker, WARM_META_KEY } from '../../schema/index.ts';
import type { RouteDeps } from './_shared.ts';

const SAMPLE = 1000;

/** Tables reported as `{min, max}` ranges, by response field. Constants, not request text. */
const RANGES: Record<string, string> = {
  users: 'users',
  principles: 'principles',
  policies: 'policies',
  amendments: 'amendments',
  policyDecisions: 'policy_decisions',
  complianceChecks: 'compliance_checks',
  synthesisResults: 'synthesis_results',
};

const RANGES_SQL = `SELECT ${Object.entries(RANGES)
  .map(
    ([field, table]) =>
      `(SELECT min(id) FROM ${table}) AS "${field}_min", (SELECT max(id) FROM ${table}) AS "${field}_max"`,
  )
  .join(',\n       ')},
       (SELECT min(occurred_at) FROM audit_log) AS audit_from,
       (SELECT max(occurred_at) FROM audit_log) AS audit_to`;

const OPEN_AMENDMENTS_SQL = `SELECT id FROM amendments WHERE status = 'open' ORDER BY id LIMIT ${SAMPLE}`;
const CONFIG_KEYS_SQL = `SELECT key FROM static_config ORDER BY key LIMIT ${SAMPLE}`;
const SESSIONS_SQL = `SELECT id FROM user_sessions WHERE NOT revoked AND expires_at > now() ORDER BY created_at DESC LIMIT 100`;

export function registerIdsRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get(
    '/api/v1/ids',
    {
      schema: {
        summary: 'Id ranges and samples for load scripts (simple; not cached)',
        tags: ['reads'],
        'x-response': {
          description:
            '`{"users": {"min","max"}, "principles", "policies", "amendments", "policyDecisions", "complianceChecks", "synthesisResults": {"min","max"} (null when empty), ' +
            '"openAmendments": {"min","max","count","sample":[ids]}, "configKeys": [keys], "sessions": [live session ids, newest first], "auditWindow": {"from","to"}, ' +
            '"warm": {"at", "families": {"<key pattern>": {"ranges": [[min,max]]} | {"keys": [...]} | {"count": n}}} or null (what the warmer wrote, docs/cache-keys.md)}`',
        },
      },
    },
    async (req) => {
      const [ranges] = await deps.db.query(req.timing, 'simple', RANGES_SQL);
      const open = await deps.db.query<{ id: number }>(req.timing, 'simple', OPEN_AMENDMENTS_SQL);
      const keys = await deps.db.query<{ key: string }>(req.timing, 'simple', CONFIG_KEYS_SQL);
      const sessions = await deps.db.query<{ id: string }>(req.timing, 'simple', SESSIONS_SQL);
      const out: Record<string, unknown> = {};
      for (const field of Object.keys(RANGES)) {
        const min = ranges[`${field}_min`] as number | null;
        out[field] = min === null ? null : { min, max: ranges[`${field}_max`] as number };
      }
      const sample = open.map((r) => r.id);
      out.openAmendments = {
        min: sample[0] ?? null,
        max: sample[sample.length - 1] ?? null,
        count: sample.length,
        sample,
      };
      out.configKeys = keys.map((r) => r.key);
      out.sessions = sessions.map((r) => r.id);
      out.auditWindow = { from: ranges.audit_from, to: ranges.audit_to };
      // Read as stored: the warmer's own record, not recomputed here. Redis down -> undefined -> null.
      out.warm = parseWarmMarker(await deps.cache.cache.get(`${deps.config.redis.prefix}${WARM_META_KEY}`, req.timing));
      return out;
    },
  );
}
