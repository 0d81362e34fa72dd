/**
 * One representative statement per query type, for EXPLAIN (ANALYZE, BUFFERS)
 * in the report: the target's own SQL (so the plan is of the query that ran),
 * with parameters that exist in every seeded dataset (the hottest ids, a
 * one-month audit window).
 */
import { TALLY_SQL, STATS_SQL } from '../../target/routes/amendments.ts';
import { POLICY_JOIN_SQL } from '../../target/routes/policies.ts';
import { FIRST_PAGE_SQL } from '../../target/routes/audit.ts';
import { COMPLIANCE_REPORT_SQL } from '../../target/routes/compliance-report-sql.ts';
import type { RepresentativeQuery } from './plans.ts';

export function representativeQueries(): RepresentativeQuery[] {
  return [
    { queryType: 'simple', sql: 'SELECT * FROM principles WHERE id = $1', params: [1] },
    { queryType: 'join', sql: POLICY_JOIN_SQL, params: [1] },
    { queryType: 'aggregation', sql: TALLY_SQL, params: [1] },
    { queryType: 'aggregation (stats by category)', sql: STATS_SQL, params: [] },
    { queryType: 'complex', sql: COMPLIANCE_REPORT_SQL, params: [1] },
    {
      queryType: 'index_scan',
      sql: FIRST_PAGE_SQL,
      // the most active actor's busiest month: ids are zipf-ranked, so actor 1 is the hottest
      params: [1, '2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 50],
    },
  ];
}
