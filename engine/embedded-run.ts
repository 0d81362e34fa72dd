/**
 * The embedded engine's test lifecycle (k6 docs "Test lifecycle"):
 *
 *   init (once, VU 0) -> options -> thresholds validated -> VUs initialized
 *   -> setup() once -> scenarios run by their executors -> teardown(data)
 *   -> final thresholds -> handleSummary(data) or the text summary.
 *
 * Errors keep k6's exit codes: a script that does not load or throws in
 * init/setup is 107, invalid options or thresholds 104 (before any VU runs),
 * test.abort() 108, crossed thresholds 99, setup/teardown timeouts 100/101.
 */
import { AcgsError } from '../config/index.ts';
import { Registry, defineBuiltinMetrics, DEFAULT_TREND_STATS } from './metrics/index.ts';
import {
  parseThresholds,
  evaluateThresholds,
  ThresholdError,
  type ThresholdDef,
  type ThresholdResult,
} from './thresholds/index.ts';
import { buildSummaryData, type SummaryData } from './summary/index.ts';
import { ScriptProgram } from './script-program.ts';
import { EngineLogger } from './logger.ts';
import { RunState } from './run-state.ts';
import { VU, errorText, isAbort } from './vu.ts';
import { moduleResolver } from './modules/index.ts';
import { httpSettings, type HttpSettings } from './modules/http.ts';
import { consolidateOptions, runtimeSettings, SYSTEM_TAGS, type TestOptions } from './options.ts';
import { EXECUTORS } from './executors/index.ts';
import { VuPool, pause, type ExecutorContext } from './executors/context.ts';
import { K6_EXIT_CODES, K6RunError } from './exit-codes.ts';
import { SelfMonitor, type EngineReport } from './self-monitor.ts';
import { startBanner, resolveProgressMode, DEFAULT_PROGRESS_INTERVAL_MS } from './progress.ts';
import { NdjsonOutput } from './ndjson-output.ts';
import { peakVUs, plannedDurationMs, scenarioRuntime, ScenarioTracker, startTickers } from './run-support.ts';
import { writeSummaryOutputs } from './summary-output.ts';
import type { K6RunOptions, K6RunResult } from './types.ts';

type Phase = 'init' | 'setup' | 'vu' | 'teardown' | 'summary';

/** Runs a script on the embedded engine. Never throws for script or config problems: they become exit codes. */
export async function runEmbedded(opts: K6RunOptions): Promise<K6RunResult> {
  const unknown = opts.flags?.passThrough ?? [];
  if (unknown.length)
    throw new AcgsError('BAD_FLAG', `'${unknown.join(' ')}' is not an option the embedded engine knows`, {
      hint: 'check the spelling (acgs-load k6 run --help), or run real k6, which gets such options untouched (--engine k6)',
    });
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const logger = new EngineLogger(stderr, opts.consoleOutput);
  try {
    return await lifecycle(opts, logger, stdout, stderr);
  } catch (e) {
    if (!(e instanceof K6RunError)) throw e;
    logger.log('error', e.message, e.details.length ? { details: e.details.join('; ') } : undefined);
    return { exitCode: e.exitCode, summary: null, engine: 'embedded', engineLimited: false };
  } finally {
    await logger.close();
  }
}

