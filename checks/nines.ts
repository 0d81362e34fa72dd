/**
 * Cache consistency as "nines", the way Meta's Polaris reports it ("N nines
 * of cache consistency within T seconds"): nines = -log10(1 - consistent/checked).
 * 99.9 % consistent is 3 nines.
 *
 * When every checked entry is consistent the formula gives infinity, and the
 * sample supports far less. With n entries checked and 0 inconsistent, the
 * 95 % upper bound on the inconsistency rate is about 3/n (the "rule of
 * three": (1 - p)^n = 0.05 gives p = -ln(0.05)/n ≈ 2.996/n; Hanley & Lippman-
 * Hand, JAMA 1983). So a clean sample is shown as -log10(3/n) = log10(n/3)
 * nines, marked `capped` ("at least"): 1000 clean entries support
 * "≥ 2.52 nines", not 3 (log10(n) would claim an inconsistency rate of at most
 * 1/n, which n clean observations do not show with any useful confidence).
 * Fewer than 3 clean entries bound nothing: 0 nines.
 */

export interface Nines {
  /** Rounded to two decimals. */
  nines: number;
  /** True when every entry was consistent and the value is the log10(n/3) bound. */
  capped: boolean;
}

/** Nines of `consistent` out of `checked`; null when nothing was checked. */
export function nines(consistent: number, checked: number): Nines | null {
  if (checked <= 0) return null;
  if (consistent >= checked) return { nines: round2(Math.max(0, Math.log10(checked / 3))), capped: true };
  return { nines: round2(-Math.log10(1 - consistent / checked)), capped: false };
}

/** "≥ 2.52 nines" or "2.52 nines". */
export function formatNines(n: Nines | null): string {
  if (!n) return 'n/a';
  return `${n.capped ? '≥ ' : ''}${n.nines.toFixed(2)} nines`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
