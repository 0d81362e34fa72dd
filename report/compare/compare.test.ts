import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kruskalTest from '@stdlib/stats-kruskal-test';
import { ladderSteps, writeFixtureRun } from '../../test/helpers/ndjson-fixtures.ts';
import type { RunJson } from '../run-json.ts';
import {
  buildBaseline,
  compareRunDirs,
  compareRuns,
  comparisonMarkdown,
  comparisonTable,
  judgeChange,
  mannWhitney,
  predictionFactor,
  readRunSamples,
  type Baseline,
  type Comparison,
  type RankTest,
} from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'acgs-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const T0 = Date.parse('2026-11-27T21:00:00Z');

const dirOf = new Map<RunJson, string>();

/** A run measured from its own synthetic stream, through the real figure builders; `slow` slows some query types. */
async function fixtureRun(seed: number, dbFactor = 1, slow?: Record<string, number>): Promise<RunJson> {
  const name = `run-${seed}-${dbFactor}${slow ? `-${Object.keys(slow).join('-')}` : ''}`;
  const dir = join(tmp, name);
  const dbFactorByType = slow;
  const run = await writeFixtureRun(
    dir,
    [
      { name: 'ladder', spec: { startMs: T0, seed, steps: ladderSteps(5, 4), dbFactor, dbFactorByType } },
      {
        name: 'query-mix',
        spec: {
          startMs: T0 + 21_000,
          seed: seed + 1000,
          steps: [{ tag: 'query-mix', startS: 0, durationS: 30, rps: 60, medianMs: 4 }],
          dbFactor,
          dbFactorByType,
        },
      },
    ],
    { runId: `run-${seed}${dbFactor === 1 && !slow ? '' : '-slow'}` },
  );
  dirOf.set(run, dir);
  return run;
}

/** Run against run, with the per-request samples of both results folders. */
const compareDirs = (reference: RunJson, current: RunJson, opts: { maxSamples?: number } = {}): Promise<Comparison> =>
  compareRunDirs(current, dirOf.get(current)!, reference, dirOf.get(reference)!, { tolerance: 0.1, ...opts });
const ids = (c: Comparison, verdict: string) =>
  c.rows
    .filter((r) => r.verdict === verdict)
    .map((r) => r.id)
    .sort();

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

