/**
 * Builds the one validated, frozen configuration from its sources.
 *
 * Order (later wins): schema defaults < profile file < environment < flags.
 * - A profile is a name (`smoke` -> config/profiles/smoke.json) or a path to a
 *   JSON file a user copied and edited.
 * - Environment: DATABASE_URL, REDIS_URL, BASE_URL and the ACGS_* variables of
 *   {@link ENV_VARS}.
 * - Flags arrive as a partial configuration object from cli/.
 * All problems are collected and reported together in one AcgsError.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AcgsError } from './errors.ts';
import { configSchema, type Config, type ConfigInput } from './schema.ts';

// From the project root (`..`), so the compiled bundle in dist/ finds the same folder.
export const PROFILES_DIR = fileURLToPath(new URL('../config/profiles', import.meta.url));

type Conv = 'string' | 'number' | 'boolean' | 'list';
/** Environment variables the suite reads, and where each lands in the configuration. */
export const ENV_VARS: ReadonlyArray<{ name: string; path: string[]; conv: Conv }> = [
  { name: 'DATABASE_URL', path: ['database', 'url'], conv: 'string' },
  { name: 'REDIS_URL', path: ['redis', 'url'], conv: 'string' },
  { name: 'BASE_URL', path: ['api', 'baseUrl'], conv: 'string' },
  { name: 'ACGS_DATABASE_NAME', path: ['database', 'name'], conv: 'string' },
  { name: 'ACGS_REDIS_PREFIX', path: ['redis', 'prefix'], conv: 'string' },
  { name: 'ACGS_SCALE', path: ['seed', 'scale'], conv: 'number' },
  { name: 'ACGS_SEED', path: ['seed', 'seed'], conv: 'number' },
  { name: 'ACGS_ENGINE', path: ['load', 'engine'], conv: 'string' },
  { name: 'ACGS_SCENARIOS', path: ['load', 'scenarios'], conv: 'list' },
  { name: 'ACGS_API_HOST', path: ['api', 'host'], conv: 'string' },
  { name: 'ACGS_API_PORT', path: ['api', 'port'], conv: 'number' },
  { name: 'ACGS_RESULTS_DIR', path: ['results', 'dir'], conv: 'string' },
  { name: 'ACGS_GRACE_SECONDS', path: ['checks', 'graceSeconds'], conv: 'number' },
];

