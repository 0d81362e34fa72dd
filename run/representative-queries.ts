/**
 * One representative statement per query type, for EXPLAIN (ANALYZE, BUFFERS)
 * in the report: the target's own SQL (so the plan is of the query that ran),
 * with parameters that exist in every seeded dataset (the hottest ids, a
 * one-month audit window).
 */
import { TALLY_SQL, STATS_SQL, POLICY_JOIN_SQL, FIRST_PAGE_SQL, COMPLIANCE_REPORT_SQL } from '../api/index.ts';
import type pg from 'pg';
import type { RepresentativeQuery } from './plans.ts';

/** A 30-day window around the middle of the hottest actor's audit events (what a user would search). */
async function auditWindow(client: pg.ClientBase): Promise<[string, string]> {
  const r = await client.query<{ mid: Date | null }>(
    'SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY occurred_at) AS mid FROM audit_log WHERE actor_id = 1',
  );
  const mid = r.rows[0]?.mid?.getTime() ?? Date.now();
  const half = 15 * 86_400_000;
  return [new Date(mid - half).toISOString(), new Date(mid + half).toISOString()];
}

export async function representativeQueries(client: pg.ClientBase): Promise<RepresentativeQuery[]> {
  const [from, to] = await auditWindow(client);
  return [
    { queryType: 'simple', sql: 'SELECT * FROM principles WHERE id = $1', params: [1] },
    { queryType: 'join', sql: POLICY_JOIN_SQL, params: [1] },
    { queryType: 'aggregation', sql: TALLY_SQL, params: [1] },
    { queryType: 'aggregation (stats by category)', sql: STATS_SQL, params: [] },
    { queryType: 'complex', sql: COMPLIANCE_REPORT_SQL, params: [1] },
    {
      queryType: 'index_scan',
      sql: FIRST_PAGE_SQL,
      // ids are zipf-ranked, so actor 1 is the most active one
      params: [1, from, to, 50],
    },
  ];
}
