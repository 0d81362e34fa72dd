/**
 * Pool efficiency on fixed /metrics scrapes: served without queueing ÷ all
 * acquisitions, failed ones included, from acgs_pool_acquire_outcomes_total.
 * How long a served acquisition waited (the wait histogram, which follows CPU
 * contention) does not enter it. No server, no clock: the samples are text.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { parsePrometheus } from '../../measure/index.ts';
import type { Figure } from '../figure.ts';
import type { RunInputs } from './inputs.ts';
import { poolFigures, POOL_EFFICIENCY_FORMULA } from './pool.ts';

interface Scrape {
  outcomes?: { unqueued: number; queued: number; timeout: number; error: number };
  /** Served acquisitions by wait bucket (seconds, cumulative as Prometheus exposes them). */
  waits: Array<[le: string, count: number]>;
  waitSum: number;
}

/** The pool's lines of a /metrics scrape, as prom-client writes them. */
function exposition(s: Scrape): string {
  const lines = ['# HELP acgs_pool_acquire_wait_seconds wait', '# TYPE acgs_pool_acquire_wait_seconds histogram'];
  for (const [le, c] of s.waits) lines.push(`acgs_pool_acquire_wait_seconds_bucket{le="${le}"} ${c}`);
  const count = s.waits.at(-1)![1];
  lines.push(`acgs_pool_acquire_wait_seconds_sum ${s.waitSum}`, `acgs_pool_acquire_wait_seconds_count ${count}`);
  lines.push(`acgs_pool_acquires_total ${count}`);
  if (s.outcomes) {
    lines.push('# TYPE acgs_pool_acquire_outcomes_total counter');
    for (const [k, v] of Object.entries(s.outcomes))
      lines.push(`acgs_pool_acquire_outcomes_total{outcome="${k}"} ${v}`);
    lines.push(`acgs_pool_acquire_timeouts_total ${s.outcomes.timeout}`);
  }
  lines.push('acgs_pool_max 60');
  return lines.join('\n') + '\n';
}

const config = loadConfig({ profile: 'smoke', env: {}, flags: { targets: { poolEfficiency: 0.9 } } });

function figures(
  before: Scrape,
  after: Scrape,
  utilisation: NonNullable<RunInputs['target']>['utilisation'] = { mean: 0.4, peak: 0.9, peakWaiting: 3 },
): Map<string, Figure> {
  const inputs: RunInputs = {
    config,
    scenarios: [],
    pg: null,
    redis: null,
    target: { before: parsePrometheus(exposition(before)), after: parsePrometheus(exposition(after)), utilisation },
    infra: {
      pgVersion: 'n/a',
      redisVersion: 'n/a',
      pgRttMs: null,
      redisRttMs: null,
      targetHealthMs: null,
      targetUrl: 'n/a',
    },
    checks: null,
    plans: [],
    ladder: null,
  };
  return new Map(poolFigures(inputs).figures.map((f) => [f.id, f]));
}

const idle: Scrape = {
  outcomes: { unqueued: 5, queued: 0, timeout: 0, error: 0 },
  waits: [
    ['0.001', 5],
    ['0.0025', 5],
    ['+Inf', 5],
  ],
  waitSum: 0.002,
};

describe('pool efficiency', () => {
  it('is served without queueing ÷ all acquisitions, failed ones included, whatever the wait', () => {
    // 1000 acquisitions in the run: 900 unqueued, 40 queued, 50 timed out, 10 failed otherwise.
    // Every served one waited more than 1 ms (a busy CPU): the old 1 ms cut would say 0 %.
    const after: Scrape = {
      outcomes: { unqueued: 905, queued: 40, timeout: 50, error: 10 },
      waits: [
        ['0.001', 5],
        ['0.0025', 945],
        ['+Inf', 945],
      ],
      waitSum: 1.5,
    };
    const f = figures(idle, after);
    const eff = f.get('pool.efficiency')!;
    expect(eff.value).toBeCloseTo(900 / 1000, 12);
    expect(eff.pass).toBe(true);
    expect(eff.source).toBe(`target /metrics: ${POOL_EFFICIENCY_FORMULA}`);
    expect(eff.source).toContain('acgs_pool_acquire_outcomes_total');
    expect(eff.source).toContain('outcome="unqueued"');
    expect(f.get('pool.acquires')!.value).toBe(940);
    expect(f.get('pool.acquires.unqueued')!.value).toBe(900);
    expect(f.get('pool.acquires.failed')!.value).toBe(60);
    expect(f.get('pool.timeouts')!.value).toBe(50);
    // The wait percentiles stay, from the histogram.
    expect(f.get('pool.wait.p50')!.value).toBeGreaterThan(1);

    // One more timeout is one more acquisition that was not served: below 90 %.
    const worse = figures(idle, { ...after, outcomes: { ...after.outcomes!, timeout: 51 } }).get('pool.efficiency')!;
    expect(worse.value).toBeCloseTo(900 / 1001, 12);
    expect(worse.pass).toBe(false);
  });

  it('is n/a when the target does not export the outcomes, or nothing was acquired', () => {
    const old = (s: Scrape): Scrape => ({ ...s, outcomes: undefined });
    const none = figures(
      old(idle),
      old({
        ...idle,
        waits: [
          ['0.001', 9],
          ['+Inf', 9],
        ],
      }),
    ).get('pool.efficiency')!;
    expect(none.value).toBeNull();
    expect(none.pass).toBeNull();
    expect(figures(idle, idle).get('pool.efficiency')!.value).toBeNull();
  });

  it('utilisation and waiting are n/a, not 0, without a sample taken while the load ran', () => {
    const f = figures(idle, idle, { mean: null, peak: null, peakWaiting: 0 });
    expect(f.get('pool.utilisation.mean')!.value).toBeNull();
    expect(f.get('pool.utilisation.peak')!.value).toBeNull();
    expect(f.get('pool.waiting.peak')!.value).toBeNull();
    expect(f.get('pool.utilisation.mean')!.source).toContain('while the scenarios ran');
    expect(figures(idle, idle).get('pool.waiting.peak')!.value).toBe(3);
  });
});
