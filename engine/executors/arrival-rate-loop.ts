/**
 * The run loop both arrival-rate executors share (k6 runs them the same way,
 * see the TODO atop `RampingArrivalRate.Run`): an open model. Iterations
 * start at the planned times whether or not earlier ones finished; a free VU
 * takes each; when none is free the iteration is dropped (counted in
 * `dropped_iterations`) and, while fewer than maxVUs exist, one more VU is
 * initialized in the background (k6 `GetUnplannedVU`).
 */
import type { VU } from '../vu.ts';
import type { BaseConfig } from './base-config.ts';
import { now, pause, runWithGracefulStop, scenarioTags, type ExecutorContext } from './context.ts';

export interface ArrivalRateRun {
  preAllocatedVUs: number;
  maxVUs: number;
  /** Regular duration in ms (no graceful stop). */
  durationMs: number;
  /** Start offsets of the iterations in ms, ascending. */
  offsets: Iterable<number>;
}

/** Runs an arrival-rate schedule. */
export async function runArrivalRate(c: BaseConfig, ctx: ExecutorContext, plan: ArrivalRateRun): Promise<void> {
  const run = ctx.run;
  const all: VU[] = [];
  const free: VU[] = [];
  const inflight = new Set<Promise<unknown>>();
  let initializing = false;
  const addVu = (): void => {
    const vu = ctx.pool.acquire();
    vu.activate(ctx.scenario);
    all.push(vu);
    free.push(vu);
    run.vusActive++;
  };
  for (let i = 0; i < plan.preAllocatedVUs; i++) addVu();
  const start = now();
  ctx.scenario.progress = () => Math.min(1, (now() - start) / plan.durationMs);
  const dropTags = scenarioTags(run, c);

  await runWithGracefulStop(
    ctx,
    c,
    plan.durationMs,
    () => all,
    async (stopping) => {
      for (const offset of plan.offsets) {
        if (offset >= plan.durationMs) break;
        const wait = offset - (now() - start);
        if (wait > 0 && !(await pause(run, wait))) break;
        if (stopping()) break;
        const vu = free.pop();
        if (vu) {
          const p: Promise<unknown> = vu.runIteration(ctx.execFn(vu)).finally(() => {
            inflight.delete(p);
            free.push(vu);
          });
          inflight.add(p);
          continue;
        }
        run.emit('dropped_iterations', 1, dropTags);
        if (all.length >= plan.maxVUs) {
          run.logger.warnOnce(
            `maxvus:${c.name}`,
            `Insufficient VUs, reached ${plan.maxVUs} active VUs and cannot initialize more`,
            { executor: c.type, scenario: c.name },
          );
        } else if (!initializing) {
          initializing = true;
          setImmediate(() => {
            initializing = false;
            if (!run.stopped) addVu();
          });
        }
      }
      // the rest of the regular duration, then in-flight iterations get the graceful stop
      await pause(run, plan.durationMs - (now() - start));
      while (inflight.size) await Promise.all([...inflight]);
    },
  );
  run.vusActive -= all.length;
  for (const vu of all) ctx.pool.release(vu);
}
