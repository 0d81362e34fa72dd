/**
 * `acgs-load run`: the data flow of ARCHITECTURE.md, one stage after another.
 *
 * config -> preflight -> migrate -> seed -> warm (from an emptied prefix) -> target -> snapshot ->
 * scenarios -> quiesce -> snapshot -> checks -> results -> exit code.
 *
 * Every figure written comes from a snapshot delta, the k6 summaries, the
 * target's /metrics or the checkers; see report/figures/. A failing stage
 * throws (the CLI prints which stage and why); services are left as they were
 * except for what the stages themselves wrote into the suite's own database
 * and key prefix.
 */
import { readdirSync, rmdirSync } from 'node:fs';
import { AcgsError, type Config } from '../config/index.ts';
import { seedDatabase, type SeedProgressEvent, type SeedStepEvent, type WarmProgressEvent } from '../seed/index.ts';
import type { CheckProgressEvent } from '../checks/index.ts';
import { migrate } from '../schema/index.ts';
import { resolveServices, type Services, startApiProcess, type ApiProcess } from '../services/index.ts';
import { StageLog } from './stage.ts';
import { checkBaseUrl, probeServices, timeHealth, type ServiceInfo } from './preflight.ts';
import { measuredLoad } from './measured-load.ts';
import { warmStage } from './warm-stage.ts';
import { runConsistencyChecks } from './checks.ts';
import { writeResults, type RunOutcome } from './write-results.ts';
import { explainAll } from './plans.ts';
import { representativeQueries } from './representative-queries.ts';
import { createResultsDir, newRunId } from './results-dir.ts';
import { planRunFaults, type PlannedFault } from '../faults/index.ts';
import { analyseRunFaults } from './fault-timeline.ts';
import { readReference } from '../report/index.ts';

export interface RunOptions {
  config: Readonly<Config>;
  /** Printed progress lines (one per stage start and end). */
  log: (line: string) => void;
  /** No engine banner and progress (else a live line on a terminal, a line every 10 s elsewhere). */
  quietEngine: boolean;
  /** Where the engine writes its summary text (default stdout; stderr when stdout carries JSON). */
  engineOutput?: NodeJS.WritableStream;
  /** Progress of the long data stages (seed, warm, checks): a printer made when each stage starts. */
  progress?: RunProgress;
  /**
   * Ctrl-C / SIGTERM (its reason names the signal). Before the load: the run
   * stops after the stage in progress, nothing measured (AcgsError ABORTED).
   * During or after the load: the scenarios stop gracefully, the checkers
   * and plans are skipped, and the results are written marked ABORTED with
   * what was measured (exit code 8).
   */
  signal?: AbortSignal;
}

/** A printer of one stage's progress events (cli/progress.ts makes them; run/ does not print). */
export interface ProgressSink<E> {
  onProgress(e: E): void;
  end(): void;
}

export interface RunProgress {
  seed(): ProgressSink<SeedProgressEvent> & { onStep(e: SeedStepEvent): void };
  warm(): ProgressSink<WarmProgressEvent>;
  checks(): ProgressSink<CheckProgressEvent>;
}