async function lifecycle(
  opts: K6RunOptions,
  logger: EngineLogger,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<K6RunResult> {
  const program = await ScriptProgram.load(opts.script);
  const registry = new Registry();
  defineBuiltinMetrics(registry);
  registry.define('engine_event_loop_delay', 'trend', 'time');
  registry.define('engine_cpu', 'gauge', 'default');
  const runtime = runtimeSettings(opts.flags, opts.noThresholds);
  const env = environment(opts.env, runtime.includeSystemEnvVars);
  const run = new RunState(registry, logger, {});
  let phase: Phase = 'init';
  // k6's first SIGINT: stop gracefully, still run teardown and handleSummary (exit code 105).
  const onAbort = () =>
    run.stop({
      exitCode: K6_EXIT_CODES.EXTERNAL_ABORT,
      message: 'test run was aborted because acgs-load received a signal',
      duringSetup: phase === 'init' || phase === 'setup',
    });
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const http: HttpSettings = httpSettings({});
  const resolve = moduleResolver(http, () => phase);
  const consoleObj = scriptConsole(logger, runtime.verbose);
  const instantiate = (vu: VU): void => {
    try {
      program.instantiate(vu, resolve, consoleObj);
    } catch (e) {
      throw new K6RunError(K6_EXIT_CODES.SCRIPT_EXCEPTION, errorText(e), [], e);
    }
  };

  // init once, to read the options (k6 runs this instance with __VU 0)
  const vu0 = new VU(0, run, env);
  instantiate(vu0);
  const options = consolidateOptions(vu0.exports.options, { ...opts, noThresholds: runtime.noThresholds });
  for (const w of options.warnings) logger.log('warning', w);
  if (options.systemTags) keepOnlySystemTags(run, options.systemTags);
  run.options = options.exposed;
  run.globalTags = options.tags;
  Object.assign(http, httpSettings(options.exposed));
  checkExecFunctions(vu0.exports, options, program.entry);
  let thresholds: ThresholdDef[];
  try {
    thresholds = parseThresholds(options.thresholds, registry);
  } catch (e) {
    if (e instanceof ThresholdError)
      throw new K6RunError(K6_EXIT_CODES.INVALID_CONFIG, `invalid thresholds: ${e.problems[0]}`, e.problems.slice(1));
    throw e;
  }
  const outputs = openOutputs(opts.out ?? [], registry, () => thresholds);

  let setupJson: string | undefined;
  const pool = new VuPool(() => {
    const vu = new VU(run.vusInitialized + 1, run, env);
    run.vusInitialized++;
    instantiate(vu);
    vu.setupDataJson = setupJson;
    return vu;
  });
  const allVus: VU[] = [];
  const trackingPool = new VuPool(() => {
    const v = pool.acquire();
    allVus.push(v);
    return v;
  });
  if (!opts.quiet) {
    const maxDur = Math.max(0, ...options.scenarios.map((c) => c.startTimeMs + EXECUTORS[c.type].maxDurationMs(c)));
    const lines = options.scenarios.map((c) => ({ name: c.name, line: EXECUTORS[c.type].describe(c) }));
    stdout.write(startBanner(opts.script, opts.out ?? [], lines, peakVUs(options.scenarios), maxDur));
  }
  trackingPool.preallocate(peakVUs(options.scenarios), () => run.vusInitialized);

  // setup(): once, its result JSON round-tripped to every VU
  phase = 'setup';
  // --no-setup: setup() is not called and VUs get undefined data (k6 options `noSetup`)
  if (!options.noSetup)
    setupJson = await runHook(vu0, 'setup', [], options.setupTimeoutMs, K6_EXIT_CODES.SETUP_TIMEOUT, run);
  for (const vu of [vu0, ...allVus]) vu.setupDataJson = setupJson;

  const monitor = new SelfMonitor();
  let engineReport: EngineReport | null = null;
  phase = 'vu';
  run.startMs = Date.now();
  monitor.start();
  const tracker = new ScenarioTracker(options.scenarios.map((c) => c.name));
  const stopTickers = startTickers(run, monitor, thresholds, stdout, {
    mode: resolveProgressMode(opts, isTTY(stdout)),
    intervalMs:
      opts.progressIntervalMs !== undefined && opts.progressIntervalMs > 0
        ? opts.progressIntervalMs
        : DEFAULT_PROGRESS_INTERVAL_MS,
    scenarios: tracker,
    plannedMs: plannedDurationMs(options.scenarios),
  });
  if (!run.stopped) {
    await Promise.all(
      options.scenarios.map(async (cfg) => {
        if (!(await pause(run, cfg.startTimeMs))) return;
        const ctx: ExecutorContext = {
          run,
          pool: trackingPool,
          scenario: scenarioRuntime(cfg, env),
          execFn: (vu) => vu.exports[cfg.exec] as (data: unknown) => unknown,
        };
        tracker.started(ctx.scenario);
        await EXECUTORS[cfg.type].run(cfg, ctx);
        tracker.ended(cfg.name);
      }),
    );
  }
  stopTickers();
  const testRunDurationMs = run.elapsedMs();
  engineReport = monitor.stop();

  // teardown(data): skipped when the test was aborted during setup (k6)
  phase = 'teardown';
  let teardownFailed = false;
  if (!run.stopReason?.duringSetup && !options.noTeardown) {
    try {
      await runHook(vu0, 'teardown', [vu0.setupData()], options.teardownTimeoutMs, K6_EXIT_CODES.TEARDOWN_TIMEOUT, run);
    } catch (e) {
      if (!(e instanceof K6RunError)) throw e;
      logger.log('error', e.message);
      teardownFailed = true;
    }
  }
  run.closeSamples();
  const final = evaluateThresholds(thresholds, registry, testRunDurationMs);
  phase = 'summary';
  const summary = buildSummaryData(
    registry,
    final.results,
    run.groups.root,
    {
      summaryTrendStats: options.summaryTrendStats ?? [...DEFAULT_TREND_STATS],
      summaryTimeUnit: options.summaryTimeUnit,
      noColor: runtime.noColor,
    },
    { testRunDurationMs, isStdOutTTY: isTTY(stdout), isStdErrTTY: isTTY(stderr) },
    {
      engine: {
        name: engineReport.name,
        limited: engineReport.limited,
        eventLoopDelayP99Ms: engineReport.eventLoopDelayP99Ms,
        cpuPercent: engineReport.cpuPercent,
        reasons: engineReport.reasons,
      },
    },
  );
  // --no-summary: no text summary, no handleSummary() and no --summary-export (k6 docs)
  if (!runtime.noSummary) await writeSummaryOutputs(vu0, summary, engineReport, opts, stdout, stderr, logger);
  await Promise.all(outputs.map((o) => o.close()));
  await Promise.all([vu0, ...allVus].map((v) => v.close()));
  const exitCode = finalExitCode(run, final.results, teardownFailed, logger);
  return { exitCode, summary, engine: 'embedded', engineLimited: engineReport.limited };
}

/** k6's precedence: an abort's own code, then script errors, crossed thresholds, test.fail(). */
function finalExitCode(
  run: RunState,
  results: ThresholdResult[],
  teardownFailed: boolean,
  logger: EngineLogger,
): number {
  const crossed = [...new Set(results.filter((r) => !r.ok).map((r) => r.def.metric))];
  if (crossed.length) logger.log('error', `thresholds on metrics '${crossed.join("', '")}' have been crossed`);
  if (run.stopReason) return run.stopReason.exitCode;
  if (teardownFailed) return K6_EXIT_CODES.SCRIPT_EXCEPTION;
  if (crossed.length) return K6_EXIT_CODES.THRESHOLDS_HAVE_FAILED;
  if (run.markedFailed) return K6_EXIT_CODES.MARKED_AS_FAILED;
  return K6_EXIT_CODES.OK;
}

/**
 * Runs setup() or teardown() on VU 0 with its timeout; returns the JSON of
 * the result. An exception is a script error (107), a timeout 100/101.
 */
async function runHook(
  vu0: VU,
  name: 'setup' | 'teardown',
  args: unknown[],
  timeoutMs: number,
  timeoutCode: 100 | 101,
  run: RunState,
): Promise<string | undefined> {
  const fn = vu0.exports[name];
  if (typeof fn !== 'function') return undefined;
  vu0.interrupted = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      Promise.resolve().then(() => (fn as (...a: unknown[]) => unknown)(...args)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new K6RunError(timeoutCode, `${name}() execution timed out after ${timeoutMs / 1000} seconds`)),
          timeoutMs,
        );
      }),
    ]);
    return result === undefined ? undefined : JSON.stringify(result);
  } catch (e) {
    if (e instanceof K6RunError) throw e;
    if (isAbort(e) || run.stopped) {
      run.stop({
        exitCode: K6_EXIT_CODES.SCRIPT_ABORTED,
        message: (e as Error).message,
        duringSetup: name === 'setup',
      });
      return undefined;
    }
    throw new K6RunError(K6_EXIT_CODES.SCRIPT_EXCEPTION, `${name}: ${errorText(e)}`, [], e);
  } finally {
    clearTimeout(timer);
  }
}

