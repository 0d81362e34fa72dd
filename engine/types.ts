/** The options and result of one `k6 run`, whichever engine runs it. */
import type { SummaryData } from './summary/index.ts';

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
  /** No banner and no progress line (the summary is still printed, as with k6 -q). */
  quiet?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
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
