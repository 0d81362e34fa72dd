/**
 * per-vu-iterations: each VU runs exactly `iterations` iterations (k6 docs
 * "Per VU iterations"; lib/executor/per_vu_iterations.go). Defaults: vus 1,
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

export interface PerVuIterationsConfig extends BaseConfig {
  vus: number;
  iterations: number;
  maxDurationMs: number;
}

export const perVuIterations: ExecutorDefinition<PerVuIterationsConfig> = {
  type: 'per-vu-iterations',
  read(base: BaseConfig, r: FieldReader): PerVuIterationsConfig {
    r.onlyKnown(['vus', 'iterations', 'maxDuration']);
    return {
      ...base,
      vus: r.int('vus', 1, 1),
      iterations: r.int('iterations', 1, 1),
      maxDurationMs: r.duration('maxDuration', DEFAULT_MAX_DURATION_MS, true),
    };
  },
  maxVUs: (c) => c.vus,
  maxDurationMs: (c) => c.maxDurationMs + c.gracefulStopMs,
  describe: (c) =>
    `${c.iterations} iterations for each of ${c.vus} VUs ${bannerTail(c, [`maxDuration: ${fmt(c.maxDurationMs)}`])}`,
  async run(c: PerVuIterationsConfig, ctx: ExecutorContext): Promise<void> {
    const vus: VU[] = await ctx.pool.acquireMany(c.vus);
    const total = c.vus * c.iterations;
    let done = 0;
    ctx.scenario.progress = () => Math.min(1, done / total);
    await runWithGracefulStop(
      ctx,
      c,
      c.maxDurationMs,
      () => vus,
      (stopping) =>
        Promise.all(
          vus.map((vu) => {
            vu.activate(ctx.scenario);
            let mine = 0;
            return loopVu(
              ctx,
              vu,
              () => !stopping(),
              () => mine++ < c.iterations && ++done > 0,
            );
          }),
        ),
    );
    for (const vu of vus) ctx.pool.release(vu);
  },
};
