/**
 * Human-readable metric values, as k6's classic end-of-test summary prints
 * them (k6 js/summary.js before v1 / jslib k6-summary 0.0.x: `humanizeValue`,
 * `humanizeBytes`, `humanizeDuration`).
 */
import type { MetricType, ValueType } from '../metrics/index.ts';

/** Drop trailing zeros after rounding to `prec` decimals ("1.50" -> "1.5"). */
export function toFixedNoTrailingZeros(val: number, prec: number): string {
  return parseFloat(val.toFixed(prec)).toString();
}

function toFixedNoTrailingZerosTrunc(val: number, prec: number): string {
  const mult = Math.pow(10, prec);
  return toFixedNoTrailingZeros(Math.trunc(mult * val) / mult, prec);
}

/** Bytes in SI units: "9 B", "1.2 kB", "35 MB". */
export function humanizeBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  const base = 1000;
  if (bytes < 10) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(base));
  const suffix = units[e | 0];
  const val = Math.floor((bytes / Math.pow(base, e)) * 10 + 0.5) / 10;
  return `${val.toFixed(val < 10 ? 1 : 0)} ${suffix}`;
}

/** Milliseconds as "850ns", "12.5µs", "1.23ms", "2.5s", "1m3s", "1h2m3s" (truncated, not rounded). */
export function humanizeGenericDuration(dur: number): string {
  if (dur === 0) return '0s';
  if (dur < 0.001) return `${Math.trunc(dur * 1_000_000)}ns`;
  if (dur < 1) return `${toFixedNoTrailingZerosTrunc(dur * 1000, 2)}µs`;
  if (dur < 1000) return `${toFixedNoTrailingZerosTrunc(dur, 2)}ms`;
  let result = `${toFixedNoTrailingZerosTrunc((dur % 60000) / 1000, dur > 60000 ? 0 : 2)}s`;
  let rem = Math.trunc(dur / 60000);
  if (rem < 1) return result;
  result = `${rem % 60}m${result}`;
  rem = Math.trunc(rem / 60);
  if (rem < 1) return result;
  return `${rem}h${result}`;
}

const UNIT_MAP: Record<string, { unit: string; coef: number }> = {
  s: { unit: 's', coef: 0.001 },
  ms: { unit: 'ms', coef: 1 },
  us: { unit: 'µs', coef: 1000 },
};

/** A duration in a fixed `summaryTimeUnit` (s, ms, us) with 2 decimals, else the generic form. */
export function humanizeDuration(dur: number, timeUnit: string | null | undefined): string {
  if (timeUnit && Object.hasOwn(UNIT_MAP, timeUnit)) {
    return (dur * UNIT_MAP[timeUnit].coef).toFixed(2) + UNIT_MAP[timeUnit].unit;
  }
  return humanizeGenericDuration(dur);
}

/** A value of a metric: rates as truncated percentages, data as bytes, time as durations. */
export function humanizeValue(
  val: number,
  metric: { type: MetricType; contains: ValueType },
  timeUnit?: string | null,
): string {
  if (metric.type === 'rate') {
    // k6 truncates instead of rounding when going down to 2 decimals.
    return (Math.trunc(val * 100 * 100) / 100).toFixed(2) + '%';
  }
  switch (metric.contains) {
    case 'data':
      return humanizeBytes(val);
    case 'time':
      return humanizeDuration(val, timeUnit);
    default:
      return toFixedNoTrailingZeros(val, 6);
  }
}
