/**
 * The validated configuration as the `__ENV` the scenarios read
 * (scenarios/lib/settings.ts documents each variable). Pure: config in, env
 * map out. `-e K=V` flags are applied over it by the caller, as k6 does.
 */
import type { Config } from '../config/index.ts';

/** Inputs that are not in the configuration. */
export interface ScenarioEnvInput {
  /** The target the scenarios drive. */
  baseUrl: string;
  /** Stored with every write; the checkers look writes up by it. */
  runId?: string;
}

/** Maps the configuration to the scenarios' environment variables. */
export function scenarioEnv(config: Readonly<Config>, input: ScenarioEnvInput): Record<string, string> {
  const { load } = config;
  const env: Record<string, string> = {
    BASE_URL: input.baseUrl,
    SEED: String(config.seed.seed),
    THINK_MIN_MS: String(load.thinkTimeMs.min),
    THINK_MAX_MS: String(Math.max(load.thinkTimeMs.min, load.thinkTimeMs.max)),
    DURATION_FACTOR: String(load.durationFactor),
    LADDER_USERS: load.ladder.users.join(','),
    LADDER_STEP_SECONDS: String(load.ladder.stepSeconds),
    QUERY_MIX_RATE: String(load.queryMixRate),
    // The scripts judge the same targets the report does (poolEfficiency is judged outside k6).
    TARGETS: JSON.stringify(config.targets),
    // The TTL policy the scripts' cache model expects (scenarios/lib/cache-model.ts).
    CACHE_TTL_SECONDS: JSON.stringify(policyTtlSeconds(config.cache)),
  };
  if (input.runId) env.RUN_ID = input.runId;
  if (load.vus !== undefined) env.VUS = String(load.vus);
  if (load.durationSeconds !== undefined) env.DURATION_SECONDS = String(load.durationSeconds);
  if (load.stages !== undefined) env.STAGES = JSON.stringify(load.stages);
  return env;
}

/**
 * The TTL each data type's entries are promised by the policy: its seconds,
 * or with adaptive TTLs on the shortest the policy allows (minFactor times
 * it, as api/adaptive-ttl.ts rounds it), so a hit is expected only while the
 * policy guarantees the entry.
 */
export function policyTtlSeconds(cache: Config['cache']): Record<string, number> {
  const { enabled, minFactor } = cache.adaptiveTtl;
  const out: Record<string, number> = {};
  for (const [dt, s] of Object.entries(cache.ttlSeconds))
    out[dt] = enabled ? Math.max(1, Math.round(s * minFactor)) : s;
  return out;
}

/**
 * Parses `-e K=V` flags (k6's `--env`); returns the map or throws the problem
 * text for the caller to wrap (a missing `=` or an empty name).
 */
export function parseEnvFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new Error(`-e '${f}' is not KEY=VALUE`);
    out[f.slice(0, eq)] = f.slice(eq + 1);
  }
  return out;
}
