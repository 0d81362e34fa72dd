/**
 * The verdicts of a run-as-the-unit comparison on synthetic per-run values
 * (test/helpers/synthetic-runs.ts: about 160 judged figures a run, each
 * with its own run-to-run spread and a machine factor shared by a run's
 * latencies). Each property is also broken on purpose: without the
 * family-wise control the same build is called a regression; without the
 * moderated spread a 20 % slowdown is missed; judged on the rate instead
 * of its complement a 100-fold rise in failures is "within 10 %".
 */
import { describe, expect, it } from 'vitest';
import { syntheticRun, syntheticRuns } from '../../test/helpers/synthetic-runs.ts';
import { buildBaseline, type Baseline } from './baseline.ts';
import { compareRuns } from './compare.ts';
import { judgeValues, type JudgeContext, type ReferenceFigure } from './judge.ts';
import { NO_PRIOR } from './moderate.ts';
import type { Comparison } from './types.ts';

const baseline: Baseline = buildBaseline(syntheticRuns(1, 5));
const compare = (o: Parameters<typeof syntheticRun>[0], b = baseline): Comparison =>
  compareRuns(syntheticRun(o), b, { tolerance: 0.1, alpha: 0.01 });
const regressed = (c: Comparison) =>
  c.rows
    .filter((r) => r.verdict === 'regression')
    .map((r) => r.id)
    .sort();
const QUERY_TYPE = /^query\.(?:scenario\.[^.]+\.)?(simple|join|aggregation|complex|index_scan)\./;

describe('judgeValues: one figure against its reference runs', () => {
  const ctx: JudgeContext = { tolerance: 0.1, alpha: 0.01, family: 100, failFactor: 10, priorOf: () => NO_PRIOR };
  const ref = (values: number[], unit: ReferenceFigure['unit'] = 'ms', target?: ReferenceFigure['target']) =>
    ({ label: 'x', unit, side: 'client', values, judgedOn: null, spread: null, target }) as ReferenceFigure;
  const tight = [10, 10.2, 9.8, 10.1, 9.9];
  const cases: Array<[string, ReferenceFigure, number, 'lower' | 'higher' | 'none', string]> = [
    ['×1.05: within the 10 % minimum effect', ref(tight), 10.5, 'lower', 'unchanged'],
    ['×1.5 against a tight spread: a regression', ref(tight), 15, 'lower', 'regression'],
    ['×0.66 against a tight spread: an improvement', ref(tight), 6.6, 'lower', 'improvement'],
    ['×1.5 against runs that went from 5 to 20: noise', ref([5, 10, 20, 8, 15]), 15, 'lower', 'noise'],
    ['×1.5 on a figure without a better side: changed', ref(tight), 15, 'none', 'changed'],
    ['one reference run, ×2: unverified', ref([10]), 20, 'lower', 'unverified'],
    [
      'one reference run, ×12 on a figure with a target: a regression',
      ref([10], 'ms', { op: '<=', value: 100 }),
      120,
      'lower',
      'regression',
    ],
    ['one reference run, ×12 without a target: unverified', ref([10]), 120, 'lower', 'unverified'],
    ['two reference runs are one run too few: unverified', ref([10, 10.1]), 15, 'lower', 'unverified'],
    [
      'violations 0, 0, 0, 0, 0 then 3: the Poisson test calls it noise',
      ref([0, 0, 0, 0, 0], 'count'),
      3,
      'lower',
      'noise',
    ],
    ['violations 0, 0, 0, 0, 0 then 30: a regression', ref([0, 0, 0, 0, 0], 'count'), 30, 'lower', 'regression'],
    [
      'success 99.9 % in every run, then 90 %: failures ×100, a regression',
      ref([0.999, 0.999, 0.999, 0.999, 0.999], 'ratio'),
      0.9,
      'higher',
      'regression',
    ],
    [
      'hit rate 90 % then 89.6 %: misses ×1.04, unchanged',
      ref([0.9, 0.9, 0.9, 0.9, 0.9], 'ratio'),
      0.896,
      'higher',
      'unchanged',
    ],
  ];
  for (const [name, r, cur, dir, verdict] of cases)
    it(name, () => expect(judgeValues('fig', r, cur, dir, Boolean(r.target), ctx).verdict).toBe(verdict));

  it('broken on purpose: judged on the rate itself, 99.9 % → 90 % would be "within 10 %"', () => {
    const j = judgeValues('s', ref([0.999, 0.999, 0.999, 0.999, 0.999], 'ratio'), 0.9, 'higher', false, ctx);
    expect(Math.abs(j.change!)).toBeLessThan(0.1); // the relative change of the rate
    expect(j.test!.factor).toBeGreaterThan(40); // the change of its complement, floored: (0.1 + 0.001) / (0.001 + 0.001)
    expect(j.why).toContain('failures 0.100 % → 10.0 % (×100)');
  });

  it('states what the verdict rests on: the band, p, the family and the runs', () => {
    const j = judgeValues('fig', ref(tight), 15, 'lower', false, ctx);
    expect(j.test).toMatchObject({ n: { reference: 5, current: 1 }, family: 100, alpha: 0.01, scale: 'log' });
    expect(j.test!.pAdjusted).toBeCloseTo(Math.min(1, j.test!.p! * 100), 12);
    expect(j.test!.interval![1]).toBeLessThan(15);
    expect(j.why).toMatch(/×1\.50 \(worse\), beyond the 10 % minimum effect and outside the band of 5 baseline runs/);
  });
});

