/**
 * `acgs-load run`: the data flow of ARCHITECTURE.md, one stage after another.
 *
 * config -> preflight -> migrate -> seed -> warm -> target -> snapshot ->
 * scenarios -> snapshot -> quiesce -> checks -> results -> exit code.
 *
 * Every figure written comes from a snapshot delta, the k6 summaries, the
 * target's /metrics or the checkers; see report/build/. A failing stage
 * throws (the CLI prints which stage and why); services are left as they were
 * except for what the stages themselves wrote into the suite's own database
 * and key prefix.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { type Config } from '../../config/index.ts';
import { ensureDatabase, migrate, seedDatabase, warmCache } from '../../seed/index.ts';
import { resolveServices, type Services } from '../services.ts';
import { startTargetProcess, type TargetProcess } from '../target-process.ts';
import { enableStatements, pgDelta, takePgSnapshot, type PgSnapshot } from '../measure/pg-stats.ts';
import { redisDelta, takeRedisSnapshot, type RedisSnapshot } from '../measure/redis-stats.ts';
import { StageLog } from './stage.ts';
import { checkBaseUrl, probeServices, timeHealth, type ServiceInfo } from './preflight.ts';
import { TargetSampler } from './target-sampler.ts';
import { runScenarios, type ScenarioRun } from './scenarios.ts';
import { quiesce } from './quiesce.ts';
import { runConsistencyChecks } from './checks.ts';
import { writeResults, type RunOutcome } from './write-results.ts';
import { explainAll, type PlanResult } from './plans.ts';
import { representativeQueries } from './representative-queries.ts';
import { createResultsDir, newRunId } from './results-dir.ts';
import { FaultSchedule, analyseRunFaults, planRunFaults } from '../faults/index.ts'; // faults (issue 9)

/** PostgreSQL's idle statistics flush interval (10 s) plus a margin. */
const STATS_IDLE_FLUSH_MS = 10_500;

export interface RunOptions {
  config: Readonly<Config>;
  /** Printed progress lines (one per stage start and end). */
  log: (line: string) => void;
  /** Live progress of the load engine (a TTY gets a progress line). */
  quietEngine: boolean;
}

