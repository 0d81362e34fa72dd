/**
 * Everything a scenario reads from `__ENV`, with defaults, parsed once in init
 * code. Pure (takes the env map), so Node tests can check it. A malformed value
 * throws in init, which k6 reports as a script error (exit code 107) naming the
 * variable: better than a test that silently runs with a default.
 *
 * Variables (all optional):
 *   BASE_URL            target base URL (default http://127.0.0.1:8080)
 *   RUN_ID              run id written with every write (default: generated in setup)
 *   SEED                seed of the per-VU id generators (default 42)
 *   THINK_MIN_MS, THINK_MAX_MS   think time between a user's steps (default 100..500)
 *   DURATION_FACTOR     multiplies every scenario's duration (default 1)
 *   LADDER_USERS        e.g. "10,25,50,100" (default)
 *   LADDER_STEP_SECONDS each ladder step's duration (default 30)
 *   QUERY_MIX_RATE      iterations/s per query type in query-mix (default 20)
 *   CACHE_OPS_RATE      iterations/s per data type in cache-ops (default 10)
 *   VUS, DURATION_SECONDS   override a closed-model scenario's VUs and duration (soak)
 *   STAGES              JSON [{"durationSeconds":10,"target":50},...] (spike), also k6's
 *                       [{"duration":"10s","target":50}]
 *   TARGETS             JSON of the configuration's `targets` (see thresholds.ts)
 *   ZIPF_EXPONENT       skew of the id popularity (default 0.99, YCSB's default)
 *   HOT_ROWS            rows write-contention fights over (default 3)
 *   PARTITIONS          VU partitions of the user ids (default: the scenario's max VUs)
 *   CACHE_TTL_SECONDS   JSON {"policyDecisions":300,...}: the TTL policy the cache model expects
 *                       (default the report's table, lib/cache-keys.ts)
 */
import { parseTargets, type Targets } from './thresholds.ts';
import { parseCacheTtls, type CacheDataType } from './cache-keys.ts';

/** A ramping stage in seconds. */
export interface Stage {
  durationSeconds: number;
  target: number;
}

/** The parsed settings. */
export interface Settings {
  baseUrl: string;
  runId: string | undefined;
  seed: number;
  thinkMinMs: number;
  thinkMaxMs: number;
  durationFactor: number;
  ladderUsers: number[];
  ladderStepSeconds: number;
  queryMixRate: number;
  cacheOpsRate: number;
  vus: number | undefined;
  durationSeconds: number | undefined;
  stages: Stage[] | undefined;
  targets: Targets;
  /** True when TARGETS was given: thresholds then follow it even in smoke. */
  targetsGiven: boolean;
  zipfExponent: number;
  hotRows: number;
  partitions: number | undefined;
  /** The TTL policy per data type, in seconds (lib/cache-model.ts). */
  cacheTtlSeconds: Record<CacheDataType, number>;
}

type Env = Record<string, string | undefined>;

function num(env: Env, name: string, def: number, check: (n: number) => boolean, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`${name} must be ${what}, got '${raw}'`);
  return n;
}

const positive = (n: number) => n > 0;
const nonNegative = (n: number) => n >= 0;
const positiveInt = (n: number) => n > 0 && Number.isInteger(n);

function optInt(env: Env, name: string): number | undefined {
  if (env[name] === undefined || env[name] === '') return undefined;
  return num(env, name, 0, positiveInt, 'a positive integer');
}

/** Parses "90s", "2m", "1h30m", "500ms" or a bare number of seconds. */
export function durationToSeconds(d: string | number): number {
  if (typeof d === 'number') return d;
  if (/^\d+(\.\d+)?$/.test(d)) return Number(d);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(d); m; m = re.exec(d)) {
    const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    total += Number(m[1]) * unit;
    consumed += m[0].length;
  }
  if (consumed !== d.length || consumed === 0) throw new Error(`'${d}' is not a duration (e.g. 30s, 2m, 1h)`);
  return total;
}

function parseStages(raw: string | undefined): Stage[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`STAGES must be JSON like [{"durationSeconds":10,"target":50}], got '${raw}'`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new Error(`STAGES must be a non-empty JSON array, got '${raw}'`);
  return parsed.map((s: Record<string, unknown>, i: number) => {
    const seconds = s.durationSeconds !== undefined ? Number(s.durationSeconds) : durationToSeconds(String(s.duration));
    const target = Number(s.target);
    if (!(seconds > 0) || !(target >= 0) || !Number.isInteger(target)) {
      throw new Error(`STAGES[${i}] needs durationSeconds > 0 and an integer target >= 0, got '${JSON.stringify(s)}'`);
    }
    return { durationSeconds: seconds, target };
  });
}

function parseUsers(raw: string | undefined): number[] {
  if (raw === undefined || raw === '') return [10, 25, 50, 100];
  const users = raw.split(',').map((s) => Number(s.trim()));
  if (users.length === 0 || users.some((u) => !positiveInt(u))) {
    throw new Error(`LADDER_USERS must be positive integers separated by commas (e.g. 10,25,50,100), got '${raw}'`);
  }
  return users;
}

/** Reads the settings from k6's `__ENV` (or any env map). */
export function readSettings(env: Env): Settings {
  const thinkMinMs = num(env, 'THINK_MIN_MS', 100, nonNegative, 'a number of milliseconds >= 0');
  const thinkMaxMs = num(env, 'THINK_MAX_MS', Math.max(500, thinkMinMs), nonNegative, 'a number of milliseconds >= 0');
  if (thinkMaxMs < thinkMinMs) throw new Error(`THINK_MAX_MS (${thinkMaxMs}) must be >= THINK_MIN_MS (${thinkMinMs})`);
  const baseUrl = (env.BASE_URL && env.BASE_URL !== '' ? env.BASE_URL : 'http://127.0.0.1:8080').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl))
    throw new Error(`BASE_URL must start with http:// or https://, got '${env.BASE_URL}'`);
  return {
    baseUrl,
    runId: env.RUN_ID && env.RUN_ID !== '' ? env.RUN_ID : undefined,
    seed: num(env, 'SEED', 42, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0'),
    thinkMinMs,
    thinkMaxMs,
    durationFactor: num(env, 'DURATION_FACTOR', 1, positive, 'a number > 0'),
    ladderUsers: parseUsers(env.LADDER_USERS),
    ladderStepSeconds: num(env, 'LADDER_STEP_SECONDS', 30, positive, 'a number of seconds > 0'),
    queryMixRate: num(env, 'QUERY_MIX_RATE', 20, positiveInt, 'a positive integer'),
    cacheOpsRate: num(env, 'CACHE_OPS_RATE', 10, positiveInt, 'a positive integer'),
    vus: optInt(env, 'VUS'),
    durationSeconds: optInt(env, 'DURATION_SECONDS'),
    stages: parseStages(env.STAGES),
    targets: parseTargets(env.TARGETS),
    targetsGiven: env.TARGETS !== undefined && env.TARGETS !== '',
    zipfExponent: num(env, 'ZIPF_EXPONENT', 0.99, positive, 'a number > 0'),
    hotRows: num(env, 'HOT_ROWS', 3, positiveInt, 'a positive integer'),
    partitions: optInt(env, 'PARTITIONS'),
    cacheTtlSeconds: parseCacheTtls(env.CACHE_TTL_SECONDS),
  };
}

/** A scenario's base duration scaled by DURATION_FACTOR, at least 1 s, as a k6 duration string. */
export function scaled(settings: Settings, baseSeconds: number): string {
  return `${Math.max(1, Math.round(baseSeconds * settings.durationFactor))}s`;
}
