/**
 * Turns what a run measured into figures and the report's tables, in the
 * order of the seed report: target achievement summary first, then query
 * performance, cache, TTL policies, pool, infrastructure, ladder, consistency,
 * scenarios.
 */
import type { Figure } from '../figure.ts';
import type { Table } from '../tables.ts';
import { cacheFigures } from './cache.ts';
import type { RunInputs } from './inputs.ts';
import { ladderFigures } from './ladder.ts';
import { consistencyFigures, infraFigures, scenarioFigures } from './overview.ts';
import { planFigures } from './plans.ts';
import { poolFigures } from './pool.ts';
import { queryFigures } from './queries.ts';
import { queryScenarioFigures } from './query-scenarios.ts';
import type { FaultResult } from '../../faults/index.ts';
import { faultFigures } from './faults.ts';

export type { RunInputs, ScenarioOutcome, CheckerOutcome, PlanOutcome, LadderPlan } from './inputs.ts';
export { POOL_EFFICIENCY_FORMULA } from './pool.ts';
export { faultFigures } from './faults.ts';
export { ladderSteps, type LadderStepFigures } from './ladder.ts';

/** `faults`: the fault section, one table per fault after the others; empty for runs without faults. */
export function buildFigures(inputs: RunInputs, faults: FaultResult[] = []): { figures: Figure[]; tables: Table[] } {
  const q = queryFigures(inputs);
  const qs = queryScenarioFigures(inputs);
  const pl = planFigures(inputs);
  const c = cacheFigures(inputs);
  const p = poolFigures(inputs);
  const i = infraFigures(inputs);
  const l = ladderFigures(inputs);
  const k = consistencyFigures(inputs);
  const s = scenarioFigures(inputs);
  const ft = faultFigures(faults, inputs.checks?.checkers ?? null);
  const figures = [
    ...q.figures,
    ...qs.figures,
    ...pl.figures,
    ...c.figures,
    ...p.figures,
    ...i.figures,
    ...l.figures,
    ...k.figures,
    ...s.figures,
    ...ft.figures,
  ];
  const judged = figures.filter((f) => f.target);
  const summary: Table = {
    title: 'Target achievement summary',
    intro: `${judged.filter((f) => f.pass === true).length} of ${judged.length} targets met (${judged.filter((f) => f.pass === null).length} without data).`,
    columns: ['target', 'measured', 'target', 'verdict', 'source'],
    rows: judged.map((f) => [
      f.label,
      { figure: f.id },
      { figure: f.id, show: 'target' },
      { figure: f.id, show: 'verdict' },
      { figure: f.id, show: 'source' },
    ]),
  };
  const tables = [
    summary,
    q.table,
    qs.table,
    pl.table,
    ...c.tables,
    p.table,
    i.table,
    ...(l.table ? [l.table] : []),
    k.table,
    s.table,
    ...ft.tables,
  ];
  return { figures, tables };
}
