/**
 * "Query performance by type": for each of the five query shapes, the time
 * the target spent in PostgreSQL as it reported per response (Server-Timing,
 * collected by the load scripts as k6 metric db_query_duration), the same
 * queries from the target's own histogram (/metrics), and pg_stat_statements'
 * mean where the server has it.
 */
import { QUERY_TYPES } from '../../config/index.ts';
import { judge, judgePercentile, minSamplesFor, PERCENTILE_CONFIDENCE, type Figure } from '../figure.ts';
import { metric, value } from '../k6-summary.ts';
import type { Table } from '../tables.ts';
import { apiHistogram, judgedSamples, judgedSource, sampleCount, type RunInputs } from './inputs.ts';
import { histogramQuantile } from '../../measure/index.ts';

/** Label, k6 trend stat, and the quantile of the percentiles a target judges. */
const STATS: Array<[string, string, number | null]> = [
  ['avg', 'avg', null],
  ['p50', 'med', null],
  ['p95', 'p(95)', 0.95],
  ['p99', 'p(99)', 0.99],
];

export function queryFigures(inputs: RunInputs): { figures: Figure[]; table: Table } {
  const figures: Figure[] = [];
  const rows: Table['rows'] = [];
  const targets = inputs.config.targets;
  // Judged on the samples of every measured-load scenario merged (targets.judgedOn), never on the first
  // scenario that happens to have the metric; NO DATA when one of them has no stream (judgedSamples).
  const judged = judgedSamples(inputs, 'queryTypes');
  for (const qt of QUERY_TYPES) {
    const m = metric(judged.summary, 'db_query_duration', { query_type: qt });
    const count = sampleCount(m);
    const src = judgedSource(`k6 db_query_duration{query_type:${qt}} from Server-Timing`, judged, count);
    for (const [label, key, quantile] of STATS) {
      const f: Figure = {
        id: `query.${qt}.${label}`,
        label: `${qt} query ${label}`,
        value: value(m, key),
        unit: 'ms',
        source: src,
        side: 'server',
        note:
          judged.noData ??
          ((count ?? 0) > 0
            ? undefined
            : `no judged scenario (${judged.scenarios.join(', ') || 'none'}) issued this query type`),
      };
      const t =
        label === 'p95' ? targets.queryTypes[qt].p95Ms : label === 'p99' ? targets.queryTypes[qt].p99Ms : undefined;
      if (t !== undefined && !targets.percentiles)
        figures.push({ ...f, note: f.note ?? 'shown, not judged: this profile sets targets.percentiles false' });
      else
        figures.push(
          t === undefined ? f : judgePercentile(f, { op: '<=', value: t }, { quantile: quantile!, samples: count }),
        );
    }
    figures.push({
      id: `query.${qt}.count`,
      label: `${qt} queries timed`,
      value: value(m, 'count'),
      unit: 'count',
      source: src,
      side: 'server',
    });

    // The target's own histogram over the run (all scenarios, all clients).
    const h = apiHistogram(inputs, 'acgs_db_query_duration_seconds', { query_type: qt });
    const hsrc =
      'target /metrics acgs_db_query_duration_seconds (run delta, bucket-interpolated; every scenario and client, not only the judged ones)';
    figures.push({
      id: `query.${qt}.target.avg`,
      label: `${qt} avg (target histogram, every scenario)`,
      value: h && h.count > 0 ? (h.sum / h.count) * 1000 : null,
      unit: 'ms',
      source: hsrc,
      side: 'server',
    });
    const p95 = h ? histogramQuantile(h, 0.95) : null;
    figures.push({
      id: `query.${qt}.target.p95`,
      label: `${qt} p95 (target histogram, every scenario)`,
      value: p95 === null ? null : p95 * 1000,
      unit: 'ms',
      source: hsrc,
      side: 'server',
    });

    // pg_stat_statements: statements the target tagged with /* acgs:<type> */.
    let pgMean: number | null = null;
    let pgNote: string | undefined;
    if (inputs.pg?.statements.available) {
      const rows = inputs.pg.statements.rows.filter(
        (r) => r.query.includes(`acgs:${qt} `) || r.query.includes(`acgs:${qt}*`),
      );
      const calls = rows.reduce((a, r) => a + r.calls, 0);
      pgMean = calls > 0 ? rows.reduce((a, r) => a + r.totalMs, 0) / calls : null;
    } else {
      pgNote = inputs.pg?.statements.available === false ? inputs.pg.statements.reason : 'no PostgreSQL snapshot';
    }
    figures.push({
      id: `query.${qt}.pg.mean`,
      label: `${qt} mean (pg_stat_statements, database-wide)`,
      value: pgMean,
      unit: 'ms',
      source:
        'pg_stat_statements total_exec_time / calls (run delta; database-wide: every scenario and client of this database)',
      side: 'server',
      note: pgNote,
    });

    rows.push([
      qt,
      { figure: `query.${qt}.avg` },
      { figure: `query.${qt}.p50` },
      { figure: `query.${qt}.p95` },
      { figure: `query.${qt}.p99` },
      { figure: `query.${qt}.target.avg` },
      { figure: `query.${qt}.pg.mean` },
      { figure: `query.${qt}.count` },
      { figure: `query.${qt}.p95`, show: 'target' },
      { figure: `query.${qt}.p95`, show: 'verdict' },
      { figure: `query.${qt}.p99`, show: 'target' },
      { figure: `query.${qt}.p99`, show: 'verdict' },
    ]);
  }

  const all = metric(judged.summary, 'db_query_duration');
  figures.push(
    judge(
      {
        id: 'query.all.avg',
        label: 'Average query time (all types)',
        value: value(all, 'avg'),
        unit: 'ms',
        source: judgedSource('k6 db_query_duration (Server-Timing)', judged, sampleCount(all)),
        side: 'server',
        ...(judged.noData ? { note: judged.noData } : {}),
      },
      { op: '<=', value: targets.avgQueryMs },
    ),
  );
  const pgNote = inputs.pg && !inputs.pg.statements.available ? inputs.pg.statements.reason : null;
  return {
    figures,
    table: {
      title: 'Query performance by type',
      intro: `Time the target spent in PostgreSQL per query, as it reported on each response (Server-Timing \`db\` entries, recorded by the load scripts), beside the target's own histogram and pg_stat_statements. Judged on the samples of ${judged.scenarios.length > 1 ? `scenarios ${judged.scenarios.join(', ')} merged (HDR histograms of their k6 metric streams, not an average of percentiles)` : `scenario ${judged.scenarios[0] ?? 'none'}`}; each scenario's own figures are in "Query latency by scenario". The target-histogram and pg_stat_statements columns are server-side and cover every scenario and client of the run (the target's histogram is bucket-interpolated), not only the judged scenarios. A p95 target is judged on ≥ ${minSamplesFor(0.95)} samples and a p99 target on ≥ ${minSamplesFor(0.99)}: with fewer, even every sample under the target would not show the percentile under it at ${PERCENTILE_CONFIDENCE * 100} % confidence (NO DATA).`,
      columns: [
        'query type',
        'avg',
        'p50',
        'p95',
        'p99',
        'avg (target /metrics, every scenario)',
        'mean (pg_stat_statements, database-wide)',
        'queries',
        'p95 target',
        'p95',
        'p99 target',
        'p99',
      ],
      rows,
      notes: pgNote ? [`pg_stat_statements: ${pgNote}.`] : [],
    },
  };
}
