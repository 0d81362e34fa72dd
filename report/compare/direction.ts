/**
 * Which way is better for a figure, so compare can call a change a
 * regression or an improvement. In order:
 *  0. a fact about the environment (`environment`: the preflight round
 *     trips, the API's /healthz time) has no direction: it describes how busy
 *     the machine was at that moment, so a change is `changed`, never a
 *     regression;
 *  1. the figure says so (`higherIsBetter`);
 *  2. its target says so (`<=`: lower is better, `>=`: higher; `== 0`: lower);
 *  3. a time (ms, µs) is better lower;
 *  4. counts of bad events (timeouts, deadlocks, rollbacks, evictions,
 *     violations, crossed thresholds) are better lower;
 *  5. anything else (request counts, memory, configured values) has no
 *     direction: a change beyond the tolerance is reported as `changed`.
 */
import type { Target, Unit } from '../figure.ts';

export type Direction = 'lower' | 'higher' | 'none';

const BAD_EVENTS = /(timeouts|deadlocks|rollbacks|evictions|violations|thresholdsFailed)$/;

export function directionOf(f: {
  id: string;
  unit: Unit;
  higherIsBetter?: boolean;
  environment?: boolean;
  target?: Target;
}): Direction {
  if (f.environment) return 'none';
  if (f.higherIsBetter === true) return 'higher';
  if (f.higherIsBetter === false) return 'lower';
  if (f.target?.op === '<=') return 'lower';
  if (f.target?.op === '>=') return 'higher';
  if (f.target?.op === '==' && f.target.value === 0) return 'lower';
  if (f.unit === 'ms' || f.unit === 'us') return 'lower';
  if (BAD_EVENTS.test(f.id)) return 'lower';
  return 'none';
}
