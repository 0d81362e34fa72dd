/**
 * The complex query: a policy's compliance report, with CTEs and window
 * functions (rolling average score, recency rank), in one statement so the
 * report and the policy version it carries come from one snapshot.
 *
 * passRate and avgScore are PostgreSQL numeric text with exactly 4 and 2
 * decimals ("0.0000" / "0.00" when the policy has no check), as
 * docs/cache-keys.md states, so a checker can recompute them in SQL.
 */

export const COMPLIANCE_REPORT_SQL = `
WITH pol AS (
  SELECT id, version FROM policies WHERE id = $1
), checks AS (
  SELECT c.id, c.status, c.score, c.created_at,
         avg(c.score) OVER (ORDER BY c.created_at, c.id ROWS BETWEEN 4 PRECEDING AND CURRENT ROW) AS rolling_avg,
         row_number() OVER (ORDER BY c.created_at DESC, c.id DESC) AS recency
    FROM compliance_checks c
   WHERE c.policy_id = $1
), summary AS (
  SELECT count(*) AS checks,
         COALESCE(round(avg(CASE WHEN status = 'pass' THEN 1 ELSE 0 END)::numeric, 4), 0)::numeric(12,4)::text AS pass_rate,
         COALESCE(round(avg(score), 2), 0)::numeric(12,2)::text AS avg_score,
         count(*) FILTER (WHERE status = 'pass') AS pass,
         count(*) FILTER (WHERE status = 'warn') AS warn,
         count(*) FILTER (WHERE status = 'fail') AS fail
    FROM checks
), recent AS (
  SELECT id, status, score::text AS score, created_at, round(rolling_avg, 2)::text AS rolling_avg
    FROM checks
   WHERE recency <= 5
   ORDER BY recency
)
SELECT pol.version, s.checks, s.pass_rate, s.avg_score, s.pass, s.warn, s.fail,
       ARRAY(SELECT id FROM recent) AS recent_ids,
       ARRAY(SELECT status FROM recent) AS recent_status,
       ARRAY(SELECT score FROM recent) AS recent_score,
       ARRAY(SELECT rolling_avg FROM recent) AS recent_rolling,
       ARRAY(SELECT created_at FROM recent) AS recent_created
  FROM pol CROSS JOIN summary s`;

/** The report data (the cached `data` of api:compliance-report:{id}). */
export interface ComplianceReport {
  checks: number;
  passRate: string;
  avgScore: string;
  byStatus: { pass: number; warn: number; fail: number };
  recent: Array<{ id: number; status: string; score: string; rollingAvgScore: string; createdAt: string }>;
}

/** Shapes the statement's one row into the report. */
export function reportFromRow(row: Record<string, unknown>): ComplianceReport {
  const ids = row.recent_ids as number[];
  const status = row.recent_status as string[];
  const score = row.recent_score as string[];
  const rolling = row.recent_rolling as string[];
  const createdRaw = row.recent_created as unknown;
  const created = parseTimestampArray(createdRaw);
  return {
    checks: row.checks as number,
    passRate: row.pass_rate as string,
    avgScore: row.avg_score as string,
    byStatus: { pass: row.pass as number, warn: row.warn as number, fail: row.fail as number },
    recent: ids.map((id, i) => ({
      id,
      status: status[i],
      score: score[i],
      rollingAvgScore: rolling[i],
      createdAt: created[i],
    })),
  };
}

/** timestamptz[] arrives as pg's array of Dates or text; normalise to ISO-8601 UTC with ms. */
function parseTimestampArray(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) => (x instanceof Date ? x.toISOString() : new Date(String(x)).toISOString()));
}
