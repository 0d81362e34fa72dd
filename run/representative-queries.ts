/**
 * One representative statement per query type, for EXPLAIN (ANALYZE, BUFFERS)
 * in the report: the target's own SQL (so the plan is of the query that ran),
 * with parameters that exist in every seeded dataset (the hottest ids, a
 * one-month audit window).
 */
import { TALLY_SQL, STATS_SQL, POLICY_JOIN_SQL, FIRST_PAGE_SQL, COMPLIANCE_REPORT_SQL } from '../api/index.ts';
import type pg from 'pg';
import type { PlanRequirement, PlanResult, RepresentativeQuery } from './plans.ts';

/**
 * What each query type's plan must use: the tables it must read through an
 * index. A plan that reads one of them otherwise, with no index the planner
 * could use instead, is a failed target (report/figures/plans.ts); see
 * `judgePlan` for when a seq scan chosen on cost still counts.
 */
export const PLAN_REQUIREMENTS: Readonly<Record<string, PlanRequirement>> = {
  simple: { tables: ['principles'], reason: 'one row by primary key (principles_pkey)' },
  join: {
    tables: ['policies', 'policy_rules', 'policy_principles'],
    reason:
      'one policy by primary key, its rules by policy_rules_policy_idx and its principles by the policy_principles key (policy_id first)',
  },
  aggregation: {
    tables: ['amendments', 'amendment_votes'],
    reason:
      "counts one amendment's votes: a keyed lookup (amendments_pkey, then amendment_votes_one_per_voter whose first column is amendment_id), not a whole-table aggregate, so reading every vote would grow with the table",
  },
  'aggregation (stats by category)': {
    tables: [],
    reason:
      'groups every row of principles by category: all rows are needed, so a sequential scan reads the fewest pages and no index is required',
  },
  complex: {
    tables: ['policies', 'compliance_checks'],
    reason:
      "the CTEs and window functions work on one policy's compliance checks only: the policy by primary key and its checks by compliance_checks_policy_idx (policy_id, created_at)",
  },
  index_scan: {
    tables: ['audit_log'],
    reason:
      "one actor's audit events in a time window: audit_log_actor_time_idx (actor_id, occurred_at) or audit_log_time_idx",
  },
};

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
  const queries: Array<Omit<RepresentativeQuery, 'requires'>> = [
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
  return queries.map((q) => ({ ...q, requires: PLAN_REQUIREMENTS[q.queryType] }));
}

/**
 * The plans to report: those captured, and for each declared query type
 * without one (the stage skipped or aborted) an entry with no plan, which the
 * report shows as NO DATA rather than leaving the target out.
 */
export function withUncapturedPlans(plans: PlanResult[], why: string): PlanResult[] {
  const have = new Set(plans.map((p) => p.queryType));
  const absent = Object.entries(PLAN_REQUIREMENTS).filter(([t]) => !have.has(t));
  const uncaptured = ([queryType, requires]: [string, PlanRequirement]): PlanResult => ({
    queryType,
    sql: '',
    usesIndex: false,
    executionMs: null,
    plan: '',
    requires,
    verdict: null,
    error: why,
  });
  return [...plans, ...absent.map(uncaptured)];
}
