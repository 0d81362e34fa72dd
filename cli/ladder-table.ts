/**
 * The ladder's per-step figures (report/figures/ladder.ts reads them) as an
 * aligned text table for `acgs-load scenario run ladder`. Pure: steps in,
 * string out.
 */
import type { LadderStepFigures } from '../report/index.ts';

const num = (v: number | null, digits: number, suffix = ''): string =>
  v === null ? '-' : `${v.toFixed(digits)}${suffix}`;
const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(2)} %`);

/** The steps as an aligned text table (client-side latency from http_req_duration). */
export function formatLadderTable(steps: readonly LadderStepFigures[], stepSeconds: number): string {
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
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `ladder: ${steps.length} steps of ${stepSeconds} s (k6 sub-metrics {scenario:users_N}; req/s = requests / step duration)`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}
