/**
 * What an injector gets and gives back. The outcome shapes live with the
 * report builder (report/build/faults.ts) so the report depends on data, not
 * on the code that injected it.
 */
import type { Config } from '../../config/index.ts';
import type { FaultOutcome, PoolExhaustOutcome } from '../../report/build/faults.ts';
import type { PlannedFault } from './plan.ts';

export type { FaultOutcome, PoolExhaustOutcome };

/** Everything an injector may touch: the run's own target, database and Redis. */
export interface FaultContext {
  config: Readonly<Config>;
  targetUrl: string;
  databaseUrl: string;
  redisUrl: string;
  runId: string;
  log: (line: string) => void;
  /** Aborted when the run stops early; injectors lift their fault and return. */
  signal: AbortSignal;
}

/** Injects one fault, waits its duration, lifts it; never throws (errors go in the outcome). */
export type Injector = (fault: PlannedFault, ctx: FaultContext) => Promise<FaultOutcome>;

/** An outcome with nothing filled in yet. */
export function blankOutcome(f: PlannedFault, method: string): FaultOutcome {
  return {
    kind: f.kind,
    label: f.label,
    atSeconds: f.atSeconds,
    durationSeconds: f.durationSeconds,
    injected: false,
    startedAt: null,
    endedAt: null,
    method,
    notes: [],
    error: null,
    pool: null,
  };
}

/** Sleeps `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
