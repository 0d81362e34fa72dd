/**
 * What an executor gets to run with, and the run-loop pieces they share
 * (k6 lib/executor/helpers.go, vu_handle.go): a pool of initialized VUs,
 * timers that wake early when the test stops, and the graceful-stop rule.
 */
import type { VU, ScenarioRuntime } from '../vu.ts';
import type { RunState } from '../run-state.ts';
import type { Tags } from '../metrics/index.ts';
import type { BaseConfig } from './base-config.ts';

/** Initialized VUs shared by all scenarios (k6 ExecutionState's VU buffer). */
export class VuPool {
  private readonly free: VU[] = [];
  private readonly waiters: Array<() => void> = [];
  /** VUs planned for the whole test (k6 initializes them all before it starts). */
  private planned = 0;
  constructor(
    private readonly create: () => VU,
    private readonly waitMs = RETURN_WAIT_MS,
  ) {}

  /** Initializes VUs until `n` exist (k6 initializes all planned VUs before the test). */
  preallocate(n: number, total: () => number): void {
    this.planned = n;
    while (total() < n) this.free.push(this.create());
  }

  /** A free VU (lowest id first), or a newly initialized one. */
  acquire(): VU {
    if (this.free.length === 0) return this.create();
    let best = 0;
    for (let i = 1; i < this.free.length; i++) if (this.free[i].idInTest < this.free[best].idInTest) best = i;
    return this.free.splice(best, 1)[0];
  }

  /**
   * `n` VUs for a scenario that starts. When all planned VUs exist but some are
   * still held by a scenario that ends at this very moment (one step of a
   * ladder handing over to the next), wait for them to come back instead of
   * initializing more, as k6's GetPlannedVU waits for the buffer; after
   * `waitMs` a new VU is initialized rather than failing the test.
   */
  async acquireMany(n: number): Promise<VU[]> {
    const out: VU[] = [];
    while (out.length < n) {
      if (this.free.length === 0 && this.planned > 0) await this.returned();
      out.push(this.acquire());
    }
    return out;
  }

  release(vu: VU): void {
    vu.scenario = null;
    this.free.push(vu);
    this.waiters.shift()?.();
  }

  private returned(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      }, this.waitMs);
      this.waiters.push(done);
    });
  }
}

/** How long a starting scenario waits for VUs another scenario is handing back. */
const RETURN_WAIT_MS = 1000;

/** Everything one executor run needs. */
export interface ExecutorContext {
  run: RunState;
  pool: VuPool;
  scenario: ScenarioRuntime;
  /** The function this scenario's iterations call, from the VU's exports. */
  execFn(vu: VU): (data: unknown) => unknown;
}

/** Milliseconds on the monotonic clock. */
export const now = (): number => performance.now();

/**
 * Resolves after `ms`, or as soon as the test stops; returns true when the
 * full time passed.
 */
export function pause(run: RunState, ms: number): Promise<boolean> {
  if (run.stopped) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const off = run.onStop(() => {
      clearTimeout(t);
      resolve(false);
    });
    const t = setTimeout(() => {
      off();
      resolve(true);
    }, ms);
  });
}

/** Tags of samples that belong to a scenario but no VU (dropped_iterations). */
export function scenarioTags(run: RunState, cfg: BaseConfig): Tags {
  return { ...run.globalTags, ...cfg.tags, scenario: cfg.name };
}

/**
 * Runs `loops` (one async loop per VU) under k6's stop rules: at `regularEndMs`
 * (relative to now) loops are told to stop starting iterations; at
 * `regularEndMs + gracefulStop` iterations still running are interrupted
 * (k6 docs "Graceful stop"). A test abort interrupts at once.
 */
export async function runWithGracefulStop(
  ctx: ExecutorContext,
  cfg: BaseConfig,
  regularEndMs: number,
  vus: () => VU[],
  loops: (isStopping: () => boolean) => Promise<unknown>,
): Promise<void> {
  let stopping = false;
  const interruptAll = (): void => {
    for (const vu of vus()) vu.interrupt();
  };
  const hard = { timer: undefined as NodeJS.Timeout | undefined };
  const soft = setTimeout(() => {
    stopping = true;
    hard.timer = setTimeout(interruptAll, cfg.gracefulStopMs);
  }, regularEndMs);
  const off = ctx.run.onStop(() => {
    stopping = true;
    interruptAll();
  });
  try {
    await loops(() => stopping || ctx.run.stopped);
  } finally {
    clearTimeout(soft);
    clearTimeout(hard.timer);
    off();
  }
}

/** One VU looping iterations while `cont()` holds; counts it as an active VU meanwhile. */
export async function loopVu(
  ctx: ExecutorContext,
  vu: VU,
  cont: () => boolean,
  beforeIteration?: () => boolean,
): Promise<void> {
  const fn = ctx.execFn(vu);
  ctx.run.vusActive++;
  try {
    while (cont()) {
      if (beforeIteration && !beforeIteration()) break;
      // An iteration that never waits on I/O or a timer would otherwise loop
      // on microtasks forever and starve timers (graceful stop, metrics): give
      // the event loop a turn when the iteration did not.
      let turned = false;
      const probe = setImmediate(() => (turned = true));
      await vu.runIteration(fn);
      if (!turned) await new Promise<void>((r) => setImmediate(r));
      clearImmediate(probe);
    }
  } finally {
    ctx.run.vusActive--;
  }
}

/** One executor type: how to read its config, its plan, and its run loop. */
export interface ExecutorDefinition<C extends BaseConfig = BaseConfig> {
  type: BaseConfig['type'];
  /** Reads and validates the executor's own fields (problems go to `r.errors`). */
  read(base: BaseConfig, r: import('./base-config.ts').FieldReader): C;
  /** VUs to initialize before the test starts (k6 `GetMaxPlannedVUs`). */
  maxVUs(c: C): number;
  /** Longest the scenario can run, graceful stop included (k6 `GetMaxDuration` style). */
  maxDurationMs(c: C): number;
  /** The scenario's line in the start banner, as k6 prints it. */
  describe(c: C): string;
  run(c: C, ctx: ExecutorContext): Promise<void>;
}

/** The "(startTime: .., gracefulStop: ..)" tail of a banner line. */
export function bannerTail(c: BaseConfig, extra: string[] = []): string {
  const parts = [...extra];
  if (c.startTimeMs) parts.unshift(`startTime: ${fmt(c.startTimeMs)}`);
  parts.push(`gracefulStop: ${fmt(c.gracefulStopMs)}`);
  return `(${parts.join(', ')})`;
}

import { formatDuration as fmt } from '../../config/index.ts';
export { fmt };
