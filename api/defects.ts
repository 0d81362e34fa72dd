/**
 * Defect switches: deliberate, opt-in defects that let the checkers' tests
 * prove each checker catches what it claims to catch. Configured by
 * `api.defects` (rates 0..1); all zero by default.
 *
 * | switch | effect when it fires |
 * | --- | --- |
 * | skipInvalidationRate | a write commits but does not delete the cache entries it affects (stale entry stays) |
 * | wrongVersionRate | a cache fill stores `v` = row version + 1 (content is the real row) |
 * | noTtlRate | a cache fill is written without TTL (SET without EX) |
 * | skipVoteCounterRate | a vote row is inserted but the amendment's votes_* counter is not moved |
 * | slowQueryType, slowQueryMs | every query of that type takes slowQueryMs longer, holding its connection (fires on each) |
 *
 * Off, a switch costs one comparison with zero.
 */
import type { Config, QueryType } from '../config/index.ts';

export type DefectName = 'skipInvalidation' | 'wrongVersion' | 'noTtl' | 'skipVoteCounter';

/** The rate of every defect switch that is on (rate > 0), by config key; the slowed query type with its delay. */
export type ActiveDefects = Partial<Record<`${DefectName}Rate`, number>> & {
  slowQuery?: { type: QueryType; ms: number };
};

/** Decides, per operation, whether a defect fires. */
export class Defects {
  private readonly rates: Record<DefectName, number>;
  private readonly onFire: (name: DefectName | 'slowQuery') => void;
  private readonly slow: { type: QueryType; ms: number } | null;

  constructor(
    cfg: Config['api']['defects'],
    onFire: (name: DefectName | 'slowQuery') => void = () => {},
    private readonly random: () => number = Math.random,
  ) {
    this.rates = {
      skipInvalidation: cfg.skipInvalidationRate,
      wrongVersion: cfg.wrongVersionRate,
      noTtl: cfg.noTtlRate,
      skipVoteCounter: cfg.skipVoteCounterRate,
    };
    this.onFire = onFire;
    this.slow = cfg.slowQueryType && cfg.slowQueryMs > 0 ? { type: cfg.slowQueryType, ms: cfg.slowQueryMs } : null;
  }

  /** Extra milliseconds a query of `type` takes: the slowQuery defect's delay for its type, else 0. */
  queryDelayMs(type: string): number {
    if (this.slow === null || type !== this.slow.type) return 0;
    this.onFire('slowQuery');
    return this.slow.ms;
  }

  /** True when defect `name` fires for this operation. */
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
    if (this.slow) out.slowQuery = { ...this.slow };
    return out;
  }
}
