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
 * The layers, lowest first: config file (-c/--config, K6_CONFIG), the
 * script's options, K6_* environment variables, command-line flags. A layer
 * that sets duration, iterations, stages or scenarios replaces all four from
 * the layers below (k6 cmd/config.go, lib/options.go `Apply`). Under an
 * execution segment each scenario is cut to this instance's share
 * (execution-segment.ts). Every problem is collected and reported at once as an invalid
 * configuration (exit 104).
 */
import { readFileSync } from 'node:fs';
import { parseDuration } from '../config/index.ts';
import { K6_EXIT_CODES, K6RunError } from './exit-codes.ts';
import { readScenarios, type BaseConfig } from './executors/index.ts';
import type { Tags } from './metrics/index.ts';
import { ExecutionTuple, SegmentError, parseSegment, parseSequence, segmentScenarios } from './execution-segment.ts';

/**
 * The `k6 run` flags beyond the shortcuts, already checked for syntax by the
 * CLI (cli/commands/k6-flags.ts). Option flags become the top layer of the
 * options; the others (`noSummary`, `noColor`, `verbose`,
 * `includeSystemEnvVars`, `passThrough`) steer the run itself.
 */
export interface K6Flags {
  /** `-s/--stage`, as `{ duration, target }`. */
  stages?: Array<{ duration: string; target: number }>;
  /** `--tag NAME=VALUE`: tags on every sample (replace options.tags, as k6's RunTags do). */
  tags?: Record<string, string>;
  /** `-c/--config FILE`: a JSON file of options, the lowest layer. */
  config?: string;
  noSetup?: boolean;
  noTeardown?: boolean;
  noSummary?: boolean;
  summaryTimeUnit?: string;
  throw?: boolean;
  rps?: number;
  maxRedirects?: number;
  userAgent?: string;
  discardResponseBodies?: boolean;
  /** `--http-debug[=full]`: "headers" or "full". */
  httpDebug?: string;
  insecureSkipTLSVerify?: boolean;
  /** Default true for `k6 run`: `__ENV` holds the process environment. */
  includeSystemEnvVars?: boolean;
  systemTags?: string[];
  executionSegment?: string;
  executionSegmentSequence?: string;
  noColor?: boolean;
  verbose?: boolean;
  /** Arguments the embedded engine does not know, handed to real k6 as they were typed. */
  passThrough?: string[];
}

/** Options given on the command line (they win over every other layer). */
export interface CliOptions {
  vus?: number;
  duration?: string;
  iterations?: number;
  summaryTrendStats?: string[];
  noThresholds?: boolean;
  flags?: K6Flags;
}

/** What the engine needs from the consolidated options. */
export interface TestOptions {
  scenarios: BaseConfig[];
  thresholds: Record<string, unknown>;
  summaryTrendStats: string[] | undefined;
  summaryTimeUnit: string | undefined;
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
  noSetup: boolean;
  noTeardown: boolean;
  tags: Tags;
  /** The system tags samples keep (k6 `systemTags`), null for k6's default set. */
  systemTags: string[] | null;
  /** This instance's share of the test (`executionSegment` within `executionSegmentSequence`). */
  segment: ExecutionTuple;
  /** Warnings to log before the run (scenarios without work in this segment, unknown system tags). */
  warnings: string[];
  /** The options object the script sees as exec.test.options (with scenarios filled in). */
  exposed: Record<string, unknown>;
}

/** How the run itself behaves (flags and K6_* variables that are not test options). */
export interface RuntimeSettings {
  noSummary: boolean;
  noColor: boolean;
  verbose: boolean;
  includeSystemEnvVars: boolean;
  noThresholds: boolean;
}

const DEFAULT_SCENARIO = 'default';

/** k6's system tags (metrics.SystemTagSet); all but vu, iter, ip and ocsp_status are on by default. */
export const SYSTEM_TAGS = [
  'proto',
  'subproto',
  'status',
  'method',
  'url',
  'name',
  'group',
  'check',
  'error',
  'error_code',
  'tls_version',
  'scenario',
  'service',
  'expected_response',
  'vu',
  'iter',
  'ip',
  'ocsp_status',
];

/**
 * Consolidates the option layers as k6 does (cmd/config.go
 * `getConsolidatedConfig`): defaults < config file (-c) < script options <
 * K6_* environment variables < command-line flags. A layer that sets any of
 * duration, iterations, stages or scenarios replaces all four from the layers
 * below (k6 `Options.Apply`). Throws K6RunError(104) listing every problem.
 */
