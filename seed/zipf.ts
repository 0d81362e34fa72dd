/**
 * Skewed popularity: low ids are the hot ones (a few principles, policies,
 * amendments and users draw most votes, decisions and audit events), following
 * a Zipf-like law P(k) ~ 1/k^s.
 *
 * `zipfPick` maps a uniform hash to an id with the continuous inverse CDF
 * (O(1), no table); `allocate` gives each parent a deterministic number of
 * children with the same skew and a prefix sum to find the parent of the i-th
 * child (child tables are then pure functions of their row index).
 */
import { unit, type CellHash } from './hash.ts';

/**
 * An id in [1, n] with P(k) ~ k^-s, from a uint32 hash. s = 1 uses
 * P(k) = ln((k+1)/k) / ln(n+1), the continuous Zipf(1) law.
 */
export function zipfPick(h: number, n: number, s = 1): number {
  if (n <= 1) return 1;
  const u = unit(h);
  let x: number;
  if (Math.abs(s - 1) < 1e-9) x = Math.pow(n + 1, u);
  else {
    const a = 1 - s;
    x = Math.pow((Math.pow(n + 1, a) - 1) * u + 1, 1 / a);
  }
  const k = Math.floor(x);
  return k < 1 ? 1 : k > n ? n : k;
}

/** Children per parent and their prefix sums; parent ids are 1-based. */
export interface Allocation {
  /** counts[p-1] = number of children of parent p. */
  counts: Uint32Array;
  /** prefix[p-1] = index of the first child of parent p; prefix[n] = total. */
  prefix: Float64Array;
  total: number;
}

/**
 * Spreads about `total` children over `n` parents with weights ~ p^-s (s = 0:
 * even), each at least `min` and at most `cap`. Rounding is by hash, so the
 * sum is close to `total`, not exact. Memory: 12 bytes per parent.
 */
export function allocate(
  n: number,
  total: number,
  h: CellHash,
  opts: { s?: number; min?: number; cap?: number } = {},
): Allocation {
  const s = opts.s ?? 1;
  const min = opts.min ?? 0;
  const cap = opts.cap ?? Number.MAX_SAFE_INTEGER;
  let norm = 0;
  for (let p = 1; p <= n; p++) norm += Math.pow(p, -s);
  const spread = Math.max(0, total - min * n);
  const counts = new Uint32Array(n);
  const prefix = new Float64Array(n + 1);
  let acc = 0;
  for (let p = 1; p <= n; p++) {
    const want = (spread * Math.pow(p, -s)) / norm;
    let c = min + Math.floor(want + unit(h(p)));
    if (c > cap) c = cap;
    counts[p - 1] = c;
    prefix[p - 1] = acc;
    acc += c;
  }
  prefix[n] = acc;
  return { counts, prefix, total: acc };
}

/** The parent (1-based) of child `i` (0-based) and the child's rank k within it. */
export function locate(a: Allocation, i: number): { parent: number; k: number } {
  let lo = 0;
  let hi = a.counts.length - 1;
  // Largest p with prefix[p] <= i (and a non-empty parent).
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (a.prefix[mid] <= i) lo = mid;
    else hi = mid - 1;
  }
  return { parent: lo + 1, k: i - a.prefix[lo] };
}
