/**
 * The statistics of a run-as-the-unit comparison, on worked examples and on
 * data drawn from the model they assume: Student's t prediction interval,
 * the Poisson count test, the empirical Bayes prior of a kind of figures,
 * and the scales figures are judged on.
 */
import { describe, expect, it } from 'vitest';
import trigamma from '@stdlib/math-base-special-trigamma';
import digamma from '@stdlib/math-base-special-digamma';
import { createRng } from '../../scenarios/lib/random.ts';
import { bandFactor, countP, predictionP } from './stats.ts';
import { fitPrior, moderate, trigammaInverse } from './moderate.ts';
import { COMPLEMENT_FLOOR, effectText, fromScale, scaleOf, toScale } from './scale.ts';

/** χ² draw with integer `df` (a sum of squared normals), seeded. */
function chi2(r: () => number, df: number): number {
  let s = 0;
  for (let i = 0; i < df; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    s += z * z;
  }
  return s;
}

describe('the prediction interval of one more run', () => {
  it("takes Student's t from @stdlib: t(0.975, 4) · √(6/5) for five runs", () => {
    expect(bandFactor(0.05, 5, 4)).toBeCloseTo(2.776445 * Math.sqrt(1.2), 5);
    expect(bandFactor(0.01, 5, 4)).toBeCloseTo(4.604095 * Math.sqrt(1.2), 5);
    // Infinite degrees of freedom: the normal quantile (1.959964 for 95 %).
    expect(bandFactor(0.05, 5, Infinity)).toBeCloseTo(1.959964 * Math.sqrt(1.2), 5);
    expect(bandFactor(0.05, 1, 0)).toBe(Infinity);
  });
  it('gives p = alpha at the edge of the (1 − alpha) band, and is two-sided', () => {
    for (const [alpha, n, df] of [
      [0.05, 5, 4],
      [0.01, 5, 4],
      [1e-4, 10, 30],
    ]) {
      const edge = bandFactor(alpha, n, df) * 0.2;
      expect(predictionP(edge, 0.2, n, df)).toBeCloseTo(alpha, 8);
      expect(predictionP(-edge, 0.2, n, df)).toBeCloseTo(alpha, 8);
    }
  });
  it('calls any move against a spread of zero infinitely unusual, and no move not at all', () => {
    expect(predictionP(0.01, 0, 5, 4)).toBe(0);
    expect(predictionP(0, 0, 5, 4)).toBe(1);
  });
});

describe('the Poisson count test', () => {
  const cases: Array<[string, number[], number, number]> = [
    // None in five runs, three now: P(all 3 in this run | 3 in all) = (1/6)^3, two-sided ×2.
    ['0,0,0,0,0 then 3', [0, 0, 0, 0, 0], 3, 2 / 216],
    ['0,0,0,0,0 then 1: one event is no evidence', [0, 0, 0, 0, 0], 1, 2 / 6],
    ['none anywhere', [0, 0, 0, 0, 0], 0, 1],
    ['about the baseline rate', [2, 1, 3, 2, 2], 2, 1],
  ];
  for (const [name, baseline, y, p] of cases) it(name, () => expect(countP(baseline, y)).toBeCloseTo(p, 10));
  it('is small for many more events than the baseline runs had, and for far fewer', () => {
    expect(countP([2, 1, 3, 2, 2], 15)).toBeLessThan(1e-5);
    expect(countP([20, 22, 19, 21, 18], 2)).toBeLessThan(1e-4);
  });
});

