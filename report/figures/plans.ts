/**
 * "Query plans": whether each query type's representative plan (EXPLAIN
 * ANALYZE of the API's own statement, run/plans.ts) reads the tables its
 * query type declares (run/representative-queries.ts) through an index. A
 * plan that does not is a missed target; no plan captured is NO DATA. The
 * whole plans, with their buffers and times, stay in the report's appendix.
 */
import { judge, type Figure } from '../figure.ts';
import type { Table } from '../tables.ts';
import type { PlanOutcome, RunInputs } from './inputs.ts';

const SOURCE = "EXPLAIN (ANALYZE, BUFFERS) of the API's statement";

/** Figure id of a query type's plan verdict, e.g. `plan.index_scan.unindexed`. */
export function planFigureId(queryType: string): string {
  return `plan.${queryType.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_|_$/g, '')}.unindexed`;
}

/** The plan's node lines without costs and timings, e.g. "Limit → Sort → Seq Scan on audit_log". */
export function planHead(plan: string, nodes = 4): string {
  const lines = plan.split('\n');
  const heads = lines
    .filter((l, i) => i === 0 || l.trim().startsWith('->'))
    .map((l) =>
      l
        .trim()
        .replace(/^->\s*/, '')
        .replace(/\s*\((cost|actual|never)[^)]*\)/g, '')
        .trim(),
    )
    .filter(Boolean);
  return heads.slice(0, nodes).join(' → ') + (heads.length > nodes ? ' → …' : '');
}

function planFigure(p: PlanOutcome): Figure {
  const tables = p.requires!.tables;
  const base: Figure = {
    id: planFigureId(p.queryType),
    label: `Plan of ${p.queryType}: tables read without a usable index (must use one on ${tables.join(', ')})`,
    value: null,
    unit: 'count',
    source: SOURCE,
    side: 'server',
  };
  const v = p.verdict;
  if (!v) {
    return judge({ ...base, note: p.error ?? 'no plan captured' }, { op: '==', value: 0 });
  }
  const used = v.ok ? v.reads.join('; ') : v.missing.join('; ');
  return judge({ ...base, value: v.missing.length, source: `${SOURCE}: ${used}` }, { op: '==', value: 0 });
}

export function planFigures(inputs: RunInputs): { figures: Figure[]; table: Table } {
  const judged = inputs.plans.filter((p) => p.requires && p.requires.tables.length > 0);
  const figures = judged.map(planFigure);
  const rows: Table['rows'] = inputs.plans
    .filter((p) => p.requires)
    .map((p) => {
      const head = p.verdict === null || p.error ? `no plan (${p.error ?? 'not captured'})` : planHead(p.plan);
      if (!p.requires!.tables.length) return [p.queryType, `none: ${p.requires!.reason}`, head, '', '', '', SOURCE];
      const id = planFigureId(p.queryType);
      return [
        p.queryType,
        `index on ${p.requires!.tables.join(', ')}: ${p.requires!.reason}`,
        head,
        { figure: id },
        { figure: id, show: 'target' },
        { figure: id, show: 'verdict' },
        { figure: id, show: 'source' },
      ];
    });
  return {
    figures,
    table: {
      title: 'Query plans',
      intro:
        "What each query type's plan must read through an index, and what its representative plan (EXPLAIN ANALYZE of the API's own statement, rolled back) read. A sequential scan passes only when the planner, with sequential scans switched off, reads the table through an index: the index exists and scanning a small table was cheaper. Full plans with buffers and times are in the appendix.",
      columns: ['query type', 'must use', 'plan', 'tables without an index', 'target', 'verdict', 'source'],
      rows,
    },
  };
}
