/** The options and result of one `k6 run`, whichever engine runs it. */
import type { SummaryData } from './summary/index.ts';
import type { ProgressMode } from './progress.ts';
import type { K6Flags } from './options.ts';

/** What `acgs-load k6 run` takes; the same flags for both engines. */
export interface K6RunOptions {
  /** A .js or .ts k6 script. */
  script: string;
  /** `-e K=V` variables, seen by the script as __ENV (on top of the process environment, as k6 does). */
  env?: Record<string, string>;
  vus?: number;
  duration?: string;
  iterations?: number;
  /** `--summary-export FILE`. */
  summaryExport?: string;
  /** `--out` values, e.g. ['json=results/x/metrics.ndjson']. */
  out?: string[];
  /** `--console-output FILE`: the script's console.* goes there. */
  consoleOutput?: string;
  summaryTrendStats?: string[];
  noThresholds?: boolean;
  /** The other `k6 run` flags (stages, tags, config file, segments, ...): engine/options.ts. */
  flags?: K6Flags;
  /** No banner and no progress (the summary is still printed, as with k6 -q); the same as `progress: 'none'` and more. */
  quiet?: boolean;
  /**
   * The progress display (embedded engine): `tty` rewrites one live line in
   * place, `lines` prints a plain line every `progressIntervalMs` (for logs and
   * CI), `none` shows nothing; `auto` (the default) is `tty` when stdout is a
   * terminal and `lines` otherwise. `quiet: true` means `none`. Real k6 shows
   * its own progress; it gets --quiet for `none`.
   */
  progress?: ProgressMode;
  /** How often `lines` prints, in ms (default 10 000). */
  progressIntervalMs?: number;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /**
   * Aborting it stops the test as k6 stops on its first SIGINT: no new
   * iterations, teardown and handleSummary still run, exit code 105
   * (ExternalAbort). The k6 binary is sent SIGINT.
   */
  signal?: AbortSignal;
}

/** The outcome of one run. */
export interface K6RunResult {
  /** k6's exit code (K6_EXIT_CODES). */
  exitCode: number;
  /** The handleSummary data object; null when the test never started. */
  summary: SummaryData | null;
  engine: 'embedded' | 'k6';
  /** true when the embedded engine's self-monitoring says it limited the load. */
  engineLimited: boolean;
}
