/**
 * shared-iterations: a fixed number of iterations shared by a number of VUs;
 * a VU takes the next iteration as soon as it is free (k6 docs "Shared
 * iterations"; lib/executor/shared_iterations.go). Defaults: vus 1,
 * iterations 1, maxDuration 10m.
 */
import { DEFAULT_MAX_DURATION_MS, type BaseConfig, type FieldReader } from './base-config.ts';
import {
  bannerTail,
  fmt,
  loopVu,
  runWithGracefulStop,
  type ExecutorContext,
  type ExecutorDefinition,
} from './context.ts';
import type { VU } from '../vu.ts';

export interface SharedIterationsConfig extends BaseConfig {
  vus: number;
  iterations: number;
  maxDurationMs: number;
}

export const sharedIterations: ExecutorDefinition<SharedIterationsConfig> = {
  type: 'shared-iterations',
  read(base: BaseConfig, r: FieldReader): SharedIterationsConfig {
    r.onlyKnown(['vus', 'iterations', 'maxDuration']);
    const c = {
      ...base,
      vus: r.int('vus', 1, 1),
      iterations: r.int('iterations', 1, 1),
      maxDurationMs: r.duration('maxDuration', DEFAULT_MAX_DURATION_MS, true),
    };
    if (c.iterations < c.vus)
      r.errors.push(
        `scenario "${base.name}": the number of iterations (${c.iterations}) can't be less than the number of VUs (${c.vus})`,
      );
    return c;
  },
  maxVUs: (c) => c.vus,
  maxDurationMs: (c) => c.maxDurationMs + c.gracefulStopMs,
  describe: (c) =>
    `${c.iterations} iterations shared among ${c.vus} VUs ${bannerTail(c, [`maxDuration: ${fmt(c.maxDurationMs)}`])}`,
  async run(c: SharedIterationsConfig, ctx: ExecutorContext): Promise<void> {
    let next = 0;
    const vus: VU[] = await ctx.pool.acquireMany(c.vus);
    ctx.scenario.progress = () => Math.min(1, next / c.iterations);
    await runWithGracefulStop(
      ctx,
      c,
      c.maxDurationMs,
      () => vus,
      (stopping) =>
        Promise.all(
          vus.map((vu) => {
            vu.activate(ctx.scenario);
            // claim an iteration before running it, so exactly `iterations` run
            return loopVu(
              ctx,
              vu,
              () => !stopping(),
              () => next < c.iterations && ++next > 0,
            );
          }),
        ),
    );
    for (const vu of vus) ctx.pool.release(vu);
  },
};
