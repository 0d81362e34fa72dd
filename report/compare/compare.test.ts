import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ladderSteps, writeFixtureRun } from '../../test/helpers/ndjson-fixtures.ts';
import type { RunJson } from '../run-json.ts';
import {
  buildBaseline,
  compareRuns,
  comparisonMarkdown,
  comparisonTable,
  judgeChange,
  type Baseline,
} from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'acgs-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const T0 = Date.parse('2026-11-27T21:00:00Z');

/** A run measured from its own synthetic stream, through the real figure builders. */
function fixtureRun(seed: number, dbFactor = 1): Promise<RunJson> {
  return writeFixtureRun(
    join(tmp, `run-${seed}-${dbFactor}`),
    [
      { name: 'ladder', spec: { startMs: T0, seed, steps: ladderSteps(5, 4), dbFactor } },
      {
        name: 'query-mix',
        spec: {
          startMs: T0 + 21_000,
          seed: seed + 1000,
          steps: [{ tag: 'query-mix', startS: 0, durationS: 30, rps: 60, medianMs: 4 }],
          dbFactor,
        },
      },
    ],
    { runId: `run-${seed}${dbFactor === 1 ? '' : '-slow'}` },
  );
}

const copy = (r: RunJson): RunJson => JSON.parse(JSON.stringify(r)) as RunJson;
const setValue = (r: RunJson, id: string, f: (v: number) => number) => {
  const fig = r.figures.find((x) => x.id === id)!;
  fig.value = f(fig.value!);
};

let runs: RunJson[];
let baseline: Baseline;
beforeAll(async () => {
  // Five runs: with three, the spread of a p99 over a few hundred samples is too rough to tell noise apart.
  runs = [];
  for (const seed of [1, 2, 3, 5, 6]) runs.push(await fixtureRun(seed));
  baseline = buildBaseline(runs);
});

describe('compareRuns', () => {
  it('flags a p95 doubled in a copy of a run, and nothing else', () => {
    const b = copy(runs[0]);
    setValue(b, 'query.join.p95', (v) => v * 2);
    const c = compareRuns(b, runs[0], { tolerance: 0.1 });
    expect(c.regressed).toBe(true);
    expect(c.rows.filter((r) => r.verdict === 'regression').map((r) => r.id)).toEqual(['query.join.p95']);
    const row = c.rows.find((r) => r.id === 'query.join.p95')!;
    expect(row.change).toBeCloseTo(1, 12);
    expect(c.counts.unchanged).toBe(c.rows.length - 1);
    expect(comparisonTable(c)).toMatch(/REGRESSION\s+join query p95/);
    expect(comparisonMarkdown(c)).toContain('| **REGRESSION** | join query p95 |');
  });

  it('calls a drop of a higher-is-better ratio a regression and a rise an improvement', () => {
    const worse = copy(runs[0]);
    setValue(worse, 'ladder.10.rps', (v) => v * 0.5);
    const better = copy(runs[0]);
    setValue(better, 'ladder.10.rps', (v) => v * 1.5);
    setValue(better, 'query.simple.p95', (v) => v * 0.5);
    expect(compareRuns(worse, runs[0], { tolerance: 0.1 }).rows.find((r) => r.id === 'ladder.10.rps')!.verdict).toBe(
      'regression',
    );
    const c = compareRuns(better, runs[0], { tolerance: 0.1 });
    expect(c.regressed).toBe(false);
    expect(
      c.rows
        .filter((r) => r.verdict === 'improvement')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['ladder.10.rps', 'query.simple.p95']);
  });

  it('stays quiet on a run whose figures differ from the baseline within its spread', () => {
    // Every figure of the new run at a point between the smallest and the largest the baseline saw.
    const b = copy(runs[0]);
    b.runId = 'within-spread';
    let moved = 0;
    for (const f of b.figures) {
      const s = baseline.figures[f.id];
      if (s?.min === null || s?.max === null || s === undefined) continue;
      f.value = s.min + (s.max - s.min) * 0.9;
      if (Math.abs(f.value - s.mean!) > 0.1 * Math.abs(s.mean!)) moved++;
    }
    const c = compareRuns(b, baseline, { tolerance: 0.1 });
    expect(moved).toBeGreaterThan(0); // some figures did move by more than the tolerance ...
    expect(c.counts.noise).toBe(moved); // ... and are called noise, not regressions
    expect(c.regressed).toBe(false);
  });

  it('stays quiet on another run of the same build against the baseline, and flags queries twice as slow', async () => {
    const same = compareRuns(await fixtureRun(4), baseline, { tolerance: 0.1 });
    expect(same.rows.filter((r) => r.verdict === 'regression')).toEqual([]);
    const slow = compareRuns(await fixtureRun(7, 2), baseline, { tolerance: 0.1 });
    expect(slow.regressed).toBe(true);
    const ids = slow.rows.filter((r) => r.verdict === 'regression').map((r) => r.id);
    for (const qt of ['simple', 'join', 'aggregation', 'complex', 'index_scan'])
      expect(ids).toContain(`query.${qt}.p95`);
    expect(ids).toContain('query.all.avg');
    // Request latency did not change: the regression is pinned on the database figures.
    expect(ids.filter((id) => id.startsWith('ladder.'))).toEqual([]);
  });

  it('reports figures only one side has as new or missing', () => {
    const b = copy(runs[0]);
    const gone = b.figures.pop()!;
    b.figures.push({ id: 'extra.figure', label: 'extra', value: 1, unit: 'count', source: 'test', side: 'client' });
    const c = compareRuns(b, runs[0], { tolerance: 0.1 });
    expect(c.rows.find((r) => r.id === 'extra.figure')!.verdict).toBe('new');
    expect(c.rows.find((r) => r.id === gone.id)!.verdict).toBe('missing');
    expect(c.regressed).toBe(false);
  });
});

