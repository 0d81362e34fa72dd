/**
 * constant-arrival-rate: `rate` iterations per `timeUnit` for `duration`,
 * whatever the response times (k6 docs "Constant arrival rate";
 * lib/executor/constant_arrival_rate.go). Defaults: timeUnit 1s, maxVUs =
 * preAllocatedVUs. The n-th iteration (from 0) starts at n * timeUnit/rate.
 */
import type { BaseConfig, FieldReader } from './base-config.ts';
import { bannerTail, fmt, type ExecutorContext, type ExecutorDefinition } from './context.ts';
import { runArrivalRate } from './arrival-rate-loop.ts';
import type { Stride } from '../execution-segment.ts';

export interface ConstantArrivalRateConfig extends BaseConfig {
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  /** Under an execution segment: which of the test's iterations are this instance's. */
  stride?: Stride;
}

/**
 * Start offsets (ms) of the iterations: n * period while within the duration;
 * under a segment only this instance's n (k6 `GetStripedOffsets`).
 */
export function* constantArrivalOffsets(
  rate: number,
  timeUnitMs: number,
  durationMs: number,
  stride: Stride = { start: 0, offsets: [1] },
): Generator<number> {
  const period = timeUnitMs / rate;
  for (let n = stride.start, li = 0; n * period < durationMs; n += stride.offsets[li++ % stride.offsets.length])
    yield n * period;
}

export const constantArrivalRate: ExecutorDefinition<ConstantArrivalRateConfig> = {
  type: 'constant-arrival-rate',
  read(base: BaseConfig, r: FieldReader): ConstantArrivalRateConfig {
    r.onlyKnown(['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs']);
    const pre = r.int('preAllocatedVUs', undefined, 0);
    const c = {
      ...base,
      rate: r.int('rate', undefined, 1),
      timeUnitMs: r.duration('timeUnit', 1000, true),
      durationMs: r.duration('duration', undefined, true),
      preAllocatedVUs: pre,
      maxVUs: r.int('maxVUs', pre, 0),
    };
    if (c.maxVUs < c.preAllocatedVUs)
      r.errors.push(
        `scenario "${base.name}": maxVUs (${c.maxVUs}) can't be less than preAllocatedVUs (${c.preAllocatedVUs})`,
      );
    return c;
  },
  maxVUs: (c) => c.preAllocatedVUs,
  maxDurationMs: (c) => c.durationMs + c.gracefulStopMs,
  describe: (c) =>
    `${((c.rate * 1000) / c.timeUnitMs).toFixed(2)} iterations/s for ${fmt(c.durationMs)} ${bannerTail(c, [`maxVUs: ${c.preAllocatedVUs}-${c.maxVUs}`])}`,
  run: (c: ConstantArrivalRateConfig, ctx: ExecutorContext) =>
    runArrivalRate(c, ctx, {
      preAllocatedVUs: c.preAllocatedVUs,
      maxVUs: c.maxVUs,
      durationMs: c.durationMs,
      offsets: constantArrivalOffsets(c.rate, c.timeUnitMs, c.durationMs, c.stride),
    }),
};
