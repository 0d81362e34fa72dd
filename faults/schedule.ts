/**
 * The fault schedule of a run: started when the scenarios start, each fault
 * fires at its `atSeconds`; `finish()` (after the scenarios end) waits for
 * the faults in progress to be lifted and reports the ones the load ended
 * before as not injected. A fault never throws into the pipeline: its
 * problems are in its outcome.
 */
import { injectPoolExhaust } from './inject-pool-exhaust.ts';
import { injectRedisSlow } from './inject-redis-slow.ts';
import { injectServerStop } from './inject-server.ts';
import type { PlannedFault } from './plan.ts';
import { blankOutcome, type FaultContext, type FaultOutcome, type Injector } from './types.ts';

const INJECTORS: Record<PlannedFault['kind'], Injector> = {
  'redis-stop': injectServerStop,
  'postgres-restart': injectServerStop,
  'redis-slow': injectRedisSlow,
  'pool-exhaust': injectPoolExhaust,
};

/** Runs planned faults on a timer relative to `start()`. */
export class FaultSchedule {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running: Array<Promise<FaultOutcome>> = [];
  private readonly fired = new Set<PlannedFault>();
  private readonly abort = new AbortController();
  private startedAt: number | null = null;

  constructor(
    private readonly faults: readonly PlannedFault[],
    private readonly ctx: Omit<FaultContext, 'signal'>,
  ) {}

  /** Epoch ms the schedule started at (the scenarios' start). */
  get origin(): number | null {
    return this.startedAt;
  }

  /** Starts the clock: each fault fires `atSeconds` from now. */
  start(): void {
    this.startedAt = Date.now();
    for (const f of this.faults) {
      const t = setTimeout(() => {
        this.fired.add(f);
        this.ctx.log(`  fault ${f.label}: injecting (${f.kind})`);
        this.running.push(
          INJECTORS[f.kind](f, { ...this.ctx, signal: this.abort.signal }).catch((e: Error) => ({
            ...blankOutcome(f, 'n/a'),
            error: e.message,
          })),
        );
      }, f.atSeconds * 1000);
      this.timers.push(t);
    }
  }

  /**
   * Stops the clock and waits for the faults in progress. With `abort`, the
   * faults in progress are lifted at once (the run is failing anyway).
   */
  async finish(opts: { abort?: boolean } = {}): Promise<FaultOutcome[]> {
    for (const t of this.timers.splice(0)) clearTimeout(t);
    if (opts.abort) this.abort.abort();
    const done = await Promise.all(this.running);
    const missed = this.faults
      .filter((f) => !this.fired.has(f))
      .map((f) => ({ ...blankOutcome(f, 'not injected'), notes: [`the load ended before ${f.atSeconds} s`] }));
    return [...done, ...missed].sort((a, b) => a.atSeconds - b.atSeconds);
  }
}
