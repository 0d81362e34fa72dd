/**
 * Fault switches: deliberate, opt-in defects that let the checkers' tests
 * prove each checker catches what it claims to catch. Configured by
 * `api.defects` (rates 0..1); all zero by default.
 *
 * | switch | effect when it fires |
 * | --- | --- |
 * | skipInvalidationRate | a write commits but does not delete the cache entries it affects (stale entry stays) |
 * | wrongVersionRate | a cache fill stores `v` = row version + 1 (content is the real row) |
 * | noTtlRate | a cache fill is written without TTL (SET without EX) |
 * | skipVoteCounterRate | a vote row is inserted but the amendment's votes_* counter is not moved |
 *
 * Off, a switch costs one comparison with zero.
 */
import type { Config } from '../config/index.ts';

export type DefectName = 'skipInvalidation' | 'wrongVersion' | 'noTtl' | 'skipVoteCounter';

/** The rate of every defect switch that is on (rate > 0), by config key. */
export type ActiveDefects = Partial<Record<`${DefectName}Rate`, number>>;

/** Decides, per operation, whether a fault fires. */
export class Defects {
  private readonly rates: Record<DefectName, number>;
  private readonly onFire: (name: DefectName) => void;

  constructor(
    cfg: Config['api']['defects'],
    onFire: (name: DefectName) => void = () => {},
    private readonly random: () => number = Math.random,
  ) {
    this.rates = {
      skipInvalidation: cfg.skipInvalidationRate,
      wrongVersion: cfg.wrongVersionRate,
      noTtl: cfg.noTtlRate,
      skipVoteCounter: cfg.skipVoteCounterRate,
    };
    this.onFire = onFire;
  }

  /** True when fault `name` fires for this operation. */
  fires(name: DefectName): boolean {
    const rate = this.rates[name];
    if (rate <= 0) return false;
    const fired = rate >= 1 || this.random() < rate;
    if (fired) this.onFire(name);
    return fired;
  }

  /** The switches that are on, e.g. `{ noTtlRate: 0.1 }`; empty when none. */
  active(): ActiveDefects {
    const out: ActiveDefects = {};
    for (const [name, rate] of Object.entries(this.rates) as [DefectName, number][]) {
      if (rate > 0) out[`${name}Rate`] = rate;
    }
    return out;
  }
}