/** Names of the profiles shipped in config/profiles. */
export function listProfiles(): string[] {
  return readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Reads a profile by name or path; throws UNKNOWN_PROFILE / BAD_CONFIG. */
export function readProfile(nameOrPath: string): { name: string; input: Record<string, unknown> } {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/');
  const file = isPath ? nameOrPath : join(PROFILES_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    if (isPath) {
      throw new AcgsError('UNKNOWN_PROFILE', `profile file '${nameOrPath}' does not exist`, {
        hint: 'give the path of a JSON profile file, or a profile name such as smoke',
      });
    }
    throw new AcgsError(
      'UNKNOWN_PROFILE',
      `--profile '${nameOrPath}' is not a profile; choose one of ${listProfiles().join(', ')}`,
      { hint: 'or give the path of a JSON file copied from config/profiles/' },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AcgsError('BAD_CONFIG', `profile file '${file}' is not valid JSON: ${(e as Error).message}`, {
      hint: 'fix the JSON syntax (a trailing comma or a missing quote is the usual cause)',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AcgsError('BAD_CONFIG', `profile file '${file}' must hold a JSON object`, {
      hint: 'start from a copy of config/profiles/smoke.json',
    });
  }
  const name = nameOrPath;
  const input = { ...(parsed as Record<string, unknown>) };
  delete input.$schema; // editors may add it; it is not configuration
  return { name, input };
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Reads the environment into a partial configuration; problems go to `errors`. */
export function envToInput(env: NodeJS.ProcessEnv, errors: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of ENV_VARS) {
    const raw = env[v.name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (v.conv === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) {
        errors.push(`${v.name}: expected a number, got '${raw}'`);
        continue;
      }
    } else if (v.conv === 'boolean') {
      value = raw === '1' || raw.toLowerCase() === 'true';
    } else if (v.conv === 'list') {
      value = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
    setPath(out, v.path, value);
  }
  return out;
}

/** Deep merge of plain objects; arrays and scalars from `over` replace. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    const bothObjects =
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof b === 'object' &&
      b !== null &&
      !Array.isArray(b);
    out[k] = bothObjects ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function describeValue(input: unknown, path: PropertyKey[]): string {
  let node: unknown = input;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return '';
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  if (node === undefined) return '';
  const text = JSON.stringify(node);
  return ` (given: ${text && text.length > 60 ? text.slice(0, 57) + '...' : text})`;
}

export interface LoadOptions {
  /** Profile name or path; default `smoke` (or ACGS_PROFILE). */
  profile?: string;
  env?: NodeJS.ProcessEnv;
  /** Partial configuration from flags. */
  flags?: ConfigInput | Record<string, unknown>;
}

/** Loads, merges and validates the configuration; the result is deeply frozen. */
export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env;
  const profileName = opts.profile ?? (env.ACGS_PROFILE || undefined) ?? 'smoke'; // an empty variable is unset
  const profile = readProfile(profileName);
  const errors: string[] = [];
  const fromEnv = envToInput(env, errors);
  let merged = deepMerge(profile.input, fromEnv);
  merged = deepMerge(merged, (opts.flags ?? {}) as Record<string, unknown>);
  merged.profile = profile.name;

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = issue.path.length ? issue.path.join('.') : '(top level)';
      let msg = issue.message;
      if (issue.code === 'unrecognized_keys') {
        msg = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      }
      errors.push(`${where}: ${msg}${issue.code === 'unrecognized_keys' ? '' : describeValue(merged, issue.path)}`);
    }
  }
  if (errors.length > 0 || !result.success) {
    // One problem: on the error line itself, so the one line a user reads names it.
    const one = errors.length === 1;
    throw new AcgsError(
      'BAD_CONFIG',
      `the configuration from profile '${profile.name}' has ${errors.length} problem${one ? `: ${errors[0]}` : 's'}`,
      {
        details: one ? [] : errors,
        hint: 'fix the listed keys in the profile file, environment or flags; see config/schema.ts for every key',
      },
    );
  }
  const config = result.data;
  validateUrls(config);
  validateJudgedOn(config, profile.name);
  return deepFreeze(config);
}

/**
 * targets.judgedOn names scenarios of this run: a name not in load.scenarios
 * would judge a target on samples the run never takes (NO DATA at best).
 */
function validateJudgedOn(config: Config, profileName: string): void {
  const problems: string[] = [];
  for (const [target, names] of Object.entries(config.targets.judgedOn)) {
    for (const name of names ?? []) {
      if (!config.load.scenarios.includes(name))
        problems.push(
          `targets.judgedOn.${target} names scenario '${name}', which profile '${profileName}' does not run (load.scenarios: ${config.load.scenarios.join(', ')})`,
        );
    }
  }
  if (problems.length) {
    throw new AcgsError('BAD_CONFIG', problems[0], {
      details: problems.slice(1),
      hint: 'name only scenarios of load.scenarios in targets.judgedOn (or add the scenario to load.scenarios); leave judgedOn out to judge every scenario but smoke',
    });
  }
}

function validateUrls(config: Config): void {
  const problems: string[] = [];
  const check = (label: string, url: string | undefined, protocols: string[]) => {
    if (url === undefined) return;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      problems.push(`${label} '${redactUrl(url)}' is not a URL`);
      return;
    }
    if (!protocols.includes(parsed.protocol)) {
      problems.push(`${label} '${redactUrl(url)}' must start with ${protocols.map((p) => p + '//').join(' or ')}`);
    }
  };
  check('DATABASE_URL (database.url)', config.database.url, ['postgres:', 'postgresql:']);
  check('REDIS_URL (redis.url)', config.redis.url, ['redis:', 'rediss:']);
  check('BASE_URL (api.baseUrl)', config.api.baseUrl, ['http:', 'https:']);
  if (problems.length) {
    throw new AcgsError('BAD_URL', problems[0], {
      details: problems.slice(1),
      hint: 'e.g. DATABASE_URL=postgres://user:pass@host:5432/db REDIS_URL=redis://host:6379 BASE_URL=http://127.0.0.1:8080',
    });
  }
}

/** A URL with its password replaced by `***` (also tolerates non-URLs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

function hideArguments(command: string): string {
  const program =
    command
      .trim()
      .split(/\s+/)
      .find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '';
  return `${program} … (arguments hidden)`;
}

/** A copy of the configuration safe to print or write to results: no passwords. */
export function redactConfig(config: Readonly<Config>): Config {
  const copy = JSON.parse(JSON.stringify(config)) as Config;
  if (copy.database.url) copy.database.url = redactUrl(copy.database.url);
  if (copy.redis.url) copy.redis.url = redactUrl(copy.redis.url);
  if (copy.api.baseUrl) copy.api.baseUrl = redactUrl(copy.api.baseUrl);
  // Stop/start commands may carry credentials (redis-cli -a, PGPASSWORD=...): keep the program only.
  for (const svc of [copy.services.postgres, copy.services.redis]) {
    if (svc.stopCommand) svc.stopCommand = hideArguments(svc.stopCommand);
    if (svc.startCommand) svc.startCommand = hideArguments(svc.startCommand);
  }
  return copy;
}