describe('the empirical Bayes prior of a kind of figures (Smyth 2004)', () => {
  it('inverts trigamma: ψ′(1) = π²/6, ψ′(½) = π²/2', () => {
    expect(trigammaInverse(Math.PI ** 2 / 6)).toBeCloseTo(1, 9);
    expect(trigammaInverse(Math.PI ** 2 / 2)).toBeCloseTo(0.5, 9);
    for (const y of [0.01, 0.3, 2, 7.5, 40, 1000]) expect(trigammaInverse(trigamma(y)) / y).toBeCloseTo(1, 8);
    expect(trigammaInverse(0)).toBeNaN();
  });
  it('recovers d0 and s0² from variances drawn from the prior it assumes', () => {
    const r = createRng(42);
    const d0 = 10;
    const s0sq = 0.01;
    const vars = Array.from({ length: 4000 }, () => {
      const sigma2 = (s0sq * d0) / chi2(r, d0);
      return { s2: (sigma2 * chi2(r, 4)) / 4, df: 4 };
    });
    const p = fitPrior(vars);
    expect(p.figures).toBe(4000);
    expect(p.d0).toBeGreaterThan(7);
    expect(p.d0).toBeLessThan(14);
    expect(p.s0sq / s0sq).toBeGreaterThan(0.9);
    expect(p.s0sq / s0sq).toBeLessThan(1.1);
  });
  it('gives figures that share one spread an infinite d0, and figures that disagree a small one', () => {
    const same = fitPrior(Array.from({ length: 20 }, () => ({ s2: 0.04, df: 4 })));
    expect(same.d0).toBe(Infinity);
    // E[log s²] = log σ² + ψ(d/2) − log(d/2): s0² is σ² corrected for that bias.
    expect(same.s0sq).toBeCloseTo(0.04 * 2 * Math.exp(-digamma(2)), 10);
    const wild = fitPrior([1e-6, 1e-4, 1e-2, 1, 100, 1e-5, 0.1, 10].map((s2) => ({ s2, df: 4 })));
    expect(wild.d0).toBeLessThan(1);
  });
  it('moderates a kind of few figures less: d0 from the excess variance plus one standard error', () => {
    // 30 figures whose spreads look no more different than chance: limma's estimate would be d0 = ∞.
    const r = createRng(7);
    const vars = Array.from({ length: 30 }, () => ({ s2: (0.04 * chi2(r, 4)) / 4, df: 4 }));
    const p = fitPrior(vars);
    expect(Number.isFinite(p.d0)).toBe(true);
    expect(p.d0).toBeGreaterThan(4);
    expect(p.d0).toBeLessThan(40);
  });
  it('leaves out zero variances and gives no prior below three figures with a spread', () => {
    expect(
      fitPrior([
        { s2: 0, df: 4 },
        { s2: 0.01, df: 4 },
        { s2: 0.02, df: 4 },
      ]).d0,
    ).toBe(0);
    expect(moderate(0.5, 4, { d0: 0, s0sq: 0, figures: 2 })).toEqual({ s2: 0.5, df: 4 });
  });
  it("moderates a figure's variance towards the prior by their degrees of freedom", () => {
    expect(moderate(0.09, 4, { d0: 12, s0sq: 0.01, figures: 30 })).toEqual({ s2: (12 * 0.01 + 4 * 0.09) / 16, df: 16 });
    expect(moderate(0.09, 4, { d0: Infinity, s0sq: 0.01, figures: 30 })).toEqual({ s2: 0.01, df: Infinity });
    // A figure the same in every run gets the prior's share, not zero.
    expect(moderate(0, 4, { d0: 12, s0sq: 0.01, figures: 30 }).s2).toBeCloseTo(0.0075, 12);
  });
});

describe('the scale of a figure', () => {
  it('judges a success rate by its failures: 99.9 % → 90 % is failures ×100, not a 10 % drop', () => {
    const s = scaleOf('ratio', 'higher', [0.999, 0.999]);
    expect(s).toEqual({ kind: 'complement', floor: COMPLEMENT_FLOOR, worseUp: true });
    const d = toScale(s, 0.9) - toScale(s, 0.999);
    expect(Math.exp(d)).toBeCloseTo((0.1 + 0.001) / (0.001 + 0.001), 9);
    expect(effectText(s.kind, d, 0.999, 0.9)).toBe('failures 0.100 % → 10.0 % (×100)');
    expect(fromScale(s, toScale(s, 0.9))).toBeCloseTo(0.9, 12);
  });
  it('judges latencies, counts and throughputs by their logarithm, and round-trips', () => {
    for (const [unit, dir, v] of [
      ['ms', 'lower', 12.5],
      ['count', 'lower', 3],
      ['req/s', 'higher', 480],
      ['ratio', 'none', 0.3],
    ] as const) {
      const s = scaleOf(unit, dir, [v]);
      expect(fromScale(s, toScale(s, v))).toBeCloseTo(v, 9);
      expect(s.worseUp).toBe(dir === 'none' ? null : dir === 'lower');
    }
    expect(scaleOf('count', 'lower', [0]).kind).toBe('count');
    expect(toScale(scaleOf('count', 'lower', [0]), 0)).toBe(0);
    expect(effectText('log', Math.log(1.25))).toBe('×1.25');
    expect(scaleOf('ms', 'lower', [-1, 2]).kind).toBe('linear');
  });
});
