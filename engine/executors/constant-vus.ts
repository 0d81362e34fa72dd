/**
 * constant-vus: a fixed number of VUs loop iterations for a duration (k6 docs
 * "Constant VUs"; lib/executor/constant_vus.go). Defaults: vus 1; duration
 * is required.
 */
import type { BaseConfig, FieldReader } from './base-config.ts';
import {
  bannerTail,
  fmt,
  loopVu,
  now,
  runWithGracefulStop,
  type ExecutorContext,
  type ExecutorDefinition,
} from './context.ts';
import type { VU } from '../vu.ts';

export interface ConstantVusConfig extends BaseConfig {
  vus: number;
  durationMs: number;
}

export const constantVus: ExecutorDefinition<ConstantVusConfig> = {
  type: 'constant-vus',
  read(base: BaseConfig, r: FieldReader): ConstantVusConfig {
    r.onlyKnown(['vus', 'duration']);
    return { ...base, vus: r.int('vus', 1, 1), durationMs: r.duration('duration', undefined, true) };
  },
  maxVUs: (c) => c.vus,
  maxDurationMs: (c) => c.durationMs + c.gracefulStopMs,
  describe: (c) => `${c.vus} looping VUs for ${fmt(c.durationMs)} ${bannerTail(c)}`,
  async run(c: ConstantVusConfig, ctx: ExecutorContext): Promise<void> {
    const vus: VU[] = await ctx.pool.acquireMany(c.vus);
    const start = now();
    ctx.scenario.progress = () => Math.min(1, (now() - start) / c.durationMs);
    await runWithGracefulStop(
      ctx,
      c,
      c.durationMs,
      () => vus,
      (stopping) =>
        Promise.all(
          vus.map((vu) => {
            vu.activate(ctx.scenario);
            return loopVu(ctx, vu, () => !stopping());
          }),
        ),
    );
    for (const vu of vus) ctx.pool.release(vu);
  },
};
