/**
 * The ladder's per-step figures as a text table, from the k6 summary data:
 * each step is the scenario `users_<N>` (scenarios/ladder.ts), so its figures
 * are the sub-metrics `http_req_duration{scenario:users_N}` and friends that
 * the ladder's thresholds expose. Pure: summary in, string out.
 */
import { metric, value, type K6SummaryData } from '../report/k6-summary.ts';
import { stepNames, stepSeconds } from '../scenarios/lib/ladder-steps.ts';

/** Scenario names of the steps, as scenarios/ladder.ts names them. */
export const ladderStepNames = stepNames;

/** A step's duration as the script computes it (LADDER_STEP_SECONDS × DURATION_FACTOR, rounded, at least 1 s). */
export const ladderStepSeconds = stepSeconds;

/** One step's figures; null where the summary has no value. */
export interface LadderStep {
  step: string;
  users: number;
  successRate: number | null;
  avgMs: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  requests: number | null;
  reqPerSec: number | null;
  dbAvgMs: number | null;
  cacheHitRate: number | null;
}

/** Per-step figures from the summary. */
export function ladderSteps(summary: K6SummaryData | null, users: readonly number[], stepSeconds: number): LadderStep[] {
  return ladderStepNames(users).map((step, i) => {
    const tag = { scenario: step };
    const dur = metric(summary, 'http_req_duration', tag);
    const failed = value(metric(summary, 'http_req_failed', tag), 'rate');
    const requests = value(metric(summary, 'http_reqs', tag), 'count');
    return {
      step,
      users: users[i],
      successRate: failed === null ? null : 1 - failed,
      avgMs: value(dur, 'avg'),
      p95Ms: value(dur, 'p(95)'),
      p99Ms: value(dur, 'p(99)'),
      requests,
      reqPerSec: requests === null ? null : requests / stepSeconds,
      dbAvgMs: value(metric(summary, 'db_query_duration', tag), 'avg'),
      cacheHitRate: value(metric(summary, 'cache_hit', tag), 'rate'),
    };
  });
}

const num = (v: number | null, digits: number, suffix = ''): string => (v === null ? '-' : `${v.toFixed(digits)}${suffix}`);
const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(2)} %`);

/** The steps as an aligned text table (client-side latency from http_req_duration). */
export function formatLadderTable(steps: readonly LadderStep[], stepSeconds: number): string {
  const head = ['users', 'success', 'avg ms', 'p95 ms', 'p99 ms', 'req/s', 'requests', 'db avg ms', 'cache hit'];
  const rows = steps.map((s) => [
    String(s.users),
    pct(s.successRate),
    num(s.avgMs, 2),
    num(s.p95Ms, 2),
    num(s.p99Ms, 2),
    num(s.reqPerSec, 1),
    num(s.requests, 0),
    num(s.dbAvgMs, 3),
    pct(s.cacheHitRate),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `ladder: ${steps.length} steps of ${stepSeconds} s (k6 sub-metrics {scenario:users_N}; req/s = requests / step duration)`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}
