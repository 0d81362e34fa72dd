/**
 * E-divisive means (Matteson & James 2014): change points of a series found
 * one at a time. Each round takes the best split of every stretch between the
 * change points found so far (report/history/energy.ts), keeps the one with
 * the largest Q̂ if it is significant, and stops at the first that is not.
 * Pure and deterministic: the permutations come from a seeded generator.
 */
import { bestSplit } from './energy.ts';
import { permutationFloor, permutationTest, seededUniform, splitTTest } from './significance.ts';

/**
 * The default significance level of one figure's change point: 0.01, so a
 * history of 25 judged figures that did not change shows a false change
 * point about once in four histories (25 × 0.01), not in every one.
 */
export const DEFAULT_ALPHA = 0.01;

/** Which significance test: E-divisive's permutation test, Student's t (Otava), or the first where it can reach α. */
export type ChangePointTest = 'auto' | 'permutation' | 't';

/** Significance level, permutations, seed and test of a change point search. */
export interface EDivisiveOptions {
  /** Significance level; default DEFAULT_ALPHA. */
  alpha?: number;
  /** Permutations per test; default 199 (the R package ecp's default). */
  permutations?: number;
  /** Seed of the permutations; default 1. */
  seed?: number;
  /**
   * `auto` (default): the permutation test where the split's sizes let it
   * reach α/2 (its floor 2/C(L, k), see permutationFloor), else Student's t.
   */
  test?: ChangePointTest;
}

/** One candidate and its verdict. `index`: the first value of the new segment. */
export interface TestedSplit {
  index: number;
  qhat: number;
  pValue: number;
  test: 'permutation' | 't';
  /** The permutation test: how many permutations, and how many reached Q̂. */
  permutations?: number;
  asLarge?: number;
  significant: boolean;
}

/** The change points found, and the candidate that stopped the search. */
export interface EDivisiveResult {
  /** Significant change points, by index. */
  changePoints: TestedSplit[];
  /** The strongest candidate that was not significant (the round that stopped), if any. */
  rejected: TestedSplit | null;
  alpha: number;
  seed: number;
}

/**
 * The change points of `values` (finite numbers, in order). A stretch of one
 * value cannot be split, and a split of two values cannot be significant (a
 * permutation test's smallest p is 1, Student's t has no degree of freedom).
 */
export function eDivisive(values: readonly number[], opts: EDivisiveOptions = {}): EDivisiveResult {
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const permutations = opts.permutations ?? 199;
  const seed = opts.seed ?? 1;
  const test = opts.test ?? 'auto';
  const rand = seededUniform(seed);
  const found: TestedSplit[] = [];
  // Best split of each stretch [a, b), kept while the stretch is not split further.
  const memo = new Map<string, { index: number; qhat: number } | null>();
  for (;;) {
    const bounds = [0, ...found.map((c) => c.index), values.length];
    let best: { index: number; qhat: number; a: number; b: number } | null = null;
    for (let i = 0; i + 1 < bounds.length; i++) {
      const [a, b] = [bounds[i], bounds[i + 1]];
      const key = `${a}:${b}`;
      if (!memo.has(key)) {
        const s = bestSplit(values.slice(a, b));
        memo.set(key, s && { index: s.index + a, qhat: s.qhat });
      }
      const c = memo.get(key);
      if (c && (best === null || c.qhat > best.qhat)) best = { ...c, a, b };
    }
    if (!best || !(best.qhat > 0)) return { changePoints: found, rejected: null, alpha, seed };
    const L = best.b - best.a;
    const k = best.index - best.a;
    const usePermutation = test === 'permutation' || (test === 'auto' && permutationFloor(L, k) <= alpha / 2);
    let tested: TestedSplit;
    if (usePermutation) {
      const r = permutationTest(values, bounds, best.qhat, permutations, rand);
      tested = { index: best.index, qhat: best.qhat, test: 'permutation', ...r, significant: r.pValue <= alpha };
    } else {
      const r = splitTTest(values.slice(best.a, best.index), values.slice(best.index, best.b));
      tested = { index: best.index, qhat: best.qhat, test: 't', pValue: r.pValue, significant: r.pValue <= alpha };
    }
    if (!tested.significant) return { changePoints: found, rejected: tested, alpha, seed };
    found.push(tested);
    found.sort((x, y) => x.index - y.index);
  }
}