/** Every scenario's exec function must be exported (k6 checks this before starting). */
function checkExecFunctions(exports: Record<string, unknown>, options: TestOptions, entry: string): void {
  for (const c of options.scenarios) {
    if (typeof exports[c.exec] !== 'function') {
      const what = c.exec === 'default' ? 'no default function is exported' : `function '${c.exec}' is not exported`;
      throw new K6RunError(
        K6_EXIT_CODES.SCRIPT_EXCEPTION,
        `${entry}: ${what} (scenario "${c.name}" needs it); export it, or set "exec" to an exported function`,
      );
    }
  }
}

/**
 * `__ENV`: the process environment with -e on top; only -e with
 * `--include-system-env-vars=false` (k6 run's default is true).
 */
function environment(extra: Record<string, string> | undefined, includeSystem: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  if (includeSystem) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return Object.freeze(Object.assign(env, extra ?? {}));
}

function scriptConsole(logger: EngineLogger, verbose: boolean) {
  return {
    log: (...a: unknown[]) => logger.console('info', a),
    info: (...a: unknown[]) => logger.console('info', a),
    warn: (...a: unknown[]) => logger.console('warning', a),
    error: (...a: unknown[]) => logger.console('error', a),
    // k6 shows console.debug only with -v/--verbose
    debug: verbose ? (...a: unknown[]) => logger.console('debug', a) : () => {},
  };
}

function openOutputs(out: string[], registry: Registry, thresholds: () => ThresholdDef[]): NdjsonOutput[] {
  return out.map((o) => {
    const m = /^json=(.+)$/.exec(o);
    if (!m)
      throw new K6RunError(
        K6_EXIT_CODES.INVALID_CONFIG,
        `output "${o}" is not supported by the embedded engine; use json=FILE, or run real k6 (--engine k6)`,
      );
    return new NdjsonOutput(m[1], registry, thresholds);
  });
}

/**
 * `systemTags`: samples keep only the enabled system tags (k6 metrics
 * `SystemTagSet`); other tags (options.tags, --tag, request tags) stay. Each
 * distinct tag set is stripped once (they are shared between samples).
 */
function keepOnlySystemTags(run: RunState, enabled: string[]): void {
  run.dropSystemTags(SYSTEM_TAGS.filter((t) => !enabled.includes(t)));
}

const isTTY = (s: NodeJS.WritableStream): boolean => (s as { isTTY?: boolean }).isTTY === true;

export type { SummaryData };
