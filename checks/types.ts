/** The shapes the checkers take and return (the public API of checks/). */
import type { Config } from '../config/index.ts';
import type { SchemaDescription } from './description.ts';

/** The five checkers, in the order they run. */
export const CHECKER_NAMES = [
  'cache-db-sync',
  'referential-integrity',
  'transaction-isolation',
  'data-types',
  'concurrent-access',
] as const;
export type CheckerName = (typeof CHECKER_NAMES)[number];

/** One write a scenario counted as acknowledged (k6 Counter `acked_writes`). */
export interface AckedWrite {
  /** A key of ACK_KINDS (which table the write lands in). */
  kind: string;
  clientRequestId: string;
}

export interface CheckOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Key prefix; only keys under it are read. */
  prefix: string;
  ttlSeconds: Config['cache']['ttlSeconds'];
  adaptiveTtl?: Config['cache']['adaptiveTtl'];
  /** Mismatched cache entries are re-read after this many seconds. */
  graceSeconds: number;
  /** Check a random sample of this many keys; 0 = sweep all. */
  sample: number;
  /** Examples kept per violation kind. */
  examples: number;
  /** SCAN COUNT and row-batch size; bounds memory. */
  batchSize: number;
  /** Run only these checkers (default: all). */
  only?: CheckerName[];
  runId?: string;
  acknowledged?: AckedWrite[];
  /**
   * Why `acknowledged` is incomplete, e.g. the metrics stream of a scenario
   * that ran is missing (run/checks.ts). concurrent-access then cannot say that
   * no acknowledged write was lost: its result is NO DATA (`noData`).
   */
  acknowledgedUnknown?: string;
  /** Default: the built-in description of the reference target. */
  description?: SchemaDescription;
  /**
   * Progress: the cache sweep reports after each batch of keys (`batchSize`)
   * and when it is done; the other checkers when they start and end.
   */
  onProgress?: (e: CheckProgressEvent) => void;
}

/** One progress report of the checks. */
export interface CheckProgressEvent {
  /**
   * The checker at work. cache-db-sync and data-types share one sweep; when
   * both run it is named `cache-db-sync+data-types`.
   */
  checker: string;
  /** Cache keys swept so far in the first pass (0 for checkers that read no keys). */
  keys: number;
  /** true once, when the checker is over. */
  done: boolean;
}

export interface CheckerResult {
  name: CheckerName;
  /** How many things (keys, rows, references, writes) were checked. */
  checked: number;
  /** Violations by kind that remain (after the grace period where one applies). */
  violations: Record<string, number>;
  /**
   * 0..1: share of checked things without violation; null when the result is
   * no measurement (`noData`): nothing checked scores nothing, not 100 %.
   */
  score: number | null;
  /**
   * Set when the checker cannot vouch for the absence of violations: it
   * checked nothing, or an input it needed was missing (the reason, as
   * reports show it). Its verdict is NO DATA, which fails a run like a missed
   * target ("no data is never a pass"); violations it did find still count.
   */
  noData?: string;
  /** Up to `examples` examples per violation kind. */
  examples: Record<string, unknown[]>;
  durationMs: number;
  notes: string[];
  /** Checker-specific figures (e.g. cache-db-sync: strict counts, nines per data type). */
  extra?: Record<string, unknown>;
}

export interface ChecksResult {
  /**
   * True when no checker has a violation after the grace period. A checker
   * with `noData` has none and does not make this false (it is not a
   * violation, exit 3); it fails a run as an unmeasured target (exit 4).
   */
  ok: boolean;
  checkers: CheckerResult[];
  startedAt: string;
  durationMs: number;
}
