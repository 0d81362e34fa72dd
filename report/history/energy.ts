/**
 * The divergence E-divisive means maximises (Matteson & James 2014, "A
 * Nonparametric Approach for Multiple Change Point Analysis of Multivariate
 * Data", JASA 109(505), eq. 3 and 5, with the distance exponent α = 1): for a
 * split of a stretch of values into X (n values) followed by Y (m values),
 *
 *   Q̂(X, Y) = mn/(m+n) · Ê(X, Y)
 *   Ê(X, Y) = 2/(mn) Σ|Xi − Yj| − C(n,2)⁻¹ Σ_{i<k}|Xi − Xk| − C(m,2)⁻¹ Σ_{j<k}|Yj − Yk|
 *
 * and the candidate change point of a stretch is the τ of the (τ, κ) that
 * maximises Q̂(w[0:τ], w[τ:κ]) over 1 ≤ τ < κ ≤ L (the paper's search over κ as
 * well as τ, as Apache Otava's calculator does; MongoDB's fixes κ = L). Pure:
 * numbers in, numbers out.
 */

/** Q̂ of two samples, straight from the formula (O((n+m)²); the tests' reference). */
export function qhat(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return 0;
  let xy = 0;
  for (const a of x) for (const b of y) xy += Math.abs(a - b);
  const within = (s: readonly number[]) => {
    let t = 0;
    for (let i = 0; i < s.length; i++) for (let k = i + 1; k < s.length; k++) t += Math.abs(s[i] - s[k]);
    return t;
  };
  return combine(xy, within(x), within(y), n, m);
}

/**
 * Q̂ from the three distance sums: 2/(n+m)·Sxy − 2m/((n+m)(n−1))·Sxx −
 * 2n/((n+m)(m−1))·Syy (the mn/(m+n) factor multiplied in; a within-sum of one
 * value is empty, so its term is 0).
 */
function combine(sxy: number, sxx: number, syy: number, n: number, m: number): number {
  const nm = n + m;
  return (
    (2 / nm) * sxy - (n > 1 ? ((2 * m) / (nm * (n - 1))) * sxx : 0) - (m > 1 ? ((2 * n) / (nm * (m - 1))) * syy : 0)
  );
}

/** The best split of a stretch: Y starts at `index` (relative to the stretch), with its Q̂. */
export interface SplitCandidate {
  index: number;
  qhat: number;
}

/**
 * The (τ, κ) maximising Q̂ over one stretch, in O(L²): with P(u, v) the sum of
 * |wi − wk| over u ≤ i < k < v, Sxx = P(0, τ), Syy = P(τ, κ) and
 * Sxy = P(0, κ) − Sxx − Syy. P(u, ·) is built for u from the end down, each
 * column sum Σ_{u≤i<k} |wi − wk| growing by one term per step. Ties go to the
 * smallest τ, then κ (numpy's argmax order in Otava). null for fewer than 2 values.
 */
export function bestSplit(w: ArrayLike<number>): SplitCandidate | null {
  const L = w.length;
  if (L < 2) return null;
  // P(0, v) for v = 0..L.
  const p0 = new Float64Array(L + 1);
  for (let v = 2; v <= L; v++) {
    let col = 0;
    for (let i = 0; i < v - 1; i++) col += Math.abs(w[i] - w[v - 1]);
    p0[v] = p0[v - 1] + col;
  }
  const col = new Float64Array(L); // col[k] = Σ_{u≤i<k} |wi − wk| for the current u
  let best: SplitCandidate | null = null;
  let bestK = 0;
  for (let u = L - 1; u >= 1; u--) {
    for (let k = u + 1; k < L; k++) col[k] += Math.abs(w[u] - w[k]);
    let puv = 0; // P(u, v), v from u + 1
    for (let v = u + 1; v <= L; v++) {
      if (v - 1 > u) puv += col[v - 1];
      const sxx = p0[u];
      const syy = puv;
      const q = combine(p0[v] - sxx - syy, sxx, syy, u, v - u);
      if (best === null || q > best.qhat || (q === best.qhat && (u < best.index || (u === best.index && v < bestK)))) {
        best = { index: u, qhat: q };
        bestK = v;
      }
    }
  }
  return best;
}
