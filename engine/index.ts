/**
 * engine/: the embedded k6-compatible runner, and the one entry point that
 * picks the engine. `runK6(opts, 'auto')` runs the real `k6` binary when it is
 * on PATH (or named by K6_BINARY) and the embedded engine otherwise; both take
 * the same options and produce the same result files.
 */
import { AcgsError } from '../config/index.ts';
import { runEmbedded } from './embedded-run.ts';
import { findK6Binary, runK6Binary } from './k6-binary.ts';
import type { K6RunOptions, K6RunResult } from './types.ts';

export type { K6RunOptions, K6RunResult } from './types.ts';
export { parseStage, type K6Flags } from './options.ts';
export {
  parseSegment as parseExecutionSegment,
  parseSequence as parseExecutionSegmentSequence,
} from './execution-segment.ts';
export type { ProgressMode } from './progress.ts';
export { DEFAULT_PROGRESS_INTERVAL_MS } from './progress.ts';
export { K6_EXIT_CODES, type K6ExitCode } from './exit-codes.ts';
export { bundleScript } from './bundle.ts';
export { findK6Binary } from './k6-binary.ts';
export type { EngineReport } from './self-monitor.ts';
export { ENGINE_LIMITS, judgeEngine } from './self-monitor.ts';
export { blockingCallMessage } from './modules/http.ts';
export { K6_HTTP_ERRORS } from './http/error-codes.ts';
export {
  newSink,
  parseMetricSelector,
  tagsMatch,
  DEFAULT_TREND_STATS,
  type MetricType,
  type Sink,
} from './metrics/index.ts';
export { compare, parseThresholdExpression } from './thresholds/index.ts';
export {
  scenarioNames,
  scenarioDescription,
  ensureBundle,
  ensureScenarioBundle,
  buildAll,
  buildScenario,
  bundlePath,
  importedModules,
  SCENARIOS_DIR,
  K6_DIST_DIR,
} from './k6-build.ts';
export { k6BuildDefines, k6BundleOptions, K6_EXTERNALS } from './k6-bundle-options.ts';

/** Which engine runs a script: `auto` = real k6 when installed, else embedded. */
export type EngineChoice = 'auto' | 'k6' | 'embedded';

/**
 * Runs a k6 script and returns k6's exit code and the summary data.
 * `engine: 'k6'` without a k6 binary throws an AcgsError (BAD_FLAG).
 */
export async function runK6(opts: K6RunOptions, engine: EngineChoice = 'auto'): Promise<K6RunResult> {
  if (engine === 'embedded') return runEmbedded(opts);
  const bin = findK6Binary();
  if (bin) return runK6Binary(bin, opts);
  if (engine === 'k6') {
    throw new AcgsError('BAD_FLAG', '--engine k6 was given but no k6 binary was found on PATH or in K6_BINARY', {
      hint: 'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or set K6_BINARY=/path/to/k6, or use --engine embedded',
    });
  }
  return runEmbedded(opts);
}
