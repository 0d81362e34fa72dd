/**
 * The unit of every result: a Figure is one measured number with the source it
 * was read from, which side measured it, and (when the profile sets one) the
 * target it is judged against. report.md, junit.xml, report.html and compare
 * all render figures from run.json; none computes a number of its own, so the
 * same figure reads the same everywhere.
 */

export type Unit = 'ms' | 'us' | 'ratio' | 'count' | 'req/s' | 'bytes' | 's' | 'nines';

export interface Target {
  op: '<=' | '>=' | '==';
  value: number;
}

export interface Figure {
  /** Stable id, e.g. `query.join.client.p95`; compare matches runs on it. */
  id: string;
  label: string;
  /** null when the source had nothing to measure (then `note` says why). */
  value: number | null;
  unit: Unit;
  /** Where the number comes from: a view, an INFO field, a metric name. */
  source: string;
  side: 'client' | 'server';
  target?: Target;
  /** Verdict against `target`; null (NO DATA, a missed target) when there is a target but no value. */
  pass?: boolean | null;
  note?: string;
  /** Whether a larger value is better (for compare's verdicts). */
  higherIsBetter?: boolean;
  /**
   * A fact about the machine at one moment (the preflight round trips, the
   * API's /healthz time), not about the system under test: compare gives it
   * no direction, so a change is `changed`, never a regression.
   */
  environment?: boolean;
}

/** Applies a target to a figure and records the verdict. */
export function judge(f: Figure, target: Target | undefined): Figure {
  if (!target) return f;
  let pass: boolean | null = null;
  if (f.value !== null && Number.isFinite(f.value)) {
    pass =
      target.op === '<='
        ? f.value <= target.value
        : target.op === '>='
          ? f.value >= target.value
          : f.value === target.value;
  }
  return { ...f, target, pass };
}

/** The confidence at which a percentile target's verdict must be supported by its samples. */
export const PERCENTILE_CONFIDENCE = 0.95;

/**
 * The fewest samples on which a target on the q-quantile (p95: q = 0.95) is
 * judged. Distribution-free (Wilks 1941, the order-statistic bound behind the
 * "59 runs" of a 95 %/95 % tolerance limit): n samples all fall at or below
 * the true q-quantile with probability q^n, whatever the distribution. Unless
 * q^n ≤ 1 − c, even n samples that all met the target are compatible, at
 * confidence c, with a true q-quantile above it, so no sample percentile can
 * show the target met: n ≥ ln(1 − c) / ln(q). At c = 95 %: p90 29, p95 59,
 * p99 299, p99.9 2,995.
 */
export function minSamplesFor(q: number, confidence: number = PERCENTILE_CONFIDENCE): number {
  return Math.ceil(Math.log(1 - confidence) / Math.log(q));
}

/** "p95" for 0.95, "p99.9" for 0.999. */
function percentileName(q: number): string {
  return `p${Number((q * 100).toFixed(4))}`;
}

/**
 * Applies a target to a percentile figure: on fewer samples than
 * `minSamplesFor(quantile)` the verdict is NO DATA (pass null), the measured
 * value kept and the note giving the count and the minimum. A p99 of 2
 * samples is the larger of the two, not a p99.
 */
export function judgePercentile(
  f: Figure,
  target: Target | undefined,
  o: { quantile: number; samples: number | null },
): Figure {
  const judged = judge(f, target);
  if (!target || judged.pass === null) return judged;
  const min = minSamplesFor(o.quantile);
  const n = o.samples ?? 0;
  if (n >= min) return judged;
  const name = percentileName(o.quantile);
  const c = Math.round(PERCENTILE_CONFIDENCE * 100);
  const why = `${n.toLocaleString('en-US')} sample${n === 1 ? '' : 's'}; a ${name} target is judged on ≥ ${min.toLocaleString('en-US')}: with fewer, even every sample under the target would not show the ${name} under it at ${c} % confidence`;
  return { ...judged, pass: null, note: f.note ? `${f.note}; ${why}` : why };
}

/** Human form of a value in its unit (reports only; run.json keeps the raw number). */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return value < 1 ? `${value.toFixed(3)} ms` : value < 100 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
    case 'us':
      return `${value.toFixed(1)} µs`;
    case 'ratio':
      return `${(value * 100).toFixed(value >= 0.999 && value < 1 ? 3 : 2)} %`;
    case 'count':
      return Number.isInteger(value) ? String(value) : value.toFixed(2);
    case 'req/s':
      return `${value.toFixed(1)} req/s`;
    case 'bytes':
      return value >= 1 << 20 ? `${(value / (1 << 20)).toFixed(1)} MiB` : `${(value / 1024).toFixed(1)} KiB`;
    case 's':
      return Number.isInteger(value) ? `${value} s` : `${value.toFixed(2)} s`;
    case 'nines':
      return `${value.toFixed(1)} nines`;
  }
}

export function formatTarget(t: Target | undefined, unit: Unit): string {
  return t ? `${t.op === '<=' ? '≤' : t.op === '>=' ? '≥' : '='} ${formatValue(t.value, unit)}` : '';
}

export function verdict(f: Figure): string {
  if (f.pass === undefined) return '';
  return f.pass === null ? 'NO DATA' : f.pass ? 'PASS' : 'FAIL';
}

/** Index of figures by id, throwing on a duplicate (ids must be unique in a run). */
export function indexFigures(figures: Figure[]): Map<string, Figure> {
  const m = new Map<string, Figure>();
  for (const f of figures) {
    if (m.has(f.id)) throw new Error(`duplicate figure id ${f.id}`);
    m.set(f.id, f);
  }
  return m;
}

/**
 * The reason line of a judged figure that missed its target, as run.json,
 * report.md and the terminal give it. A figure without data (NO DATA) is a
 * missed target: its line says "not measured" and, when the figure has a
 * note, why (e.g. which file was missing); a value that cannot be judged
 * (a percentile on too few samples) says so, with the note.
 */
export function missedTargetReason(f: Figure): string {
  if (f.pass === null && f.value !== null && Number.isFinite(f.value))
    return `target missed: ${f.label} = ${formatValue(f.value, f.unit)} cannot be judged${f.note ? ` (${f.note})` : ''}`;
  if (f.pass === null) return `target missed: ${f.label} not measured${f.note ? ` (${f.note})` : ''}`;
  return `target missed: ${f.label} = ${formatValue(f.value, f.unit)}, target ${formatTarget(f.target, f.unit)} (${f.source})`;
}
