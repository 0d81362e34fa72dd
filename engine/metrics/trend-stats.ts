/**
 * Trend columns (`summaryTrendStats`): which statistics a Trend reports.
 *
 * k6 accepts `avg`, `min`, `med`, `max`, `count` and `p(N)` with N a number
 * from 0 to 100 (k6 metrics/sink.go `GetResolversForTrendColumns` and
 * `parsePercentile`; docs "Options reference" > summaryTrendStats).
 */

const STATIC_STATS = new Set(['avg', 'min', 'med', 'max', 'count']);

/**
 * Parse `p(N)` into the fraction N/100, or return null when `stat` is not a
 * well-formed percentile in [0, 100]. Only plain decimal numbers are
 * accepted (no `NaN`, `Inf`, exponents), as k6's thresholds grammar says.
 */
export function parsePercentileStat(stat: string): number | null {
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (!m) return null;
  const n = Number(m[1]);
  if (!Number.isFinite(n) || n < 0 || n > 100) return null;
  return n / 100;
}

/**
 * Validate trend columns; returns one message per bad column (k6's wording:
 * "invalid trend stat 'x', unknown format" / "invalid percentile trend stat
 * value 'p(x)', provide a number between 0 and 100").
 */
export function validateTrendStats(stats: readonly string[]): string[] {
  const errors: string[] = [];
  for (const s of stats) {
    if (STATIC_STATS.has(s)) continue;
    if (!s.startsWith('p(') || !s.endsWith(')')) {
      errors.push(`invalid trend stat '${s}', unknown format; use avg, min, med, max, count or p(N)`);
    } else if (parsePercentileStat(s) === null) {
      errors.push(`invalid percentile trend stat value '${s}', provide a number between 0 and 100`);
    }
  }
  return errors;
}
