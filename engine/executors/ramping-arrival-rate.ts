/**
 * ramping-arrival-rate: the iteration rate follows `stages` linearly
 * (k6 docs "Ramping arrival rate"; lib/executor/ramping_arrival_rate.go).
 * Defaults: startRate 0, timeUnit 1s, maxVUs = preAllocatedVUs.
 *
 * The n-th iteration (from 1) starts when the area under the rate curve
 * reaches n (k6 `RampingArrivalRateConfig.cal`): within a stage ramping from
 * rate `f` to `t` (per ms) over `d`, that is at
 *   x = (f*d - sqrt(d*(f*f*d + 2*(n - done)*(t - f)))) / (f - t)
 * and at (n - done)/t in a flat stage.
 */
import { sumStages, type BaseConfig, type FieldReader, type Stage } from './base-config.ts';
import { bannerTail, fmt, type ExecutorContext, type ExecutorDefinition } from './context.ts';
import { runArrivalRate } from './arrival-rate-loop.ts';
import type { Stride } from '../execution-segment.ts';

export interface RampingArrivalRateConfig extends BaseConfig {
  startRate: number;
  timeUnitMs: number;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs: number;
  /** Under an execution segment: which of the test's iterations are this instance's. */
  stride?: Stride;
}

/** Start offsets (ms) of the iterations, per k6's `cal`. */
export function* rampingArrivalOffsets(
  startRate: number,
  timeUnitMs: number,
  stages: Stage[],
  stride: Stride = { start: 0, offsets: [1] },
): Generator<number> {
  let stageStart = 0;
  let done = 0;
  let end = 0;
  let from = startRate / timeUnitMs;
  // under a segment, only this instance's iterations (k6 `cal` with the striped offsets)
  let li = 0;
  const next = (): number => stride.offsets[li++ % stride.offsets.length];
  let i = stride.start + 1;
  for (const st of stages) {
    const to = st.target / timeUnitMs;
    const d = st.durationMs;
    if (from !== to) {
      end += d * ((to - from) / 2 + from);
      for (; i <= end; i += next()) {
        const x =
          (from * d - Math.sqrt(Math.max(0, d * (from * from * d + 2 * (i - done) * (to - from))))) / (from - to);
        yield stageStart + x;
      }
    } else {
      end += d * to;
      for (; i <= end; i += next()) yield stageStart + (i - done) / to;
    }
    done = end;
    from = to;
    stageStart += d;
  }
}

export const rampingArrivalRate: ExecutorDefinition<RampingArrivalRateConfig> = {
  type: 'ramping-arrival-rate',
  read(base: BaseConfig, r: FieldReader): RampingArrivalRateConfig {
    r.onlyKnown(['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs']);
    const pre = r.int('preAllocatedVUs', undefined, 0);
    const c = {
      ...base,
      startRate: r.int('startRate', 0, 0),
      timeUnitMs: r.duration('timeUnit', 1000, true),
      stages: r.stages(),
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
  maxDurationMs: (c) => sumStages(c.stages) + c.gracefulStopMs,
  describe: (c) => {
    const max = Math.max(c.startRate, ...c.stages.map((s) => s.target));
    return `Up to ${((max * 1000) / c.timeUnitMs).toFixed(2)} iterations/s for ${fmt(sumStages(c.stages))} over ${c.stages.length} stages ${bannerTail(c, [`maxVUs: ${c.preAllocatedVUs}-${c.maxVUs}`])}`;
  },
  run: (c: RampingArrivalRateConfig, ctx: ExecutorContext) =>
    runArrivalRate(c, ctx, {
      preAllocatedVUs: c.preAllocatedVUs,
      maxVUs: c.maxVUs,
      durationMs: sumStages(c.stages),
      offsets: rampingArrivalOffsets(c.startRate, c.timeUnitMs, c.stages, c.stride),
    }),
};