export function consolidateOptions(
  scriptOptions: unknown,
  cli: CliOptions,
  sysEnv: Record<string, string | undefined> = process.env,
): TestOptions {
  const errors: string[] = [];
  const warnings: string[] = [];
  const o: Record<string, unknown> = {};
  const configPath = cli.flags?.config ?? sysEnv.K6_CONFIG;
  if (configPath) applyLayer(o, readConfigFile(configPath, errors));
  if (scriptOptions && typeof scriptOptions === 'object') applyLayer(o, JSON.parse(JSON.stringify(scriptOptions)));
  applyLayer(o, envLayer(sysEnv, errors));
  applyLayer(o, cliLayer(cli));

  const scenariosRaw = deriveScenarios(o, errors);
  const scenarios = readScenarios(scenariosRaw, errors);
  const setupTimeoutMs = timeout(o, 'setupTimeout', errors);
  const teardownTimeoutMs = timeout(o, 'teardownTimeout', errors);
  const noThresholds = cli.noThresholds ?? envBool(sysEnv, 'K6_NO_THRESHOLDS', errors) ?? false;
  const thresholds = noThresholds ? {} : ((o.thresholds ?? {}) as Record<string, unknown>);
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
  checkTypes(o, errors);
  const systemTags = readSystemTags(o.systemTags, errors, warnings);
  const segment = readSegment(o, errors);
  let active = scenarios;
  if (errors.length === 0) {
    const s = segmentScenarios(scenarios, segment);
    active = s.scenarios;
    for (const name of s.disabled)
      warnings.push(`Executor '${name}' is disabled for segment ${segment.segment} due to lack of work!`);
  }
  if (errors.length)
    throw new K6RunError(K6_EXIT_CODES.INVALID_CONFIG, `invalid options: ${errors[0]}`, errors.slice(1));
  return {
    scenarios: active,
    thresholds,
    summaryTrendStats: sts as string[] | undefined,
    summaryTimeUnit: (o.summaryTimeUnit as string | undefined) || undefined,
    setupTimeoutMs,
    teardownTimeoutMs,
    noSetup: o.noSetup === true,
    noTeardown: o.noTeardown === true,
    tags,
    systemTags,
    segment,
    warnings,
    exposed: deepFreeze({ ...o, scenarios: scenariosRaw }),
  };
}

/** The flags and K6_* variables that steer the run rather than the test (CLI > environment > default). */
export function runtimeSettings(
  flags: K6Flags | undefined,
  cliNoThresholds: boolean | undefined,
  sysEnv: Record<string, string | undefined> = process.env,
): RuntimeSettings {
  const errors: string[] = [];
  const pick = (v: boolean | undefined, name: string, def: boolean): boolean =>
    v ?? envBool(sysEnv, name, errors) ?? def;
  const r: RuntimeSettings = {
    noSummary: pick(flags?.noSummary, 'K6_NO_SUMMARY', false),
    // https://no-color.org: NO_COLOR set to anything turns colours off, as in k6
    noColor: pick(flags?.noColor, 'K6_NO_COLOR', !!sysEnv.NO_COLOR),
    verbose: pick(flags?.verbose, 'K6_VERBOSE', false),
    includeSystemEnvVars: pick(flags?.includeSystemEnvVars, 'K6_INCLUDE_SYSTEM_ENV_VARS', true),
    noThresholds: pick(cliNoThresholds, 'K6_NO_THRESHOLDS', false),
  };
  if (errors.length)
    throw new K6RunError(K6_EXIT_CODES.INVALID_CONFIG, `invalid options: ${errors[0]}`, errors.slice(1));
  return r;
}

const EXECUTION_KEYS = ['duration', 'iterations', 'stages', 'scenarios'];

/** k6 `Options.Apply`: set values of a higher layer win; execution settings go as a block. */
function applyLayer(o: Record<string, unknown>, layer: Record<string, unknown>): void {
  if (EXECUTION_KEYS.some((k) => layer[k] !== undefined && layer[k] !== null))
    for (const k of EXECUTION_KEYS) delete o[k];
  for (const [k, v] of Object.entries(layer)) if (v !== undefined) o[k] = v;
}