export async function runPipeline(opts: RunOptions): Promise<RunOutcome> {
  const { config, log } = opts;
  const stages = new StageLog(log);
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const results = createResultsDir(config.results.dir, runId);
  log(`acgs-load run ${runId} — profile ${config.profile} — results in ${results.path}`);

  let services: Services | null = null;
  let target: TargetProcess | null = null;
  try {
    services = await stages.run('preflight: services', () => resolveServices(config), (s) => `postgres ${s.source.postgres}, redis ${s.source.redis}`);
    const svc = services;
    // faults (issue 9): a fault against a server the run does not own is refused here, before any load.
    const faultPlan = config.faults.length ? await stages.run('preflight: faults', async () => planRunFaults(config, svc), (p) => p.map((f) => f.label).join(', ')) : [];
    const info: ServiceInfo = await stages.run('preflight: versions', () => probeServices(svc.databaseUrl, svc.redisUrl), (i) => `PostgreSQL ${i.pgVersion}, Redis ${i.redisVersion}`);
    let baseUrl = config.target.baseUrl;
    let healthMs: number | null = null;
    if (baseUrl) {
      const url = baseUrl;
      healthMs = (await stages.run('preflight: base URL', () => checkBaseUrl(url, config.target.allowRemote), () => url)).healthMs;
    }

    await stages.run('migrate', async () => {
      await ensureDatabase(svc.databaseUrl);
      return migrate(svc.databaseUrl, { force: config.database.force });
    }, (m) => (m.applied.length ? `applied ${m.applied.join(', ')}` : `schema at version ${m.current}`));
    await stages.run(
      'seed',
      () => seedDatabase({ databaseUrl: svc.databaseUrl, scale: config.seed.scale, seed: config.seed.seed, fresh: config.seed.fresh, force: config.database.force }),
      (s) => (s.skipped ? `fingerprint ${s.fingerprint.slice(0, 12)} matches, kept ${s.totalRows} rows` : `${s.totalRows} rows in ${(s.totalMs / 1000).toFixed(1)} s`),
    );
    if (!baseUrl) {
      if (config.cache.warmOnStart) {
        await stages.run(
          'warm',
          () => warmCache({ databaseUrl: svc.databaseUrl, redisUrl: svc.redisUrl, prefix: config.redis.prefix, ttlSeconds: config.cache.ttlSeconds, hotFraction: config.cache.warmHotFraction }),
          (w) => `${w.keys} keys`,
        );
      } else stages.skip('warm', 'cache.warmOnStart is false');
      // A process of its own, so the load generator never shares the target's event loop
      // (the target's Server-Timing figures would include the engine's CPU time).
      target = await stages.run('target', () => startTargetProcess({ config, databaseUrl: svc.databaseUrl, redisUrl: svc.redisUrl }), (t) => `${t.url} (pid ${t.pid})`);
      baseUrl = target.url;
      healthMs = await timeHealth(baseUrl);
    } else {
      stages.skip('warm', 'the deployment at --base-url owns its cache');
      stages.skip('target', `using ${baseUrl}`);
    }
    const url = baseUrl;

    let pgClient = new pg.Client({ connectionString: svc.databaseUrl });
    pgClient.on('error', () => {}); // faults (issue 9): a PostgreSQL restart ends this connection
    await pgClient.connect();
    const redis = new Redis(svc.redisUrl, { maxRetriesPerRequest: 2 });
    redis.on('error', () => {}); // faults (issue 9): reconnects by itself after a Redis stop
    const sampler = new TargetSampler(url);
    try {
      const statementsReason = await enableStatements(pgClient);
      const before = await stages.run('snapshot: before', async () => {
        const p = await takePgSnapshot(pgClient, statementsReason);
        const r = await takeRedisSnapshot(redis);
        await sampler.scrape();
        return { p, r };
      }, () => (statementsReason ? 'pg_stat_statements unavailable' : 'pg_stat_statements on'));

      sampler.start();
      // faults (issue 9): the schedule's clock starts with the scenarios; faults are lifted before anything else runs.
      const faults = faultPlan.length ? new FaultSchedule(faultPlan, { config, targetUrl: url, databaseUrl: svc.databaseUrl, redisUrl: svc.redisUrl, runId, log }) : null;
      faults?.start();
      const scenarioRuns: ScenarioRun[] = await stages.run(
        'scenarios',
        () => runScenarios({ config, runId, baseUrl: url, results, quiet: opts.quietEngine, log }),
        (r) => r.map((s) => `${s.name}: exit ${s.exitCode}`).join(', '),
      ).catch(async (e) => { await faults?.finish({ abort: true }); throw e; });
      const faultsEnded = Date.now();
      const faultOutcomes = faults ? await stages.run('faults', () => faults.finish(), (o) => `${o.filter((f) => f.injected).length}/${o.length} injected${o.some((f) => f.error) ? ', with errors' : ''}`) : [];
      if (faultOutcomes.some((f) => f.kind === 'postgres-restart' && f.injected)) {
        await pgClient.end().catch(() => undefined); // faults (issue 9): the restart ended it; measure on a new one
        pgClient = new pg.Client({ connectionString: svc.databaseUrl });
        pgClient.on('error', () => {});
        await pgClient.connect();
      }
      await sampler.stop();

      const loadEnded = Date.now();
      const after = await stages.run('snapshot: after', async () => {
        await pgClient.query('SELECT pg_stat_force_next_flush()').catch(() => undefined);
        // PostgreSQL 15+ backends keep their statistics until they flush them: at most once
        // a second while busy, and 10 s after they go idle (PGSTAT_IDLE_INTERVAL in
        // src/backend/utils/activity/pgstat.c). The target's pooled connections are other
        // backends, so wait that long after the load or their last queries are missing.
        await new Promise((r) => setTimeout(r, Math.max(0, loadEnded + STATS_IDLE_FLUSH_MS - Date.now())));
        const p: PgSnapshot = await takePgSnapshot(pgClient, statementsReason);
        const r: RedisSnapshot = await takeRedisSnapshot(redis);
        return { p, r };
      });

      await stages.run('quiesce', () => quiesce(url, sampler), (q) => q);

      const acksFiles = scenarioRuns.map((s) => results.file(s.files.metrics));
      const checks = await stages.run('checks', () => runConsistencyChecks({ config, databaseUrl: svc.databaseUrl, redisUrl: svc.redisUrl, runId, metricsFiles: acksFiles }), (c) => (c.ok ? 'no violations' : 'VIOLATIONS'));
      // faults (issue 9): each fault's effect, from the requests' NDJSON stream
      const faultResults = faults ? await analyseRunFaults(faultOutcomes, { metricsFiles: acksFiles, loadStart: faults.origin!, loadEnd: faultsEnded, config }) : [];

      let plans: PlanResult[] = [];
      plans = await stages.run('plans', async () => explainAll(pgClient, await representativeQueries(pgClient)), (p) => `${p.filter((x) => x.usesIndex).length}/${p.length} use an index`);

      return await stages.run('results', () =>
        writeResults({
          config,
          runId,
          startedAt,
          results,
          stages,
          info,
          targetUrl: url,
          healthMs,
          services: svc,
          scenarios: scenarioRuns,
          pg: pgDelta(before.p, after.p),
          redis: redisDelta(before.r, after.r),
          sampler,
          checks,
          plans,
          faults: faultResults, // faults (issue 9)
        }),
      (o) => `exit code ${o.exitCode}`);
    } finally {
      await sampler.stop();
      await pgClient.end().catch(() => undefined);
      redis.disconnect();
    }
  } finally {
    if (target) await target.close().catch(() => undefined);
    if (services) await services.stop().catch(() => undefined);
  }
}
