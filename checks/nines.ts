/**
 * Cache consistency as "nines", the way Meta's Polaris reports it ("N nines
 * of cache consistency within T seconds"): nines = -log10(1 - consistent/checked).
 * 99.9 % consistent is 3 nines.
 *
 * When every checked entry is consistent the formula gives infinity, but n
 * observations cannot show an inconsistency rate below about 1/n. So the value
 * is capped at log10(n) and marked `capped` ("at least"): 1000 clean entries
 * support "3 nines or better", not more.
 */

export interface Nines {
  /** Rounded to two decimals. */
  nines: number;
  /** True when every entry was consistent and the value is the log10(n) cap. */
  capped: boolean;
}

/** Nines of `consistent` out of `checked`; null when nothing was checked. */
export function nines(consistent: number, checked: number): Nines | null {
  if (checked <= 0) return null;
  if (consistent >= checked) return { nines: round2(Math.log10(checked)), capped: true };
  return { nines: round2(-Math.log10(1 - consistent / checked)), capped: false };
}

/** "≥ 3.00 nines" or "2.52 nines". */
export function formatNines(n: Nines | null): string {
  if (!n) return 'n/a';
  return `${n.capped ? '≥ ' : ''}${n.nines.toFixed(2)} nines`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
