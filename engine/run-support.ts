/**
 * Pieces of the run the lifecycle file keeps apart: how many VUs to
 * initialize, the scenario state VUs see, and the periodic work during the
 * run (vus/vus_max once per second, self-monitoring, thresholds every 2 s,
 * the progress line).
 */
import type { BaseConfig } from './executors/base-config.ts';
import { EXECUTORS } from './executors/index.ts';
import type { ScenarioRuntime } from './vu.ts';
import type { RunState } from './run-state.ts';
import type { SelfMonitor } from './self-monitor.ts';
import { evaluateThresholds, type ThresholdDef } from './thresholds/index.ts';
import { K6_EXIT_CODES } from './exit-codes.ts';
import { progressLine } from './progress.ts';

/**
 * Most VUs the scenarios need at once: each scenario holds its VUs from its
 * startTime to the end of its graceful stop (k6 sums the executors'
 * execution requirements over time the same way, more finely).
 */
export function peakVUs(scenarios: BaseConfig[]): number {
  const events: Array<[number, number]> = [];
  for (const c of scenarios) {
    const d = EXECUTORS[c.type];
    events.push([c.startTimeMs, d.maxVUs(c)], [c.startTimeMs + d.maxDurationMs(c), -d.maxVUs(c)]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let peak = 0;
  for (const [, dv] of events) {
    cur += dv;
    peak = Math.max(peak, cur);
  }
  return Math.max(peak, 1);
}

/** The scenario state VUs read through k6/execution, with `__ENV` for the scenario. */
export function scenarioRuntime(cfg: BaseConfig, env: Record<string, string>): ScenarioRuntime {
  return {
    name: cfg.name,
    executor: cfg.type,
    startTime: Date.now(),
    tags: cfg.tags,
    env: Object.keys(cfg.env).length ? Object.freeze({ ...env, ...cfg.env }) : env,
    exec: cfg.exec,
    progress: () => 0,
    iterations: 0,
  };
}

/** Thresholds are checked this often during the run (k6 metrics/engine `thresholdsTickRate`). */
export const THRESHOLD_TICK_MS = 2000;

/** Starts the periodic work; returns the function that stops it. */
export function startTickers(
  run: RunState,
  monitor: SelfMonitor,
  thresholds: ThresholdDef[],
  stdout: NodeJS.WritableStream,
  quiet: boolean,
  scenarioNames: string[],
): () => void {
  const sampleVus = (): void => {
    run.emit('vus', run.vusActive, { ...run.globalTags });
    run.emit('vus_max', run.vusInitialized, { ...run.globalTags });
  };
  // first sample once the executors have activated their VUs (k6 emits at start, then every second)
  const first = setTimeout(sampleVus, 0);
  const perSecond = setInterval(() => {
    sampleVus();
    monitor.tick(run);
  }, 1000);
  const thresholdTimer = setInterval(() => {
    const { results, abort } = evaluateThresholds(thresholds, run.registry, run.elapsedMs(), { duringRun: true });
    if (abort) {
      const metrics = [...new Set(results.filter((r) => !r.ok).map((r) => r.def.metric))];
      run.logger.log(
        'error',
        `thresholds on metrics '${metrics.join("', '")}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`,
      );
      run.stop({ exitCode: K6_EXIT_CODES.THRESHOLDS_HAVE_FAILED, message: 'thresholds crossed (abortOnFail)' });
    }
  }, THRESHOLD_TICK_MS);

  // per-scenario request counts for the live line, only when someone can see it
  const tty = (stdout as { isTTY?: boolean }).isTTY === true && !quiet;
  const requests = new Map<string, number>(scenarioNames.map((n) => [n, 0]));
  const offSample = tty
    ? run.registry.onSample((s) => {
        if (s.metric === 'http_reqs') requests.set(s.tags.scenario, (requests.get(s.tags.scenario) ?? 0) + 1);
      })
    : () => {};
  const progressTimer = tty
    ? setInterval(() => {
        const line = progressLine(
          run.elapsedMs(),
          run.vusActive,
          run.vusInitialized,
          run.iterationsCompleted,
          run.iterationsInterrupted,
          scenarioNames.map((n) => ({ name: n, progress: 0, requests: requests.get(n) ?? 0 })),
        );
        stdout.write(`\r\x1b[K${line}`);
      }, 250)
    : undefined;
  return () => {
    clearTimeout(first);
    clearInterval(perSecond);
    clearInterval(thresholdTimer);
    clearInterval(progressTimer);
    offSample();
    if (tty) stdout.write('\r\x1b[K\n');
  };
}