export async function runPipeline(opts: RunOptions): Promise<RunOutcome> {
  const { config, log } = opts;
  const stages = new StageLog(log);
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const results = createResultsDir(config.results.dir, runId);
  log(`acgs-load run ${runId} — profile ${config.profile} — results in ${results.path}`);

  let services: Services | null = null;
  let target: ApiProcess | null = null;
  let abortedDuring: string | null = null;
  const onAbort = () => (abortedDuring = stages.current ?? 'between stages');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  /** Before the load, an abort ends the run with nothing measured. */
  const stopIfAbortedBeforeLoad = () => {
    if (!opts.signal?.aborted) return;
    throw new AcgsError(
      'ABORTED',
      `aborted by ${String(opts.signal.reason ?? 'a signal')} during ${abortedDuring}, before the load: nothing was measured`,
      { hint: 'run it again; the data stages skip what is already done' },
    );
  };
  try {
    // A file argument is read before anything starts: a bad --baseline is exit 2 in
    // seconds, not a failure after the whole load.
    const reference = config.results.baseline
      ? await stages.run(
          'preflight: baseline',
          async () => readReference(config.results.baseline!),
          () => config.results.baseline!,
        )
      : null;
    services = await stages.run(
      'preflight: services',
      () => resolveServices(config),
      (s) => `postgres ${s.source.postgres}, redis ${s.source.redis}`,
    );
    const svc = services;
    stopIfAbortedBeforeLoad();
    const pre = await preflight(stages, config, svc);
    stopIfAbortedBeforeLoad();
    await prepareData(stages, config, svc, Boolean(pre.baseUrl), stopIfAbortedBeforeLoad, opts.progress);
    let url = pre.baseUrl;
    let healthMs = pre.healthMs;
    if (!url) {
      // A process of its own, so the load generator never shares the target's event loop
      // (the target's Server-Timing figures would include the engine's CPU time).
      // The warm stage has filled the cache already: the API must not warm it a second time.
      const targetConfig = { ...config, cache: { ...config.cache, warmOnStart: false } };
      target = await stages.run(
        'api',
        () => startApiProcess({ config: targetConfig, databaseUrl: svc.databaseUrl, redisUrl: svc.redisUrl }),
        (t) => `${t.url} (pid ${t.pid})`,
      );
      url = target.url;
      healthMs = await timeHealth(url);
    } else stages.skip('api', `using ${url}`);
    const targetUrl = url;
    stopIfAbortedBeforeLoad();

    const load = await measuredLoad({
      stages,
      config,
      svc,
      targetUrl,
      runId,
      results,
      faultPlan: pre.faultPlan,
      quietEngine: opts.quietEngine,
      engineOutput: opts.engineOutput,
      log,
      stopApi: target ? () => target!.close() : null,
      signal: opts.signal,
    });
    const aborted = opts.signal?.aborted ? `${String(opts.signal.reason ?? 'a signal')} during ${abortedDuring}` : null;
    try {
      const metricsFiles = load.scenarios.map((s) => results.file(s.files.metrics));
      // An aborted run keeps what it measured and stops: the checkers (which may sweep
      // millions of keys) and the plans are not run; the results say so.
      const checks = aborted
        ? (stages.skip('checks', `the run was aborted (${aborted})`), null)
        : await stages.run(
            'checks',
            () =>
              withProgress(opts.progress?.checks(), (onProgress) =>
                runConsistencyChecks({
                  config,
                  databaseUrl: svc.databaseUrl,
                  redisUrl: svc.redisUrl,
                  runId,
                  metricsFiles,
                  onProgress,
                }),
              ),
            (c) => (c.ok ? 'no violations' : 'VIOLATIONS'),
          );
      // each fault's effect, from the requests' NDJSON stream
      const faults = load.faultRun
        ? await analyseRunFaults(load.faultRun.outcomes, {
            metricsFiles,
            loadStart: load.faultRun.origin,
            loadEnd: load.faultRun.ended,
            config,
          })
        : [];
      const plans = aborted
        ? (stages.skip('plans', 'the run was aborted'), [])
        : await stages.run(
            'plans',
            async () => explainAll(load.pgClient, await representativeQueries(load.pgClient)),
            (p) => {
              const judged = p.filter((x) => x.requires?.tables.length);
              const ok = judged.filter((x) => x.verdict?.ok).length;
              return `${ok}/${judged.length} meet their declared index use; ${p.filter((x) => x.usesIndex).length}/${p.length} use an index`;
            },
          );
      return await stages.run(
        'results',
        () =>
          writeResults({
            config,
            runId,
            startedAt,
            results,
            stages,
            info: pre.info,
            targetUrl,
            healthMs,
            services: svc,
            scenarios: load.scenarios,
            pg: load.pg,
            redis: load.redis,
            sampler: load.sampler,
            checks,
            plans,
            faults,
            aborted,
            reference,
          }),
        (o) => `exit code ${o.exitCode}`,
      );
    } finally {
      await load.close();
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (target) await target.close().catch(() => undefined);
    if (services) await services.stop().catch(() => undefined);
    removeIfEmpty(results.path); // a run that stopped before measuring leaves no empty folder
  }
}

/** Runs `fn` with a printer's onProgress and ends the printer however `fn` ends. */
function withProgress<E, T>(
  sink: ProgressSink<E> | undefined,
  fn: (onProgress?: (e: E) => void) => Promise<T>,
): Promise<T> {
  return fn(sink ? (e) => sink.onProgress(e) : undefined).finally(() => sink?.end());
}

/** Removes a results folder that nothing was written into. */
function removeIfEmpty(path: string): void {
  try {
    if (readdirSync(path).length === 0) rmdirSync(path);
  } catch {
    // already gone, or not empty: keep it
  }
}

/** Faults allowed? Versions and round trips; a given base URL answers and is the API. */
async function preflight(
  stages: StageLog,
  config: Readonly<Config>,
  svc: Services,
): Promise<{ faultPlan: PlannedFault[]; info: ServiceInfo; baseUrl?: string; healthMs: number | null }> {
  // a fault against a server the run does not own is refused here, before any load.
  const faultPlan = config.faults.length
    ? await stages.run(
        'preflight: faults',
        async () => planRunFaults(config, svc),
        (p) => p.map((f) => f.label).join(', '),
      )
    : [];
  const info = await stages.run(
    'preflight: versions',
    () => probeServices(svc.databaseUrl, svc.redisUrl),
    (i) => `PostgreSQL ${i.pgVersion}, Redis ${i.redisVersion}`,
  );
  const baseUrl = config.api.baseUrl;
  if (!baseUrl) return { faultPlan, info, healthMs: null };
  const { healthMs } = await stages.run(
    'preflight: base URL',
    () => checkBaseUrl(baseUrl, config.api.allowRemote),
    () => baseUrl,
  );
  return { faultPlan, info, baseUrl, healthMs };
}

/** migrate -> seed (skipped when the fingerprint matches) -> warm (unless another deployment owns the cache). */
async function prepareData(
  stages: StageLog,
  config: Readonly<Config>,
  svc: Services,
  remoteTarget: boolean,
  stopIfAborted: () => void,
  progress: RunProgress | undefined,
): Promise<void> {
  // preflight (probeServices) has created the database when it was missing.
  await stages.run(
    'migrate',
    () => migrate(svc.databaseUrl, { force: config.database.force }),
    (m) => (m.applied.length ? `applied ${m.applied.join(', ')}` : `schema at version ${m.current}`),
  );
  stopIfAborted();
  await stages.run(
    'seed',
    () => {
      const p = progress?.seed();
      return seedDatabase({
        databaseUrl: svc.databaseUrl,
        scale: config.seed.scale,
        seed: config.seed.seed,
        fresh: config.seed.fresh,
        force: config.database.force,
        repair: config.database.repair,
        onProgress: p?.onProgress,
        onStep: p?.onStep,
      }).finally(() => p?.end());
    },
    (s) =>
      s.skipped
        ? `fingerprint ${s.fingerprint.slice(0, 12)} matches, kept ${s.totalRows} rows; ${s.repaired.length ? `repaired the schema: ${s.repaired.join('; ')}` : 'schema matches the migrations'}`
        : `${s.totalRows} rows in ${(s.totalMs / 1000).toFixed(1)} s`,
  );
  stopIfAborted();
  if (remoteTarget) return stages.skip('warm', 'the deployment at --base-url owns its cache');
  await warmStage({
    stages,
    config,
    databaseUrl: svc.databaseUrl,
    redisUrl: svc.redisUrl,
    progress: progress && (() => progress.warm()),
  });
}