describe('compareRuns against a 5-run baseline of synthetic runs', () => {
  it('calls none of 10 runs of the same build a regression', () => {
    for (let seed = 101; seed <= 110; seed++) expect(regressed(compare({ seed })), `seed ${seed}`).toEqual([]);
    const c = compare({ seed: 101 });
    expect(c.family).toBeGreaterThan(150);
    expect(c.methods.join('\n')).toContain(`family-wise α 0.01 shared by the m = ${c.family} judged figures`);
  });

  it('keeps false alarms near alpha over 200 runs of the same build (family-wise)', () => {
    let runs = 0;
    for (let seed = 1000; seed < 1200; seed++) if (compare({ seed }).regressed) runs++;
    expect(runs).toBeLessThanOrEqual(4); // α 0.01: 2 expected of 200
  });

  it('broken on purpose: per-figure α (no family-wise control) calls the same build a regression', () => {
    let alarms = 0;
    for (let seed = 101; seed <= 110; seed++) {
      const run = syntheticRun({ seed });
      const c = compareRuns(run, baseline, { tolerance: 0.1, alpha: 0.01 });
      alarms += c.rows.filter(
        (r) =>
          r.test?.p !== null &&
          r.test?.p !== undefined &&
          r.test.p < 0.01 &&
          r.verdict !== 'unchanged' &&
          r.direction !== 'none',
      ).length;
    }
    expect(alarms).toBeGreaterThan(0);
  });

  it('calls one query type slowed 20 % a regression on that type and no other (spread about 2 %)', () => {
    const quiet = buildBaseline(syntheticRuns(1, 5, { noise: 0.5, machine: 0.015 }));
    const c = compare(
      {
        seed: 50,
        noise: 0.5,
        machine: 0.015,
        slow: { type: 'join', factor: { avg: 1.2, p50: 1.2, p95: 1.2, p99: 1.2 } },
      },
      quiet,
    );
    const ids = regressed(c);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids.map((id) => QUERY_TYPE.exec(id)?.[1]))).toEqual(new Set(['join']));
    expect(ids).toContain('query.join.p50');
    // broken on purpose: without moderation each figure keeps its own 4-degree-of-freedom spread, and t(4) misses it
    const unmoderated = compareRuns(
      syntheticRun({
        seed: 50,
        noise: 0.5,
        machine: 0.015,
        slow: { type: 'join', factor: { avg: 1.2, p50: 1.2, p95: 1.2, p99: 1.2 } },
      }),
      quiet,
      { tolerance: 0.1, moderate: false },
    );
    expect(regressed(unmoderated)).toEqual([]);
  });

  it('calls a tail-only slowdown (p99 ×3, median unchanged) a regression on p99, not on p50', () => {
    const c = compare({ seed: 60, slow: { type: 'aggregation', factor: { p99: 3 } } });
    const ids = regressed(c);
    expect(ids).toContain('query.aggregation.p99');
    for (const id of ids) expect(id).toMatch(/^query\.(scenario\.[^.]+\.)?aggregation\.p99$/);
    expect(c.rows.find((r) => r.id === 'query.aggregation.p50')!.verdict).not.toBe('regression');
  });

  it('does not call a median shift (p50 ×1.5, p99 unchanged) a p99 regression', () => {
    const ids = regressed(compare({ seed: 70, slow: { type: 'complex', factor: { p50: 1.5, avg: 1.5 } } }));
    expect(ids).toContain('query.complex.p50');
    expect(ids.filter((id) => id.endsWith('.p99'))).toEqual([]);
  });

  it('judges a success rate on its failures: 0.1 % → 10 % failures at 100 users is a regression', () => {
    const c = compare({ seed: 80, failures100: 0.1 });
    expect(regressed(c)).toEqual(['ladder.100.success']);
    expect(c.rows.find((r) => r.id === 'ladder.100.success')!.why).toMatch(/failures 0\.\d+ % → 10\.\d %/);
  });

  it('judges counts of events against their own variability (Poisson)', () => {
    expect(
      compare({ seed: 90, violations: 2 }).rows.find((r) => r.id === 'consistency.cache-db-sync.violations')!.verdict,
    ).toBe('noise');
    expect(regressed(compare({ seed: 90, violations: 25 }))).toEqual(['consistency.cache-db-sync.violations']);
  });
});

describe('baselines of too few runs', () => {
  it('refuses fewer than 3 runs, says why, and keeps them when told, judging as one run against another', () => {
    expect(() => buildBaseline(syntheticRuns(1, 2))).toThrow(
      /2 runs cannot show how much a figure varies from run to run: a baseline needs at least 3 \(5 recommended\)/,
    );
    expect(() => buildBaseline([syntheticRun({ seed: 1 }), syntheticRun({ seed: 1 })])).toThrow(/given twice/);
    const few = buildBaseline(syntheticRuns(1, 2), { allowFew: true });
    const c = compare({ seed: 60, slow: { type: 'aggregation', factor: { p99: 3 } } }, few);
    expect(c.regressed).toBe(false);
    expect(c.rows.find((r) => r.id === 'query.aggregation.p99')!.verdict).toBe('unverified');
    expect(c.methods.join('\n')).toContain('the baseline has 2 run(s), fewer than 3');
  });
});
