/**
 * What an injector gets and gives back, and what the timeline analysis makes
 * of it. These shapes are the contract with report/ (report/figures/faults.ts
 * reads them as types only), so the report depends on data, not on the code
 * that injected it.
 */
import type { Config, FaultKind } from '../config/index.ts';
import type { PlannedFault } from './plan.ts';

/** What the pool-exhaust injector measured. */
export interface PoolExhaustOutcome {
  poolMax: number;
  acquireTimeoutMs: number;
  /** Concurrent slow requests the injector sent (poolMax + extra). */
  slowRequests: number;
  /** Their answers by status ("200", "409", "503", "client timeout"...). */
  statuses: Record<string, number>;
  rejected503: number;
  /** Distinct Retry-After values on those 503s. */
  retryAfter: string[];
  missingRetryAfter: number;
  peakWaiting: number;
  peakInUse: number;
  /** From the lock's release until nobody waits and a connection is free; null: not within 30 s. */
  recoverySeconds: number | null;
  /** GET /healthz status after recovery (null: no answer: the service crashed). */
  healthStatusAfter: number | null;
  samples: number;
}

/** What an injector did (epoch ms times). */
export interface FaultOutcome {
  kind: FaultKind;
  label: string;
  atSeconds: number;
  durationSeconds: number;
  injected: boolean;
  /** When the disturbance began (e.g. the stop command was sent). */
  startedAt: number | null;
  /** When it was lifted (the server answered again / the lock was released). */
  endedAt: number | null;
  method: string;
  notes: string[];
  error: string | null;
  pool: PoolExhaustOutcome | null;
}

/** Requests that completed in one window of time. */
export interface WindowStats {
  from: number;
  to: number;
  requests: number;
  failed: number;
  /** null when no request completed in the window. */
  successRate: number | null;
}

/** A fault with its effect on the load. */
export interface FaultResult extends FaultOutcome {
  windows: { before: WindowStats; during: WindowStats; after: WindowStats } | null;
  recovery: {
    /** Seconds from the fault's end to the first second of a stable run of successes. */
    seconds: number | null;
    recovered: boolean | null;
    target: number;
    stableSeconds: number;
    note: string | null;
  };
  /** Failed requests during and after the fault, by kind ("HTTP 503", "k6 1212 TCP_DIAL_REFUSED"). */
  errorsByKind: Record<string, number>;
}

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
