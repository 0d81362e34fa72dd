/**
 * ramping-vus: a variable number of looping VUs following `stages` (k6 docs
 * "Ramping VUs"; lib/executor/ramping_vus.go). Defaults: startVUs 1,
 * gracefulRampDown 30s.
 *
 * The plan follows k6's `getRawExecutionSteps` for one instance: ramping from
 * `a` to `b` VUs over a stage of duration `d` starting at `s`, the k-th VU is
 * added at `s + d*k/(b-a)` when ramping up, and the j-th VU is removed at
 * `s + d*j/(a-b)` when ramping down; a stage of duration 0 jumps at once.
 * A VU removed by a ramp-down finishes its iteration within
 * `gracefulRampDown`, then it is interrupted (k6 docs "Graceful stop").
 */
import { sumStages, type BaseConfig, type FieldReader, type Stage } from './base-config.ts';
import {
  bannerTail,
  fmt,
  loopVu,
  now,
  pause,
  runWithGracefulStop,
  type ExecutorContext,
  type ExecutorDefinition,
} from './context.ts';
import type { VU } from '../vu.ts';

export interface RampingVusConfig extends BaseConfig {
  startVUs: number;
  stages: Stage[];
  gracefulRampDownMs: number;
  /** This instance's steps under an execution segment (engine/execution-segment.ts). */
  segmentSteps?: ExecutionStep[];
}

/** A point where the planned number of VUs changes (k6 lib.ExecutionStep). */
export interface ExecutionStep {
  atMs: number;
  vus: number;
}

/** The raw VU steps of a ramping-vus config (k6 `getRawExecutionSteps`, one instance, zeroEnd). */
export function rampingVusSteps(startVUs: number, stages: Stage[]): ExecutionStep[] {
  const steps: ExecutionStep[] = [{ atMs: 0, vus: startVUs }];
  const add = (atMs: number, vus: number): void => {
    if (steps[steps.length - 1].vus !== vus) steps.push({ atMs, vus });
  };
  let from = startVUs;
  let stageStart = 0;
  for (const st of stages) {
    const d = st.durationMs;
    const to = st.target;
    if (d === 0) add(stageStart, to);
    else if (to > from)
      for (let k = 1; k <= to - from; k++) add(stageStart + Math.floor((d * k) / (to - from)), from + k);
    else if (to < from)
      for (let j = 1; j <= from - to; j++) add(stageStart + Math.floor((d * j) / (from - to)), from - j);
    from = to;
    stageStart += d;
  }
  add(stageStart, 0);
  return steps;
}

export const rampingVus: ExecutorDefinition<RampingVusConfig> = {
  type: 'ramping-vus',
  read(base: BaseConfig, r: FieldReader): RampingVusConfig {
    r.onlyKnown(['startVUs', 'stages', 'gracefulRampDown']);
    const c = {
      ...base,
      startVUs: r.int('startVUs', 1, 0),
      stages: r.stages(),
      gracefulRampDownMs: r.duration('gracefulRampDown', 30_000),
    };
    if (c.stages.length && Math.max(c.startVUs, ...c.stages.map((s) => s.target)) === 0)
      r.errors.push(
        `scenario "${base.name}": either startVUs or one of the stages' target values must be greater than 0`,
      );
    return c;
  },
  maxVUs: (c) =>
    c.segmentSteps
      ? Math.max(0, ...c.segmentSteps.map((s) => s.vus))
      : Math.max(c.startVUs, ...c.stages.map((s) => s.target)),
  maxDurationMs: (c) => sumStages(c.stages) + c.gracefulStopMs,
  describe: (c) =>
    `Up to ${rampingVus.maxVUs(c)} looping VUs for ${fmt(sumStages(c.stages))} over ${c.stages.length} stages ${bannerTail(c, [`gracefulRampDown: ${fmt(c.gracefulRampDownMs)}`])}`,
  async run(c: RampingVusConfig, ctx: ExecutorContext): Promise<void> {
    const steps = c.segmentSteps ?? rampingVusSteps(c.startVUs, c.stages);
    const total = sumStages(c.stages);
    const maxVUs = rampingVus.maxVUs(c);
    const handles: Array<{ vu: VU; want: boolean; loop: Promise<void> | null; rampDownTimer?: NodeJS.Timeout }> = [];
    for (const vu of await ctx.pool.acquireMany(maxVUs)) handles.push({ vu, want: false, loop: null });
    const start = now();
    ctx.scenario.progress = () => Math.min(1, (now() - start) / total);

    await runWithGracefulStop(
      ctx,
      c,
      total,
      () => handles.map((h) => h.vu),
      async (stopping) => {
        const setPlanned = (n: number): void => {
          handles.forEach((h, i) => {
            const want = i < n && !stopping();
            if (want && !h.want) {
              clearTimeout(h.rampDownTimer);
              h.want = true;
              if (!h.loop) {
                h.vu.activate(ctx.scenario);
                h.loop = loopVu(ctx, h.vu, () => h.want && !stopping()).finally(() => (h.loop = null));
              }
            } else if (!want && h.want) {
              // ramped down: no new iteration; the running one gets gracefulRampDown
              h.want = false;
              if (!stopping())
                h.rampDownTimer = setTimeout(() => h.loop && !h.want && h.vu.interrupt(), c.gracefulRampDownMs);
            }
          });
        };
        for (const step of steps) {
          if (!(await pause(ctx.run, step.atMs - (now() - start)))) break;
          if (step.atMs >= total) break; // the end of the stages is the graceful stop's business
          setPlanned(step.vus);
        }
        await pause(ctx.run, total - (now() - start));
        handles.forEach((h) => (h.want = false));
        await Promise.all(handles.map((h) => h.loop));
        handles.forEach((h) => clearTimeout(h.rampDownTimer));
      },
    );
    for (const h of handles) ctx.pool.release(h.vu);
  },
};
