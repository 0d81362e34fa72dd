/**
 * Consolidated test options: the script's `options` export with the command
 * line on top, the shortcut options turned into scenarios exactly as k6 does
 * (k6 lib/executor/execution_config_shortcuts.go `DeriveScenariosFromShortcuts`):
 *
 *   iterations (+ vus, + duration as maxDuration) -> shared-iterations
 *   duration (+ vus)                              -> constant-vus
 *   stages (+ vus as startVUs)                    -> ramping-vus
 *   vus only                                      -> shared-iterations, iterations = vus
 *   nothing                                       -> per-vu-iterations, 1 VU, 1 iteration
 *
 * A shortcut on the command line replaces the script's scenarios (k6
 * cmd/config.go: higher-priority shortcuts win over lower-level scenarios).
 * Every problem is collected and reported at once as an invalid
 * configuration (exit 104).
 */
import { parseDuration } from '../config/index.ts';
import { K6_EXIT_CODES, K6RunError } from './exit-codes.ts';
import { readScenarios, type BaseConfig } from './executors/index.ts';
import type { Tags } from './metrics/index.ts';

/** Options given on the command line (they win over the script's). */
export interface CliOptions {
  vus?: number;
  duration?: string;
  iterations?: number;
  summaryTrendStats?: string[];
  noThresholds?: boolean;
}

/** What the engine needs from the consolidated options. */
export interface TestOptions {
  scenarios: BaseConfig[];
  thresholds: Record<string, unknown>;
  summaryTrendStats: string[] | undefined;
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
  tags: Tags;
  /** The options object the script sees as exec.test.options (with scenarios filled in). */
  exposed: Record<string, unknown>;
}

const DEFAULT_SCENARIO = 'default';

/** Consolidates script options and CLI options; throws K6RunError(104) listing every problem. */
export function consolidateOptions(scriptOptions: unknown, cli: CliOptions): TestOptions {
  const errors: string[] = [];
  const o: Record<string, unknown> =
    scriptOptions && typeof scriptOptions === 'object' ? JSON.parse(JSON.stringify(scriptOptions)) : {};
  if (cli.duration !== undefined || cli.iterations !== undefined) {
    delete o.scenarios;
    delete o.stages;
    delete o.duration;
    delete o.iterations;
  }
  if (cli.vus !== undefined) o.vus = cli.vus;
  if (cli.duration !== undefined) o.duration = cli.duration;
  if (cli.iterations !== undefined) o.iterations = cli.iterations;
  if (cli.summaryTrendStats) o.summaryTrendStats = cli.summaryTrendStats;

  const scenariosRaw = deriveScenarios(o, errors);
  const scenarios = readScenarios(scenariosRaw, errors);
  const setupTimeoutMs = timeout(o, 'setupTimeout', errors);
  const teardownTimeoutMs = timeout(o, 'teardownTimeout', errors);
  const thresholds = cli.noThresholds ? {} : ((o.thresholds ?? {}) as Record<string, unknown>);
  if (
    o.thresholds !== undefined &&
    (typeof o.thresholds !== 'object' || o.thresholds === null || Array.isArray(o.thresholds))
  )
    errors.push(`"thresholds" must be an object of metric -> expressions, got ${JSON.stringify(o.thresholds)}`);
  const sts = o.summaryTrendStats;
  if (sts !== undefined && (!Array.isArray(sts) || sts.some((s) => typeof s !== 'string')))
    errors.push(`"summaryTrendStats" must be a list of strings like "avg", "p(95)", got ${JSON.stringify(sts)}`);
  const tags: Tags = {};
  if (o.tags && typeof o.tags === 'object') for (const [k, v] of Object.entries(o.tags)) tags[k] = String(v);
  if (errors.length)
    throw new K6RunError(K6_EXIT_CODES.INVALID_CONFIG, `invalid options: ${errors[0]}`, errors.slice(1));
  return {
    scenarios,
    thresholds,
    summaryTrendStats: sts as string[] | undefined,
    setupTimeoutMs,
    teardownTimeoutMs,
    tags,
    exposed: deepFreeze({ ...o, scenarios: scenariosRaw }),
  };
}

/** k6 `DeriveScenariosFromShortcuts`, returning the raw scenarios object. */
function deriveScenarios(o: Record<string, unknown>, errors: string[]): Record<string, unknown> {
  const has = (k: string): boolean => o[k] !== undefined && o[k] !== null;
  const stages = Array.isArray(o.stages) ? o.stages : undefined;
  const scenarios = o.scenarios as Record<string, unknown> | undefined;
  const vus = o.vus as number | undefined;
  if (has('iterations')) {
    if (stages?.length) errors.push('using `iterations` and `stages` options simultaneously is not allowed');
    if (scenarios) errors.push('using `iterations` and `scenarios` options simultaneously is not allowed');
    const s: Record<string, unknown> = { executor: 'shared-iterations', iterations: o.iterations };
    if (vus !== undefined) s.vus = vus;
    if (has('duration')) s.maxDuration = o.duration;
    return { [DEFAULT_SCENARIO]: s };
  }
  if (has('duration')) {
    if (stages?.length) errors.push('using `duration` and `stages` options simultaneously is not allowed');
    if (scenarios) errors.push('using `duration` and `scenarios` options simultaneously is not allowed');
    const d = parseDuration(o.duration);
    if (d !== null && d <= 0)
      errors.push(
        '`duration` option should be more than 0, for infinite duration use the externally-controlled executor',
      );
    const s: Record<string, unknown> = { executor: 'constant-vus', duration: o.duration };
    if (vus !== undefined) s.vus = vus;
    return { [DEFAULT_SCENARIO]: s };
  }
  if (stages?.length) {
    if (scenarios) errors.push('using `stages` and `scenarios` options simultaneously is not allowed');
    const s: Record<string, unknown> = { executor: 'ramping-vus', stages };
    if (vus !== undefined) s.startVUs = vus;
    return { [DEFAULT_SCENARIO]: s };
  }
  if (vus !== undefined && !scenarios)
    return { [DEFAULT_SCENARIO]: { executor: 'shared-iterations', vus, iterations: vus } };
  if (scenarios && typeof scenarios === 'object' && Object.keys(scenarios).length > 0) return scenarios;
  return { [DEFAULT_SCENARIO]: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } };
}

function timeout(o: Record<string, unknown>, key: string, errors: string[]): number {
  if (o[key] === undefined) return 60_000; // k6 default setupTimeout / teardownTimeout
  const ms = parseDuration(o[key]);
  if (ms === null || ms <= 0) {
    errors.push(`"${key}" must be a positive duration like "60s", got ${JSON.stringify(o[key])}`);
    return 60_000;
  }
  return ms;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
