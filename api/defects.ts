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
 * | skipFillRate | a cache miss is answered from PostgreSQL but not written back, nor a created row written through (the next read misses) |
 * | slowQueryType, slowQueryMs | every query of that type takes slowQueryMs longer, holding its connection (fires on each) |
 * | slowQueryType, slowQueryFactor | every query of that type takes factor times its own time: after it ran t ms, (factor − 1)·t more |
 * | slowQueryType, slowQueryTailRate, slowQueryTailMs | that fraction of the type's queries take slowQueryTailMs longer: the tail moves, the median barely |
 *
 * The three slowdowns share one query type and add up when more than one is given.
 *
 * Off, a switch costs one comparison with zero.
 */
import type { Config, QueryType } from '../config/index.ts';

export type DefectName = 'skipInvalidation' | 'wrongVersion' | 'noTtl' | 'skipVoteCounter' | 'skipFill';

/** The slowdowns on purpose, each counted under its own name in acgs_defect_injected_total. */
export type SlowDefectName = 'slowQuery' | 'slowQueryFactor' | 'slowQueryTail';

/** The rate of every defect switch that is on (rate > 0), by config key; the slowed query type with its delay. */
export type ActiveDefects = Partial<Record<`${DefectName}Rate`, number>> & {
  slowQuery?: { type: QueryType; ms: number };
  slowQueryFactor?: { type: QueryType; factor: number };
  slowQueryTail?: { type: QueryType; rate: number; ms: number };
};

/** Decides, per operation, whether a defect fires. */
export class Defects {
  private readonly rates: Record<DefectName, number>;
  private readonly onFire: (name: DefectName | SlowDefectName) => void;
  private readonly slow: { type: QueryType; ms: number } | null;
  private readonly slowFactor: { type: QueryType; factor: number } | null;
  private readonly slowTail: { type: QueryType; rate: number; ms: number } | null;

  constructor(
    cfg: Config['api']['defects'],
    onFire: (name: DefectName | SlowDefectName) => void = () => {},
    private readonly random: () => number = Math.random,
  ) {
    this.rates = {
      skipInvalidation: cfg.skipInvalidationRate,
      wrongVersion: cfg.wrongVersionRate,
      noTtl: cfg.noTtlRate,
      skipVoteCounter: cfg.skipVoteCounterRate,
      skipFill: cfg.skipFillRate,
    };
    this.onFire = onFire;
    const type = cfg.slowQueryType;
    this.slow = type && cfg.slowQueryMs > 0 ? { type, ms: cfg.slowQueryMs } : null;
    this.slowFactor = type && cfg.slowQueryFactor > 1 ? { type, factor: cfg.slowQueryFactor } : null;
    this.slowTail =
      type && cfg.slowQueryTailRate > 0 && cfg.slowQueryTailMs > 0
        ? { type, rate: cfg.slowQueryTailRate, ms: cfg.slowQueryTailMs }
        : null;
  }

  /** True when a slowdown is on, so the query path needs the delay hook at all. */
  slowsQueries(): boolean {
    return this.slow !== null || this.slowFactor !== null || this.slowTail !== null;
  }

  /**
   * Extra milliseconds a query of `type` takes, decided after it ran for
   * `elapsedMs`: the fixed delay, plus (factor − 1)·elapsedMs for the relative
   * slowdown (so the query's own time, whatever the machine, is what grows),
   * plus the tail delay when the tail fires for this query. 0 for other types.
   */
  queryDelayMs(type: string, elapsedMs = 0): number {
    let ms = 0;
    if (this.slow !== null && type === this.slow.type) {
      this.onFire('slowQuery');
      ms += this.slow.ms;
    }
    if (this.slowFactor !== null && type === this.slowFactor.type) {
      this.onFire('slowQueryFactor');
      ms += (this.slowFactor.factor - 1) * elapsedMs;
    }
    const tail = this.slowTail;
    if (tail !== null && type === tail.type && (tail.rate >= 1 || this.random() < tail.rate)) {
      this.onFire('slowQueryTail');
      ms += tail.ms;
    }
    return ms;
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
    if (this.slowFactor) out.slowQueryFactor = { ...this.slowFactor };
    if (this.slowTail) out.slowQueryTail = { ...this.slowTail };
    return out;
  }
}
