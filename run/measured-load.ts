/**
 * The measured middle of a run: snapshot the servers' counters, run the
 * scenarios (and the fault schedule, if any) while scraping the API every
 * second, wait for the API to go quiet, and snapshot again once PostgreSQL has
 * flushed its statistics. Returns the deltas and the open connections the
 * later stages (plans) reuse; `close()` releases them.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import type { Config } from '../config/index.ts';
import { type Services, pgError } from '../services/index.ts';
import {
  enableStatements,
  pgDelta,
  takePgSnapshot,
  type PgDelta,
  redisDelta,
  takeRedisSnapshot,
  type RedisDelta,
  ApiSampler,
} from '../measure/index.ts';
import { FaultSchedule, type FaultOutcome, type PlannedFault } from '../faults/index.ts';
import type { StageLog } from './stage.ts';
import { runScenarios, type ScenarioRun } from './scenarios.ts';
import { quiesce } from './quiesce.ts';
import { API_APPLICATION_NAME } from '../api/index.ts';
import type { ResultsDir } from './results-dir.ts';

/** PostgreSQL's idle statistics flush interval (10 s) plus a margin. */
const STATS_IDLE_FLUSH_MS = 10_500;

/**
 * Waits until PostgreSQL's cumulative statistics hold every statement of the
 * load. PostgreSQL 15+ backends keep their statistics until they flush them: at
 * most once a second while busy, and 10 s after they go idle
 * (PGSTAT_IDLE_INTERVAL in src/backend/utils/activity/pgstat.c); a backend
 * that exits flushes at once, before it leaves pg_stat_activity. So when the
 * API is the run's own, stopping it (its pool ends) and waiting for its
 * backends to leave is enough; for a deployment elsewhere, wait the idle flush.
 */
async function settleStatistics(c: pg.Client, stopApi: (() => Promise<void>) | null, loadEnded: number): Promise<void> {
  await c.query('SELECT pg_stat_force_next_flush()').catch(() => undefined); // this backend's own
  const deadline = loadEnded + STATS_IDLE_FLUSH_MS;
  if (stopApi) {
    await stopApi();
    while (Date.now() < deadline) {
      const r = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [API_APPLICATION_NAME],
      );
      if (r.rows[0].n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
}

export interface MeasuredLoad {
  scenarios: ScenarioRun[];
  pg: PgDelta;
  redis: RedisDelta;
  sampler: ApiSampler;
  pgClient: pg.Client;
  /** Faults: what was injected, when the schedule's clock started and when the load ended. */
  faultRun: { outcomes: FaultOutcome[]; origin: number; ended: number } | null;
  close(): Promise<void>;
}

function newPgClient(url: string): pg.Client {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {}); // a PostgreSQL restart ends this connection
  return c;
}

export async function measuredLoad(o: {
  stages: StageLog;
  config: Readonly<Config>;
  svc: Services;
  targetUrl: string;
  runId: string;
  results: ResultsDir;
  faultPlan: PlannedFault[];
  quietEngine: boolean;
  engineOutput?: NodeJS.WritableStream;
  log: (line: string) => void;
  /** Stops the API this run started, once it is quiet; null when the API is not the run's own. */
  stopApi: (() => Promise<void>) | null;
  /** Ctrl-C / SIGTERM: the scenarios stop gracefully; faults in progress are lifted. */
  signal?: AbortSignal;
}): Promise<MeasuredLoad> {
  const { stages, config, svc } = o;
  let pgClient = newPgClient(svc.databaseUrl);
  await pgClient.connect();
  const redis = new Redis(svc.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on('error', () => {}); // reconnects by itself after a Redis stop
  const sampler = new ApiSampler(o.targetUrl);
  const close = async () => {
    await sampler.stop();
    await pgClient.end().catch(() => undefined);
    redis.disconnect();
  };
  try {
    const statementsReason = await enableStatements(pgClient);
    const before = await stages.run(
      'snapshot: before',
      async () => {
        const p = await takePgSnapshot(pgClient, statementsReason);
        const r = await takeRedisSnapshot(redis);
        await sampler.scrape();
        return { p, r };
      },
      () => (statementsReason ? 'pg_stat_statements unavailable' : 'pg_stat_statements on'),
    );

    sampler.start();
    // the schedule's clock starts with the scenarios; faults are lifted before anything else runs.
    const faults = o.faultPlan.length
      ? new FaultSchedule(o.faultPlan, {
          config,
          targetUrl: o.targetUrl,
          databaseUrl: svc.databaseUrl,
          redisUrl: svc.redisUrl,
          runId: o.runId,
          log: o.log,
        })
      : null;
    faults?.start();
    const scenarios = await stages
      .run(
        'scenarios',
        () =>
          runScenarios({
            config,
            runId: o.runId,
            baseUrl: o.targetUrl,
            results: o.results,
            quiet: o.quietEngine,
            stdout: o.engineOutput,
            log: o.log,
            signal: o.signal,
          }),
        (r) => r.map((s) => `${s.name}: exit ${s.exitCode}`).join(', '),
      )
      .catch(async (e) => {
        await faults?.finish({ abort: true });
        throw e;
      });
    const loadEnded = Date.now();
    sampler.markLoadEnded(loadEnded); // utilisation counts only the seconds of load
    const outcomes = faults
      ? await stages.run(
          'faults',
          () => faults.finish({ abort: o.signal?.aborted }),
          (r) =>
            `${r.filter((f) => f.injected).length}/${r.length} injected${r.some((f) => f.error) ? ', with errors' : ''}`,
        )
      : [];
    if (outcomes.some((f) => f.kind === 'postgres-restart' && f.injected)) {
      await pgClient.end().catch(() => undefined); // the restart ended it; measure on a new one
      pgClient = newPgClient(svc.databaseUrl);
      await pgClient.connect();
    }
    await sampler.stop();

    await stages.run(
      'quiesce',
      () => quiesce(sampler),
      (q) => q,
    );
    const after = await stages.run('snapshot: after', async () => {
      await settleStatistics(pgClient, o.stopApi, loadEnded);
      return { p: await takePgSnapshot(pgClient, statementsReason), r: await takeRedisSnapshot(redis) };
    });
    return {
      scenarios,
      pg: pgDelta(before.p, after.p),
      redis: redisDelta(before.r, after.r),
      sampler,
      get pgClient() {
        return pgClient;
      },
      faultRun: faults ? { outcomes, origin: faults.origin ?? loadEnded, ended: loadEnded } : null,
      close,
    };
  } catch (e) {
    await close();
    // A lost PostgreSQL connection mid-run is an infrastructure failure (exit 5), not a bug;
    // anything else that is not already an AcgsError stays what it is.
    const fromPg =
      typeof (e as { code?: unknown })?.code === 'string' ||
      /Connection terminated|terminating connection|ECONN/i.test(String((e as Error)?.message));
    throw fromPg ? pgError(e, svc.databaseUrl, 'measuring the run') : e;
  }
}
