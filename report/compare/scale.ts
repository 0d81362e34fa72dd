/**
 * The scale a figure is compared on, so that a change means the same for
 * every figure of a kind and run-to-run noise is about the same size
 * whatever the figure's level:
 *
 *  - `log`: latencies, throughputs, sizes, ratios without a better side.
 *    They are positive and vary by a proportion (a busy machine makes
 *    every query some percent slower), so log(value + floor); the floor (one
 *    microsecond, 0.01 req/s, one byte) gives zero a place.
 *  - `count`: log(count + 1); a count of bad events (violations, deadlocks)
 *    is also judged by a Poisson test, as most baselines have none.
 *  - `complement`: a rate whose better side is higher (success, hit rate,
 *    score) is judged by what it misses: log(1 − rate + 0.001). Success
 *    99.9 % → 90 % is failures 0.1 % → 10 %, ×100 (×50 with the floor), where
 *    the rate itself moved 10 %. The floor (0.1 %) is the failure rate treated
 *    as "about none": 0 → 0.05 % is ×1.5, not infinite.
 *  - `nines`: −log10(1 − rate) is already the complement's logarithm:
 *    −nines · ln 10.
 *  - `linear`: a figure that went negative somewhere (nothing does today).
 */
import type { Unit } from '../figure.ts';
import type { Direction } from './direction.ts';

export type ScaleKind = 'log' | 'count' | 'complement' | 'nines' | 'linear';

export interface FigureScale {
  kind: ScaleKind;
  /** Added before the logarithm (log, count) or to the complement (complement); 0 otherwise. */
  floor: number;
  /** Whether a larger value on this scale is worse; null for a figure without a better side. */
  worseUp: boolean | null;
}

/** The failure (miss) rate treated as "about none" on the complement scale. */
export const COMPLEMENT_FLOOR = 1e-3;

const LOG_FLOOR: Record<Unit, number> = {
  ms: 1e-3,
  us: 1,
  s: 1e-6,
  'req/s': 1e-2,
  bytes: 1,
  ratio: 1e-3,
  count: 1,
  nines: 0,
};

/**
 * The scale of a figure from its unit, direction and the values it had
 * (the reference's values only: the current run must not choose the scale
 * it is judged on).
 */
export function scaleOf(unit: Unit, direction: Direction, values: readonly number[]): FigureScale {
  const higher = direction === 'higher';
  const worse = (up: boolean): boolean | null => (direction === 'none' ? null : up);
  if (unit === 'nines') return { kind: 'nines', floor: 0, worseUp: worse(!higher) };
  if (unit === 'ratio' && higher && values.every((v) => v <= 1))
    return { kind: 'complement', floor: COMPLEMENT_FLOOR, worseUp: true };
  if (values.some((v) => v < 0)) return { kind: 'linear', floor: 0, worseUp: worse(!higher) };
  if (unit === 'count') return { kind: 'count', floor: 1, worseUp: worse(!higher) };
  return { kind: 'log', floor: LOG_FLOOR[unit], worseUp: worse(!higher) };
}

/** A value on the figure's scale. A value below the scale's range (a negative latency) is held at its bottom. */
export function toScale(s: FigureScale, v: number): number {
  switch (s.kind) {
    case 'log':
    case 'count':
      return Math.log(Math.max(v, 0) + s.floor);
    case 'complement':
      return Math.log(Math.max(1 - v, 0) + s.floor);
    case 'nines':
      return -v * Math.LN10;
    case 'linear':
      return v;
  }
}

/** The value in the figure's unit of a point on its scale (toScale's inverse). */
export function fromScale(s: FigureScale, x: number): number {
  switch (s.kind) {
    case 'log':
    case 'count':
      return Math.max(0, Math.exp(x) - s.floor);
    case 'complement':
      // A rate stays within 0 … 1 (the floor can carry a band's edge past 1).
      return Math.min(1, Math.max(0, 1 - (Math.exp(x) - s.floor)));
    case 'nines':
      return -x / Math.LN10;
    case 'linear':
      return x;
  }
}

/** The smallest move on the scale that can be a change: the tolerance as a factor (log(1 + t)), or relative to the level (linear). */
export function minimumEffect(s: FigureScale, tolerance: number, center: number): number {
  return s.kind === 'linear' ? tolerance * Math.abs(center) : Math.log1p(tolerance);
}

/** What the scale is, in words, for the evidence column and the JSON. */
export function describeScale(s: FigureScale): string {
  switch (s.kind) {
    case 'log':
      return `log(value + ${s.floor})`;
    case 'count':
      return 'log(count + 1)';
    case 'complement':
      return `log(1 − rate + ${s.floor}): the failures (misses) it leaves`;
    case 'nines':
      return 'the complement of the rate the nines stand for, on a log scale';
    case 'linear':
      return 'the value itself (it was negative in a run)';
  }
}

/**
 * A move on the scale as people read it: a factor of the value (×1.25), of
 * what a rate misses (failures 0.10 % → 10.0 %, ×100: the raw complements,
 * while the verdict uses the floored ones), or a difference (linear).
 * `from` and `to` (the values in the figure's unit) name the complements.
 */
export function effectText(kind: ScaleKind, delta: number, from?: number, to?: number): string {
  if (kind === 'linear') return `${delta >= 0 ? '+' : '−'}${Math.abs(delta).toPrecision(3)}`;
  const times = (f: number) => (f >= 999.5 ? f.toFixed(0) : f.toPrecision(3));
  if (kind !== 'complement' || from === undefined || to === undefined)
    return kind === 'complement' || kind === 'nines'
      ? `failures ×${times(Math.exp(delta))}`
      : `×${times(Math.exp(delta))}`;
  const a = Math.max(0, 1 - from);
  const b = Math.max(0, 1 - to);
  const share = (x: number) => `${x === 0 ? '0' : (x * 100).toPrecision(3)} %`;
  if (a > 0 && b > 0) return `failures ${share(a)} → ${share(b)} (×${times(b / a)})`;
  // From or to none: the raw ratio is 0 or infinite; the floored one is what was judged.
  return `failures ${share(a)} → ${share(b)} (×${times(Math.exp(delta))} over the ${share(COMPLEMENT_FLOOR)} floor)`;
}
