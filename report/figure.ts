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
 * note, why (e.g. which file was missing).
 */
export function missedTargetReason(f: Figure): string {
  if (f.pass === null) return `target missed: ${f.label} not measured${f.note ? ` (${f.note})` : ''}`;
  return `target missed: ${f.label} = ${formatValue(f.value, f.unit)}, target ${formatTarget(f.target, f.unit)} (${f.source})`;
}
