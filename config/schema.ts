/**
 * The one typed configuration of acgs-load, as a zod schema.
 *
 * Sources, later wins: built-in defaults < profile file < environment < flags
 * (see load.ts). Every object is strict: an unknown key is an error, so a typo
 * in a profile is reported instead of silently ignored. Durations are numbers
 * with their unit in the key name (`...Ms`, `...Seconds`) to keep profile files
 * unambiguous.
 */
import { z } from 'zod';

/** The eight cache data types of the ACGS report, with their TTL in seconds. */
export const TTL_POLICY_DEFAULTS = {
  sessions: 1800,
  authTokens: 3600,
  policyDecisions: 300,
  governanceRules: 3600,
  staticConfig: 86400,
  apiResponses: 600,
  complianceChecks: 900,
  synthesisResults: 1200,
} as const;
export type CacheDataType = keyof typeof TTL_POLICY_DEFAULTS;
export const CACHE_DATA_TYPES = Object.keys(TTL_POLICY_DEFAULTS) as CacheDataType[];

/** The five query shapes the report times. */
export const QUERY_TYPES = ['simple', 'join', 'aggregation', 'complex', 'index_scan'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

/** The scenarios that ship with the suite (scenarios/<name>.ts). */
export const SCENARIO_NAMES = [
  'smoke',
  'user-journey',
  'query-mix',
  'cache-ops',
  'ladder',
  'write-contention',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Faults a run can inject. */
export const FAULT_KINDS = ['redis-stop', 'postgres-restart', 'redis-slow', 'pool-exhaust'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const ttlSeconds = positiveInt.max(30 * 86400);

const ttlPolicySchema = z.strictObject({
  sessions: ttlSeconds.default(TTL_POLICY_DEFAULTS.sessions),
  authTokens: ttlSeconds.default(TTL_POLICY_DEFAULTS.authTokens),
  policyDecisions: ttlSeconds.default(TTL_POLICY_DEFAULTS.policyDecisions),
  governanceRules: ttlSeconds.default(TTL_POLICY_DEFAULTS.governanceRules),
  staticConfig: ttlSeconds.default(TTL_POLICY_DEFAULTS.staticConfig),
  apiResponses: ttlSeconds.default(TTL_POLICY_DEFAULTS.apiResponses),
  complianceChecks: ttlSeconds.default(TTL_POLICY_DEFAULTS.complianceChecks),
  synthesisResults: ttlSeconds.default(TTL_POLICY_DEFAULTS.synthesisResults),
});

const latencyTarget = z.strictObject({
  p95Ms: z.number().positive(),
  p99Ms: z.number().positive(),
});

export const configSchema = z.strictObject({
  /** Name of the profile this configuration came from (set by the loader). */
  profile: z.string().min(1).default('smoke'),
  description: z.string().default(''),

  database: z
    .strictObject({
      /** postgres:// URL. Unset: local server on 127.0.0.1:5432, database `acgs_load`. */
      url: z.string().optional(),
      /** Database name used when `url` is unset. */
      name: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
        .default('acgs_load'),
      /** Allow migrating/seeding a database that has tables but not the suite's marker. */
      force: z.boolean().default(false),
      /**
       * When the kept dataset's schema drifted from the migrations (schema/drift.ts):
       * re-create missing indexes and constraints and validate NOT VALID ones instead
       * of refusing; changed columns or tables are still refused (reload with seed.fresh).
       */
      repair: z.boolean().default(false),
    })
    .prefault({}),

  redis: z
    .strictObject({
      /** redis:// URL. Unset: local server on 127.0.0.1:6379. */
      url: z.string().optional(),
      /** Every key the suite writes or deletes starts with this prefix. */
      prefix: z
        .string()
        .min(2)
        .regex(/^[A-Za-z0-9_.-]+:$/, 'must be letters, digits, _ . - and end with ":" (e.g. "acgs:")')
        .default('acgs:'),
    })
    .prefault({}),

  seed: z
    .strictObject({
      /** Scale factor: 1 is about 100k rows in all, 10 about 1M, 100 about 10M. */
      scale: z.number().positive().max(1000).default(1),
      /** PRNG seed: same seed and scale give byte-identical data. */
      seed: nonNegativeInt.max(2 ** 31 - 1).default(42),
      /** Reload even when the stored fingerprint matches. */
      fresh: z.boolean().default(false),
    })
    .prefault({}),

  cache: z
    .strictObject({
      ttlSeconds: ttlPolicySchema.prefault({}),
      /** Write the hot entities into Redis after seeding and when the target starts. */
      warmOnStart: z.boolean().default(true),
      /** How many of the most popular entities of each type to warm (scaled by seed.scale). */
      warmHotFraction: z.number().positive().max(1).default(0.2),
      adaptiveTtl: z
        .strictObject({
          enabled: z.boolean().default(false),
          minFactor: z.number().positive().max(1).default(0.5),
          maxFactor: z.number().min(1).max(10).default(2),
        })
        .prefault({}),
    })
    .prefault({}),

  pool: z
    .strictObject({
      /** Connections kept open (the report's pool_size). */
      size: positiveInt.max(1000).default(25),
      /** Extra connections opened under load (the report's max_overflow). */
      overflow: nonNegativeInt.max(1000).default(35),
      /** How long a request waits for a connection before it gets 503. */
      acquireTimeoutMs: positiveInt.max(600_000).default(30_000),
      /** Connections are closed and replaced after this long (pool_recycle). */
      recycleSeconds: positiveInt.default(3600),
      /** Overflow connections idle this long are closed. */
      idleTimeoutMs: positiveInt.default(30_000),
      /** Server-side statement timeout for the target's queries. */
      statementTimeoutMs: positiveInt.default(30_000),
    })
    .prefault({}),

  api: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      /** 0 picks a free port. */
      port: nonNegativeInt.max(65535).default(0),
      /** Aim the scenarios at a deployment elsewhere instead of starting the reference API. */
      baseUrl: z.string().optional(),
      /** Required to load-test a base URL that is not a loopback address. */
      allowRemote: z.boolean().default(false),
      /** Deliberate defects for the checkers' tests; see api/defects.ts. Off by default. */
      defects: z
        .strictObject({
          skipInvalidationRate: z.number().min(0).max(1).default(0),
          wrongVersionRate: z.number().min(0).max(1).default(0),
          noTtlRate: z.number().min(0).max(1).default(0),
          skipVoteCounterRate: z.number().min(0).max(1).default(0),
          /** A cache miss is answered but not written back, nor a new row written through: the judged hit rate must fail. */
          skipFillRate: z.number().min(0).max(1).default(0),
          /**
           * A slowdown on purpose: every query of this type takes slowQueryMs
           * longer (the connection held, inside the query's timed window), so a
           * comparison can be shown to find exactly that regression. Off (null) by default.
           */
          slowQueryType: z.enum(QUERY_TYPES).nullable().default(null),
          slowQueryMs: z.number().min(0).max(60_000).default(0),
          /** A relative slowdown of slowQueryType: 1.2 = each such query takes 20 % longer than it ran. 1 = off. */
          slowQueryFactor: z.number().min(1).max(100).default(1),
          /** A tail-only slowdown of slowQueryType: this fraction of its queries take slowQueryTailMs longer. */
          slowQueryTailRate: z.number().min(0).max(1).default(0),
          slowQueryTailMs: z.number().min(0).max(60_000).default(0),
        })
        .prefault({})
        .refine((d) => (d.slowQueryTailRate === 0) === (d.slowQueryTailMs === 0), {
          message:
            'slowQueryTailRate and slowQueryTailMs go together: give the fraction of queries slowed (above 0) and their delay (above 0 ms), or neither',
          path: ['slowQueryTailRate'],
        })
        .refine(
          (d) =>
            (d.slowQueryType === null) ===
            (d.slowQueryMs === 0 && d.slowQueryFactor === 1 && d.slowQueryTailRate === 0 && d.slowQueryTailMs === 0),
          {
            message:
              'slowQueryType and slowQueryMs go together (or slowQueryFactor above 1, or slowQueryTailRate with slowQueryTailMs): name the query type and give a slowdown, or neither',
            path: ['slowQueryType'],
          },
        ),
    })
    .prefault({}),

  load: z
    .strictObject({
      /** Which scenarios the run executes, in order. */
      scenarios: z.array(z.enum(SCENARIO_NAMES)).min(1).default(['smoke']),
      /** `auto` uses the k6 binary when it is on PATH (or K6_BINARY), else the embedded engine. */
      engine: z.enum(['auto', 'k6', 'embedded']).default('auto'),
      /** Think time between a user's steps, uniformly drawn. */
      thinkTimeMs: z.strictObject({ min: nonNegativeInt.default(100), max: nonNegativeInt.default(500) }).prefault({}),
      /** Multiplies every scenario's duration (0.1 makes a quick variant). */
      durationFactor: z.number().positive().max(100).default(1),
      /** Ladder steps: concurrent users per step and each step's duration. */
      ladder: z
        .strictObject({
          users: z.array(positiveInt.max(10_000)).min(1).default([10, 25, 50, 100]),
          stepSeconds: positiveInt.default(30),
        })
        .prefault({}),
      /** Requests per second per query type in query-mix. */
      queryMixRate: positiveInt.default(20),
      /** Overrides of a scenario's VUs/duration/stages (soak and spike variants). */
      vus: positiveInt.max(10_000).optional(),
      durationSeconds: positiveInt.optional(),
      stages: z.array(z.strictObject({ durationSeconds: positiveInt, target: nonNegativeInt })).optional(),
    })
    .prefault({}),

  /** Targets the run is judged against; defaults are the report's stated goals. */
  targets: z
    .strictObject({
      avgQueryMs: z.number().positive().default(200),
      cacheHitRate: z.number().min(0).max(1).default(0.995),
      redisOpMs: z.number().positive().default(10),
      successRate: z.number().min(0).max(1).default(0.99),
      poolEfficiency: z.number().min(0).max(1).default(0.9),
      queryTypes: z
        .strictObject({
          simple: latencyTarget.default({ p95Ms: 50, p99Ms: 100 }),
          join: latencyTarget.default({ p95Ms: 100, p99Ms: 200 }),
          aggregation: latencyTarget.default({ p95Ms: 150, p99Ms: 300 }),
          complex: latencyTarget.default({ p95Ms: 300, p99Ms: 500 }),
          index_scan: latencyTarget.default({ p95Ms: 100, p99Ms: 200 }),
        })
        .prefault({}),
      /**
       * false: the per-query-type p95/p99 are measured and shown but not judged.
       * For a profile whose load cannot support them (smoke: 2 VUs send a few
       * queries of each type, while a p95 needs 59 samples and a p99 299 to be
       * shown under a target at 95 % confidence, report/figure.ts
       * minSamplesFor); a profile that judges them and falls short of the
       * samples is NO DATA, never a pass.
       */
      percentiles: z.boolean().default(true),
      /**
       * The scenarios whose samples a target is judged on, merged (an HDR merge
       * of their k6 metric streams, report/ndjson/judged-samples.ts):
       * `queryTypes` for the per-query-type p95/p99 and the average query
       * time, `cache` for the Redis operation times and the cache hit rate.
       * Unset: every scenario of the run except smoke, which judges
       * correctness with 2 VUs and misses on purpose; smoke alone when it is
       * the only scenario (the smoke profile). Each name must be in
       * load.scenarios (config/load.ts refuses others).
       */
      judgedOn: z
        .strictObject({
          queryTypes: z.array(z.enum(SCENARIO_NAMES)).min(1).optional(),
          cache: z.array(z.enum(SCENARIO_NAMES)).min(1).optional(),
        })
        .prefault({}),
    })
    .prefault({}),

  /**
   * Faults injected during the scenarios (`--fault KIND@TIME[:DURATION]`).
   * The suite only stops servers it started itself (services.throwaway) or that
   * `services.*.stopCommand/startCommand` name explicitly.
   */
  faults: z
    .array(
      z.strictObject({
        kind: z.enum(FAULT_KINDS),
        /** Seconds after the scenarios start. */
        atSeconds: z.number().nonnegative(),
        /** How long the fault lasts (a stop, a slowdown, an exhaustion). */
        durationSeconds: z.number().positive().max(3600).default(5),
      }),
    )
    .default([]),

  services: z
    .strictObject({
      /** Start throw-away PostgreSQL and Redis for this run (needed to stop them for faults). */
      throwaway: z.boolean().default(false),
      postgres: z
        .strictObject({ stopCommand: z.string().optional(), startCommand: z.string().optional() })
        .prefault({}),
      redis: z.strictObject({ stopCommand: z.string().optional(), startCommand: z.string().optional() }).prefault({}),
    })
    .prefault({}),

  checks: z
    .strictObject({
      /** Which checkers run; empty means all. */
      only: z.array(z.string()).default([]),
      /** Mismatched entries are re-read after this grace period. */
      graceSeconds: z.number().nonnegative().max(600).default(2),
      /** Check a random sample of this many keys instead of sweeping (0 = all). */
      sample: nonNegativeInt.default(0),
      /** Examples kept per violation kind. */
      examples: positiveInt.max(100).default(5),
      /** SCAN COUNT and row-batch size. */
      batchSize: positiveInt.max(100_000).default(1000),
    })
    .prefault({}),

  results: z
    .strictObject({
      dir: z.string().min(1).default('results'),
      /** Baseline file to compare this run with. */
      baseline: z.string().optional(),
      /** The minimum effect: a change smaller than this fraction (on the figure's scale) is never a regression. */
      regressionTolerance: z.number().min(0).max(10).default(0.1),
      /**
       * Family-wise significance level of a comparison with a baseline: the
       * chance that a run of the baseline's build has any figure called a
       * regression, shared by the baseline's judged figures (Bonferroni;
       * docs/comparing.md). regressionTolerance is the minimum effect.
       */
      regressionAlpha: z.number().gt(0).max(0.5).default(0.01),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
/** The input shape of a profile file: every key optional. */
export type ConfigInput = z.input<typeof configSchema>;