function cliLayer(cli: CliOptions): Record<string, unknown> {
  const f = cli.flags ?? {};
  return {
    vus: cli.vus,
    duration: cli.duration,
    iterations: cli.iterations,
    stages: f.stages,
    summaryTrendStats: cli.summaryTrendStats,
    summaryTimeUnit: f.summaryTimeUnit,
    tags: f.tags,
    noSetup: f.noSetup,
    noTeardown: f.noTeardown,
    throw: f.throw,
    rps: f.rps,
    maxRedirects: f.maxRedirects,
    userAgent: f.userAgent,
    discardResponseBodies: f.discardResponseBodies,
    httpDebug: f.httpDebug,
    insecureSkipTLSVerify: f.insecureSkipTLSVerify,
    systemTags: f.systemTags,
    executionSegment: f.executionSegment,
    executionSegmentSequence: f.executionSegmentSequence,
  };
}

type EnvKind = 'int' | 'bool' | 'string' | 'list' | 'stages' | 'map';
/** The K6_* variables that set test options (k6 lib/options.go `envconfig` tags). */
const ENV_OPTIONS: Array<[string, string, EnvKind]> = [
  ['K6_VUS', 'vus', 'int'],
  ['K6_DURATION', 'duration', 'string'],
  ['K6_ITERATIONS', 'iterations', 'int'],
  ['K6_STAGES', 'stages', 'stages'],
  ['K6_NO_SETUP', 'noSetup', 'bool'],
  ['K6_NO_TEARDOWN', 'noTeardown', 'bool'],
  ['K6_SETUP_TIMEOUT', 'setupTimeout', 'string'],
  ['K6_TEARDOWN_TIMEOUT', 'teardownTimeout', 'string'],
  ['K6_MAX_REDIRECTS', 'maxRedirects', 'int'],
  ['K6_RPS', 'rps', 'int'],
  ['K6_USER_AGENT', 'userAgent', 'string'],
  ['K6_HTTP_DEBUG', 'httpDebug', 'string'],
  ['K6_INSECURE_SKIP_TLS_VERIFY', 'insecureSkipTLSVerify', 'bool'],
  ['K6_THROW', 'throw', 'bool'],
  ['K6_DISCARD_RESPONSE_BODIES', 'discardResponseBodies', 'bool'],
  ['K6_NO_CONNECTION_REUSE', 'noConnectionReuse', 'bool'],
  ['K6_SUMMARY_TREND_STATS', 'summaryTrendStats', 'list'],
  ['K6_SUMMARY_TIME_UNIT', 'summaryTimeUnit', 'string'],
  ['K6_SYSTEM_TAGS', 'systemTags', 'list'],
  ['K6_TAGS', 'tags', 'map'],
  ['K6_EXECUTION_SEGMENT', 'executionSegment', 'string'],
  ['K6_EXECUTION_SEGMENT_SEQUENCE', 'executionSegmentSequence', 'string'],
];

function envLayer(env: Record<string, string | undefined>, errors: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, key, kind] of ENV_OPTIONS) {
    const raw = env[name];
    if (raw === undefined) continue;
    if (kind === 'string') out[key] = raw;
    else if (kind === 'bool') out[key] = envBool(env, name, errors);
    else if (kind === 'int') {
      if (/^\s*\d+\s*$/.test(raw)) out[key] = Number(raw);
      else errors.push(`${name}=${JSON.stringify(raw)} is not a whole number; set it like ${name}=10`);
    } else if (kind === 'list') out[key] = raw.split(',').map((s) => s.trim());
    else if (kind === 'map') {
      // envconfig's map form: name:value,name:value
      const tags: Record<string, string> = {};
      for (const pair of raw.split(',')) {
        const i = pair.indexOf(':');
        if (i <= 0) errors.push(`${name}: "${pair}" is not NAME:VALUE; set it like ${name}=team:api,env:ci`);
        else tags[pair.slice(0, i)] = pair.slice(i + 1);
      }
      out[key] = tags;
    } else {
      const stages = raw.split(',').map((s) => parseStage(s));
      const bad = stages.findIndex((s) => typeof s === 'string');
      if (bad >= 0) errors.push(`${name}: stage ${bad}: ${stages[bad] as string}; set it like ${name}=30s:10,1m:0`);
      else out[key] = stages;
    }
  }
  return out;
}

/**
 * One `[duration]:[target]` stage (k6 lib.Stage `UnmarshalText`); a missing
 * target is 0. Returns the problem as a string when it is malformed.
 */
