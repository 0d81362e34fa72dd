/**
 * Scales and tick choice for the report's SVG charts: linear axes with
 * "nice" ticks (1, 2, 5 × 10^k), the percentile axis of HdrHistogram plots
 * (x = log10(1 / (1 - p))), and time since the run's start.
 */

/** Maps a domain onto a pixel range. */
export interface Scale {
  (v: number): number;
  domain: [number, number];
}

export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.domain = [d0, d1];
  return f;
}

/**
 * Round tick values covering [min, max], about `count` of them, at least
 * `minStep` apart (1 for whole things such as VUs); the domain is widened to
 * the outer ticks.
 */
export function niceTicks(min: number, max: number, count = 5, minStep = 0): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) max = min === 0 ? 1 : min + Math.abs(min) * 0.1;
  const raw = Math.max((max - min) / count, minStep);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw - 1e-12) ?? 10 * mag;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const out: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** x position of percentile p (0..100) on HdrHistogram's axis: 0 -> 0, 90 -> 1, 99 -> 2, 99.9 -> 3 ... */
export function ninesX(p: number): number {
  return p >= 100 ? 6 : -Math.log10(1 - p / 100);
}

/** Labels of the nines axis. */
export const NINES_TICKS: Array<[number, string]> = [
  [0, '0%'],
  [1, '90%'],
  [2, '99%'],
  [3, '99.9%'],
  [4, '99.99%'],
  [5, '99.999%'],
];

/** Seconds as a clock label: 0:05, 2:30, 1:05:00 (hours only when there are any). */
export function clock(s: number, withHours = false): string {
  const neg = s < 0;
  const t = Math.round(Math.abs(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  const body = h > 0 || withHours ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
  return neg ? `-${body}` : body;
}

/** Steps of a time axis (seconds): what a clock is read in, from 1 s to a day. */
export const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * Ticks of a time axis over [lo, hi] seconds: the smallest step of
 * TIME_STEPS that gives at most `maxTicks` intervals, and every multiple of
 * it in the range (so 0:00, 0:10, ... 1:00 for a one-minute run, every 10 min
 * for an hour).
 */
export function timeTicks(lo: number, hi: number, maxTicks = 7): { step: number; ticks: number[] } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) return { step: 1, ticks: [Math.round(lo) || 0] };
  const span = hi - lo;
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / 86400) * 86400;
  const ticks: number[] = [];
  // + 0: Math.ceil of a small negative number is -0, which would print as "-0:00".
  for (let v = Math.ceil(lo / step - 1e-9) * step + 0; v <= hi + 1e-9; v += step) ticks.push(v);
  return { step, ticks };
}

/** A compact number for axis labels: 0.25, 12, 1.2k. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a >= 100 || a === 0) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}