describe('judgeChange', () => {
  const cases: Array<[string, number | null, number | null, 'lower' | 'higher' | 'none', string]> = [
    ['5 % slower within 10 %', 100, 105, 'lower', 'unchanged'],
    ['20 % slower', 100, 120, 'lower', 'regression'],
    ['20 % faster', 100, 80, 'lower', 'improvement'],
    ['violations from 0 to 3', 0, 3, 'lower', 'regression'],
    ['a count with no direction', 100, 150, 'none', 'changed'],
    ['no value before', null, 3, 'lower', 'new'],
    ['no value now', 3, null, 'lower', 'missing'],
  ];
  for (const [name, ref, cur, dir, verdict] of cases) {
    it(name, () => expect(judgeChange(ref, cur, dir, 0.1, null).verdict).toBe(verdict));
  }
  it('a change inside the spread is noise, outside it a regression', () => {
    // Three runs seen between 90 and 130, s = 5: the prediction interval (±4.97 s) is inside what was seen.
    const tight = { n: 3, min: 90, max: 130, stddev: 5 };
    expect(judgeChange(100, 125, 'lower', 0.1, tight).verdict).toBe('noise');
    expect(judgeChange(100, 131, 'lower', 0.1, tight).verdict).toBe('regression');
    // s = 20 over only three runs: one more run could well land at 150 (100 + 4.97 × 20 ≈ 199).
    expect(judgeChange(100, 150, 'lower', 0.1, { ...tight, stddev: 20 }).verdict).toBe('noise');
    expect(judgeChange(100, 200, 'lower', 0.1, { ...tight, stddev: 20 }).verdict).toBe('regression');
  });
  it('gives an infinite change from zero', () => {
    expect(judgeChange(0, 3, 'lower', 0.1, null).change).toBe(Infinity);
  });
});

describe('buildBaseline', () => {
  it('keeps mean, min, max and the sample standard deviation per figure', () => {
    const vals = runs.map((r) => r.figures.find((f) => f.id === 'query.join.p95')!.value!);
    const f = baseline.figures['query.join.p95'];
    const mean = vals.reduce((a, b) => a + b, 0) / 5;
    expect(f.n).toBe(5);
    expect(f.mean).toBeCloseTo(mean, 12);
    expect(f.min).toBe(Math.min(...vals));
    expect(f.max).toBe(Math.max(...vals));
    expect(f.stddev).toBeCloseTo(Math.sqrt(vals.reduce((a, v) => a + (v - mean) ** 2, 0) / 4), 12);
    expect(baseline.runs.map((r) => r.runId)).toEqual(['run-1', 'run-2', 'run-3', 'run-5', 'run-6']);
  });
  it('refuses runs of different profiles', () => {
    const other = copy(runs[0]);
    other.profile = 'nightly';
    expect(() => buildBaseline([runs[1], other])).toThrow(/mix profiles/);
  });
});