export function parseStage(text: string): { duration: string; target: number } | string {
  const [d, t, ...rest] = text.trim().split(':');
  if (rest.length) return `"${text}" has more than one ":"; write DURATION:TARGET, e.g. 30s:10`;
  if (!d || parseDuration(d) === null) return `"${text}" has no valid duration; write DURATION:TARGET, e.g. 30s:10`;
  if (t !== undefined && !/^\d+$/.test(t)) return `"${text}": target "${t}" is not a whole number of VUs`;
  return { duration: d, target: t === undefined ? 0 : Number(t) };
}

/** Go strconv.ParseBool, as envconfig reads booleans. */
function envBool(env: Record<string, string | undefined>, name: string, errors: string[]): boolean | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  errors.push(`${name}=${JSON.stringify(v)} is not a boolean; use true or false`);
  return undefined;
}

/** `-c/--config`: a JSON object of options (k6's config file; keys it does not know are ignored, as by k6). */
function readConfigFile(path: string, errors: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    errors.push(
      `config file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e}); check the -c/--config path`,
    );
    return {};
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    errors.push(`config file ${path} must hold a JSON object of options, like {"vus": 10, "duration": "30s"}`);
  } catch (e) {
    errors.push(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return {};
}

/** Types of the options the flags set, whichever layer they came from. */
function checkTypes(o: Record<string, unknown>, errors: string[]): void {
  const unit = o.summaryTimeUnit;
  if (unit !== undefined && unit !== '' && unit !== 's' && unit !== 'ms' && unit !== 'us')
    errors.push(`invalid summary time unit ${JSON.stringify(unit)}. Use: 's', 'ms' or 'us'`);
  for (const k of ['rps', 'maxRedirects'])
    if (o[k] !== undefined && (typeof o[k] !== 'number' || !Number.isInteger(o[k]) || (o[k] as number) < 0))
      errors.push(`"${k}" must be a whole number >= 0, got ${JSON.stringify(o[k])}`);
  for (const k of ['noSetup', 'noTeardown', 'throw', 'discardResponseBodies', 'insecureSkipTLSVerify'])
    if (o[k] !== undefined && typeof o[k] !== 'boolean')
      errors.push(`"${k}" must be true or false, got ${JSON.stringify(o[k])}`);
  if (o.httpDebug !== undefined && !['', 'headers', 'full'].includes(o.httpDebug as string))
    errors.push(`"httpDebug" must be "headers" or "full", got ${JSON.stringify(o.httpDebug)}`);
  if (o.tags !== undefined && (typeof o.tags !== 'object' || o.tags === null || Array.isArray(o.tags)))
    errors.push(`"tags" must be an object of name -> value, got ${JSON.stringify(o.tags)}`);
}

function readSystemTags(v: unknown, errors: string[], warnings: string[]): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) {
    errors.push(`"systemTags" must be a list of tag names like ["status", "method"], got ${JSON.stringify(v)}`);
    return null;
  }
  const unknown = v.filter((t) => t !== '' && !SYSTEM_TAGS.includes(t));
  // k6 drops names it does not know without a word; a warning says why a tag never shows up
  if (unknown.length)
    warnings.push(
      `system tags ${unknown.map((t) => `"${t}"`).join(', ')} are not k6 system tags (${SYSTEM_TAGS.join(', ')}); ignored`,
    );
  return v.filter((t) => SYSTEM_TAGS.includes(t));
}

function readSegment(o: Record<string, unknown>, errors: string[]): ExecutionTuple {
  try {
    const seg = o.executionSegment;
    const seq = o.executionSegmentSequence;
    if (seg !== undefined && typeof seg !== 'string') throw new SegmentError(`must be a string like "1/4:1/2"`);
    if (seq !== undefined && typeof seq !== 'string') throw new SegmentError(`must be a string like "0,1/4,1/2,1"`);
    return ExecutionTuple.of(seg ? parseSegment(seg) : undefined, seq ? parseSequence(seq) : null);
  } catch (e) {
    if (!(e instanceof SegmentError)) throw e;
    errors.push(
      `execution segment: ${e.message} (executionSegment ${JSON.stringify(o.executionSegment ?? '0:1')}, executionSegmentSequence ${JSON.stringify(o.executionSegmentSequence ?? '')})`,
    );
    return ExecutionTuple.of();
  }
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
