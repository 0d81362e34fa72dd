/**
 * "Query latency by scenario": each scenario's own db_query_duration per
 * query type (p50, p95, p99, count), beside the headline table, which judges
 * the scenarios of targets.judgedOn merged. A row's figures come from the
 * scenario's own k6 summary; when the summary does not list the sub-metric
 * (k6 summarises a sub-metric only when a threshold selects it), from the
 * scenario's own metric stream. Either way they count the same samples the
 * merged figures count, so the judged rows' counts add up to the headline's.
 */
import { QUERY_TYPES } from '../../config/index.ts';
import type { Figure } from '../figure.ts';
import { metric, value, type K6SummaryData } from '../k6-summary.ts';
import type { Table } from '../tables.ts';
import { judgedScenarios, type RunInputs } from './inputs.ts';

const STATS: Array<[string, string, Figure['unit']]> = [
  ['p50', 'med', 'ms'],
  ['p95', 'p(95)', 'ms'],
  ['p99', 'p(99)', 'ms'],
  ['count', 'count', 'count'],
];

export function queryScenarioFigures(inputs: RunInputs): { figures: Figure[]; table: Table } {
  const figures: Figure[] = [];
  const rows: Table['rows'] = [];
  const judged = new Set(judgedScenarios(inputs, 'queryTypes'));
  for (const sc of inputs.scenarios) {
    const samples = inputs.samples?.[sc.name];
    let fromStream: K6SummaryData | null | undefined;
    const stream = () => (fromStream ??= samples && samples.files.length > 0 ? samples.merger.finish() : null);
    for (const qt of QUERY_TYPES) {
      const own = metric(sc.summary, 'db_query_duration', { query_type: qt });
      const m = own ?? metric(stream(), 'db_query_duration', { query_type: qt });
      const src = `k6 db_query_duration{query_type:${qt}} from Server-Timing, scenario ${sc.name} ${own ? 'summary' : m ? 'metric stream' : '(not recorded)'}`;
      const id = `query.scenario.${sc.name}.${qt}`;
      for (const [label, key, unit] of STATS)
        figures.push({
          id: `${id}.${label}`,
          label: `${qt} query ${label}, scenario ${sc.name}`,
          value: value(m, key),
          unit,
          source: src,
          side: 'server',
        });
      rows.push([
        sc.name,
        qt,
        { figure: `${id}.p50` },
        { figure: `${id}.p95` },
        { figure: `${id}.p99` },
        { figure: `${id}.count` },
        judged.has(sc.name) ? 'yes' : 'no',
      ]);
    }
  }
  return {
    figures,
    table: {
      title: 'Query latency by scenario',
      intro:
        'Each scenario\'s own database time per query type (k6 db_query_duration from Server-Timing). "Query performance by type" judges the scenarios marked "judged" merged (targets.judgedOn; by default every scenario but smoke).',
      columns: ['scenario', 'query type', 'p50', 'p95', 'p99', 'queries', 'judged'],
      rows,
    },
  };
}