describe('compareRuns: run against run, with per-request samples', () => {
  it('calls no regression between runs of the same build (other seeds), and shows the p-values', async () => {
    for (const [a, b] of [
      [0, 1],
      [2, 3],
      [4, 1],
    ]) {
      const c = await compareDirs(runs[a], runs[b]);
      expect(ids(c, 'regression'), `${runs[a].runId} vs ${runs[b].runId}`).toEqual([]);
      expect(c.regressed).toBe(false);
      // Latency figures were judged by the rank test ...
      const tested = c.rows.filter((r) => r.test?.p != null);
      expect(tested.map((r) => r.id)).toContain('query.join.p95');
      expect(tested.map((r) => r.id)).toContain('ladder.100.p99');
      expect(tested.map((r) => r.id)).toContain('cache.get.avg');
      for (const r of c.rows.filter((x) => x.verdict === 'noise' && x.test?.p != null))
        expect(r.why).toMatch(
          /within noise: Mann–Whitney p = [0-9.e-]+, Holm-adjusted over \d+ sample sets p = [0-9.e-]+ ≥ α 0\.01 \(n \d+ vs \d+\)/,
        );
      // ... and figures without samples are not called regressions on tolerance alone.
      for (const r of c.rows.filter((x) => x.verdict === 'unverified')) {
        expect(r.test).toMatchObject({ p: null, method: 'tolerance only (one run per side, no samples)' });
        expect(r.why).toContain('one run per side: no spread, judged by tolerance only');
      }
      expect(c.methods.join('\n')).toContain('Mann–Whitney U, two-sided, normal approximation with tie correction');
    }
  });

  it('calls the one query type slowed by half a regression, with its p-value, and nothing else', async () => {
    const slow = await fixtureRun(8, 1, { join: 1.5 });
    const c = await compareDirs(runs[0], slow);
    expect(c.regressed).toBe(true);
    const regressed = ids(c, 'regression');
    expect(regressed).toContain('query.join.p50');
    expect(regressed).toContain('query.join.p95');
    expect(regressed).toContain('query.join.avg');
    for (const id of regressed) expect(id).toMatch(/^query\.(scenario\.[^.]+\.)?join\./);
    const row = c.rows.find((r) => r.id === 'query.join.p95')!;
    expect(row.test!.p).toBeLessThan(1e-6);
    expect(row.test!.cliffsDelta).toBeGreaterThan(0.1);
    expect(row.test!.pAdjusted).toBeLessThan(0.01);
    expect(row.why).toMatch(
      /higher by more than the 10\.0 % tolerance; Mann–Whitney p (=|<) .* < α 0\.01, Cliff's δ \+0\.\d+/,
    );
    // The other query types were tested too and are not regressions.
    expect(c.rows.find((r) => r.id === 'query.simple.p95')!.test!.p).toBeGreaterThan(0.01);
    expect(comparisonTable(c)).toMatch(/REGRESSION\s+join query p95 .* p (=|<) \S+ \(U test, Holm p/);
    expect(comparisonMarkdown(c)).toMatch(
      /\| \*\*REGRESSION\*\* \| join query p95 \|.*\| p (=|<) \S+ \(U test, Holm p .*\) \|/,
    );
  });

  it('calls a copy of a run with its p95 doubled in run.json noise: its samples are the same (p = 1)', async () => {
    // Was: "flags a p95 doubled in a copy of a run" - a regression by tolerance alone, which the samples contradict.
    const b = copy(runs[0]);
    setValue(b, 'query.join.p95', (v) => v * 2);
    dirOf.set(b, dirOf.get(runs[0])!);
    const c = await compareDirs(runs[0], b);
    expect(c.regressed).toBe(false);
    const row = c.rows.find((r) => r.id === 'query.join.p95')!;
    expect(row.change).toBeCloseTo(1, 12);
    expect(row.verdict).toBe('noise');
    expect(row.test!.p).toBe(1);
    expect(c.counts.unchanged).toBe(c.rows.length - 1);
  });

  it('subsamples large sample sets to a bound, seeded: the same files give the same p', async () => {
    const slow = await fixtureRun(8, 1, { join: 1.5 });
    const a = await compareDirs(runs[0], slow, { maxSamples: 300 });
    const b = await compareDirs(runs[0], slow, { maxSamples: 300 });
    const row = a.rows.find((r) => r.id === 'ladder.100.p99')!;
    expect(row.test!.n).toEqual({ reference: 300, current: 300 });
    expect(row.test!.subsampledTo).toBe(300);
    expect(a.rows.map((r) => r.test?.p)).toEqual(b.rows.map((r) => r.test?.p));
    expect(a.methods.join('\n')).toContain('subsampled to that many (uniform, seeded');
    expect(ids(a, 'regression').every((id) => /^query\.(scenario\.[^.]+\.)?join\./.test(id))).toBe(true);
    const s = await readRunSamples(dirOf.get(runs[0])!, runs[0], { maxPerSide: 300 });
    expect(s.sets.get('http|tag:users_100')!.seen).toBe(2000);
    expect(s.sets.get('http|file:ladder')!.values.length).toBe(300);
  });
});

describe('compareRuns: no samples, one run per side', () => {
  it('reports a doubled p95 as beyond the tolerance but unverified, not as a regression', () => {
    // Was: a regression (exit 7) on tolerance alone.
    const b = copy(runs[0]);
    setValue(b, 'query.join.p95', (v) => v * 2);
    const c = compareRuns(b, runs[0], { tolerance: 0.1 });
    expect(c.regressed).toBe(false);
    expect(ids(c, 'unverified')).toEqual(['query.join.p95']);
    expect(c.rows.find((r) => r.id === 'query.join.p95')!.why).toContain(
      'one run per side: no spread, judged by tolerance only',
    );
    expect(comparisonTable(c)).toMatch(/UNVERIFIED\s+join query p95 .*tolerance only/);
    expect(comparisonMarkdown(c)).toContain('figures without samples (rates, counts, server-side): one run per side');
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

describe('compareRuns against a baseline', () => {
  it('calls a drop of a higher-is-better ratio a regression and a rise an improvement', () => {
    // Was run against run (tolerance only); a throughput has no samples, so the baseline's spread judges it.
    const worse = copy(runs[0]);
    setValue(worse, 'ladder.10.rps', (v) => v * 0.5);
    const better = copy(runs[0]);
    setValue(better, 'ladder.10.rps', (v) => v * 1.5);
    setValue(better, 'query.simple.p95', (v) => v * 0.5);
    expect(compareRuns(worse, baseline, { tolerance: 0.1 }).rows.find((r) => r.id === 'ladder.10.rps')!.verdict).toBe(
      'regression',
    );
    const c = compareRuns(better, baseline, { tolerance: 0.1 });
    expect(c.regressed).toBe(false);
    expect(ids(c, 'improvement')).toEqual(['ladder.10.rps', 'query.simple.p95']);
  });

  it("reports a preflight round trip far outside the baseline's spread as changed, not a regression: it is the machine's", () => {
    const busy = copy(runs[0]);
    setValue(busy, 'infra.redis.rtt', (v) => v * 30);
    const row = compareRuns(busy, baseline, { tolerance: 0.1 }).rows.find((r) => r.id === 'infra.redis.rtt')!;
    expect(row.direction).toBe('none');
    expect(row.verdict).toBe('changed');
    // the figure builder marks it, and the baseline keeps the mark (an older run without it still has one side marked)
    expect(busy.figures.find((f) => f.id === 'infra.redis.rtt')!.environment).toBe(true);
    expect(baseline.figures['infra.redis.rtt'].environment).toBe(true);
    // broken on purpose: without the mark the same change is a regression
    const unmarked = copy(busy);
    const { environment: _, ...rest } = unmarked.figures.find((f) => f.id === 'infra.redis.rtt')!;
    unmarked.figures = unmarked.figures.map((f) => (f.id === 'infra.redis.rtt' ? rest : f));
    const plain = {
      ...baseline,
      figures: {
        ...baseline.figures,
        'infra.redis.rtt': { ...baseline.figures['infra.redis.rtt'], environment: undefined },
      },
    };
    expect(compareRuns(unmarked, plain, { tolerance: 0.1 }).rows.find((r) => r.id === 'infra.redis.rtt')!.verdict).toBe(
      'regression',
    );
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

  it('judges by the prediction interval of a baseline of 3 runs, with the sample size stated', async () => {
    const three = buildBaseline(runs.slice(0, 3));
    const same = compareRuns(await fixtureRun(4), three, { tolerance: 0.1 });
    expect(ids(same, 'regression')).toEqual([]);
    expect(same.methods[0]).toContain('baseline of 3 runs');
    expect(same.methods[0]).toContain("Student's t with 2 degrees of freedom");
    // Three runs give a wide interval (t(0.995, 2) · √(4/3) ≈ 11.5 s): the slowdown must be large to show.
    const slow = compareRuns(await fixtureRun(8, 1, { simple: 3 }), three, { tolerance: 0.1 });
    const regressed = ids(slow, 'regression');
    expect(regressed).toContain('query.simple.p95');
    for (const id of regressed) expect(id).toMatch(/^query\.(scenario\.[^.]+\.)?simple\./);
    const row = slow.rows.find((r) => r.id === 'query.simple.p95')!;
    const f = three.figures['query.simple.p95'];
    expect(row.test!.n).toEqual({ reference: 3, current: 1 });
    expect(row.test!.interval![1]).toBeCloseTo(Math.max(f.max!, f.mean! + predictionFactor(3, 0.01) * f.stddev!), 9);
    expect(row.why).toContain('outside the spread of 3 baseline runs');
    expect(comparisonTable(slow)).toMatch(/REGRESSION\s+simple query p95 .*PI .* \(n = 3 runs\)/);
  });
});

describe('judgeChange', () => {
  const rank = (p: number, cliffsDelta: number): RankTest => ({
    u: 0,
    z: 0,
    p,
    cliffsDelta,
    n: { reference: 1000, current: 1000 },
  });
  const spread = { n: 3, min: 95, max: 105, stddev: 3 };
  const cases: Array<
    [string, number | null, number | null, 'lower' | 'higher' | 'none', Parameters<typeof judgeChange>[5], string]
  > = [
    ['5 % slower within 10 %', 100, 105, 'lower', {}, 'unchanged'],
    // Was 'regression': one run per side and no samples cannot tell noise from change.
    ['20 % slower, one run per side, no samples', 100, 120, 'lower', {}, 'unverified'],
    ['20 % faster, one run per side, no samples', 100, 80, 'lower', {}, 'unverified'],
    ['20 % slower, samples differ (p 0.001, δ +0.3)', 100, 120, 'lower', { samples: rank(0.001, 0.3) }, 'regression'],
    ['20 % slower, samples alike (p 0.2)', 100, 120, 'lower', { samples: rank(0.2, 0.05) }, 'noise'],
    ['20 % slower, samples moved the other way', 100, 120, 'lower', { samples: rank(0.001, -0.3) }, 'noise'],
    ['20 % slower, p 0.03 with α 0.05', 100, 120, 'lower', { samples: rank(0.03, 0.2), alpha: 0.05 }, 'regression'],
    ['20 % slower, p 0.03 with the default α 0.01', 100, 120, 'lower', { samples: rank(0.03, 0.2) }, 'noise'],
    ['20 % faster, samples differ', 100, 80, 'lower', { samples: rank(0.001, -0.3) }, 'improvement'],
    ['a count with no direction', 100, 150, 'none', {}, 'changed'],
    ['no value before', null, 3, 'lower', {}, 'new'],
    ['no value now', 3, null, 'lower', {}, 'missing'],
  ];
  for (const [name, ref, cur, dir, evidence, verdict] of cases) {
    it(name, () => expect(judgeChange(ref, cur, dir, 0.1, null, evidence).verdict).toBe(verdict));
  }
  it('violations from 0 to 3: a regression against a baseline that never saw any', () => {
    // Was judged with no spread (a regression by tolerance alone); now it takes the baseline's spread.
    expect(judgeChange(0, 3, 'lower', 0.1, { n: 3, min: 0, max: 0, stddev: 0 }).verdict).toBe('regression');
    expect(judgeChange(0, 3, 'lower', 0.1, null).verdict).toBe('unverified');
  });
  it('a change inside the spread is noise, outside it a regression', () => {
    // Was three runs and the hand-typed 95 % t (±4.97 s). Now the interval is at 1 − α (99 % by default):
    // ten runs seen between 90 and 130, s = 5: the prediction interval (t(0.995, 9) · √1.1 = ±3.41 s) is inside what was seen.
    const tight = { n: 10, min: 90, max: 130, stddev: 5 };
    expect(judgeChange(100, 125, 'lower', 0.1, tight).verdict).toBe('noise');
    expect(judgeChange(100, 131, 'lower', 0.1, tight).verdict).toBe('regression');
    // s = 20: one more run could well land at 150 (100 + 3.41 × 20 ≈ 168), not at 200.
    expect(judgeChange(100, 150, 'lower', 0.1, { ...tight, stddev: 20 }).verdict).toBe('noise');
    expect(judgeChange(100, 200, 'lower', 0.1, { ...tight, stddev: 20 }).verdict).toBe('regression');
    // With α 0.05 the interval narrows to the 95 % one (±2.40 s): 150 is outside it.
    expect(judgeChange(100, 150, 'lower', 0.1, { ...tight, stddev: 20 }, { alpha: 0.05 }).verdict).toBe('regression');
    // Three runs: t(0.995, 2) · √(4/3) = ±11.5 s.
    expect(judgeChange(100, 140, 'lower', 0.1, { n: 3, min: 95, max: 105, stddev: 4 }).verdict).toBe('noise');
    expect(judgeChange(100, 150, 'lower', 0.1, { n: 3, min: 95, max: 105, stddev: 4 }).verdict).toBe('regression');
    expect(judgeChange(100, 120, 'lower', 0.1, spread).test!.method).toContain('from 3 baseline runs');
  });
  it('gives an infinite change from zero', () => {
    expect(judgeChange(0, 3, 'lower', 0.1, null).change).toBe(Infinity);
  });
});

describe('mannWhitney and predictionFactor', () => {
  /** U by counting every pair: current > reference counts 1, a tie ½. */
  const bruteU = (a: number[], b: number[]) => {
    let u = 0;
    for (const x of a) for (const y of b) u += y > x ? 1 : y === x ? 0.5 : 0;
    return u;
  };

  it('matches a worked example: {1,2,3} against {4,5,6}', () => {
    // U = 9 of 9 pairs; mean 4.5, variance 3·3·7/12 = 5.25, z = 4.5/√5.25 = 1.9640, p = 2·(1 − Φ(1.9640)) = 0.04953.
    const t = mannWhitney([1, 2, 3], [4, 5, 6]);
    expect(t.u).toBe(9);
    expect(t.z).toBeCloseTo(1.963961, 5);
    expect(t.p).toBeCloseTo(0.049535, 5);
    expect(t.cliffsDelta).toBe(1);
  });

  it('equals the Kruskal–Wallis test of @stdlib for two groups, ties included, and U counted pair by pair', () => {
    const cases: Array<[number[], number[]]> = [
      [
        [19, 22, 16, 29, 24],
        [20, 11, 17, 12],
      ],
      [
        [1, 2, 2, 3, 3, 3, 4, 7, 7],
        [2, 3, 4, 4, 5, 5, 6, 7, 8, 9],
      ],
      [
        [0.4, 0.5, 0.5, 0.9, 1.2, 1.3, 2.2],
        [0.5, 0.6, 1.1, 1.3, 1.3, 2.0, 2.5, 2.6, 3.1],
      ],
    ];
    for (const [a, b] of cases) {
      const t = mannWhitney(a, b);
      expect(t.u).toBe(bruteU(a, b));
      expect(t.p).toBeCloseTo(kruskalTest(a, b).pValue, 10);
      expect(t.cliffsDelta).toBeCloseTo((2 * bruteU(a, b)) / (a.length * b.length) - 1, 12);
    }
  });

  it('gives p = 1 and δ = 0 for identical samples, and is symmetric', () => {
    const a = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    expect(mannWhitney(a, a)).toMatchObject({ p: 1, cliffsDelta: 0 });
    const b = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8];
    expect(mannWhitney(a, b).p).toBeCloseTo(mannWhitney(b, a).p, 12);
    expect(mannWhitney(a, b).cliffsDelta).toBeCloseTo(-mannWhitney(b, a).cliffsDelta, 12);
  });

  it("takes Student's t from @stdlib: t(0.975, 2) · √(4/3) for three runs", () => {
    expect(predictionFactor(3)).toBeCloseTo(4.302653 * Math.sqrt(4 / 3), 5);
    expect(predictionFactor(3, 0.01)).toBeCloseTo(9.924843 * Math.sqrt(4 / 3), 5);
    expect(predictionFactor(31)).toBeCloseTo(2.042272 * Math.sqrt(32 / 31), 5);
    expect(predictionFactor(1)).toBe(Infinity);
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
