/**
 * Pieces of the run the lifecycle file keeps apart: how many VUs to
 * initialize, the scenario state VUs see, and the periodic work during the
 * run (vus/vus_max once per second, self-monitoring, thresholds every 2 s,
 * the progress display: a live line on a terminal, a plain line every
 * `progressIntervalMs` otherwise).
 */
import type { BaseConfig } from './executors/base-config.ts';
import { EXECUTORS } from './executors/index.ts';
import type { ScenarioRuntime } from './vu.ts';
import type { RunState } from './run-state.ts';
import type { SelfMonitor } from './self-monitor.ts';
import { evaluateThresholds, type ThresholdDef } from './thresholds/index.ts';
import { K6_EXIT_CODES } from './exit-codes.ts';
import { progressLine, progressStatusLine } from './progress.ts';

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

/**
 * The scenarios as the progress display sees them: which run now, which are
 * over, and each one's `progress()` (set by its executor once it starts).
 */
export class ScenarioTracker {
  private readonly running = new Map<string, ScenarioRuntime>();
  private readonly finished = new Set<string>();
  constructor(readonly names: string[]) {}
  started(s: ScenarioRuntime): void {
    this.running.set(s.name, s);
  }
  ended(name: string): void {
    this.running.delete(name);
    this.finished.add(name);
  }
  /** The scenarios running now; all of them while none runs (before the first starts, between two). */
  active(): string[] {
    return this.running.size ? [...this.running.keys()] : this.names;
  }
  /** 0..1; 1 once the scenario is over. */
  progress(name: string): number {
    if (this.finished.has(name)) return 1;
    return this.running.get(name)?.progress() ?? 0;
  }
}

/**
 * When the last scenario is due to end, without graceful stops: the duration
 * the plain progress line counts towards (for iteration-based executors,
 * their maxDuration, an upper bound).
 */
export function plannedDurationMs(scenarios: BaseConfig[]): number {
  return Math.max(0, ...scenarios.map((c) => c.startTimeMs + EXECUTORS[c.type].maxDurationMs(c) - c.gracefulStopMs));
}

/** How the run shows its progress (resolved from K6RunOptions by resolveProgressMode). */
export interface ProgressDisplay {
  mode: 'tty' | 'lines' | 'none';
  /** The plain line's interval (mode `lines`). */
  intervalMs: number;
  scenarios: ScenarioTracker;
  plannedMs: number;
}

/** The live line on a terminal is rewritten this often. */
const TTY_REFRESH_MS = 250;

/** Starts the periodic work; returns the function that stops it. */
export function startTickers(
  run: RunState,
  monitor: SelfMonitor,
  thresholds: ThresholdDef[],
  stdout: NodeJS.WritableStream,
  display: ProgressDisplay,
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
  const stopProgress = startProgress(run, stdout, display);
  return () => {
    clearTimeout(first);
    clearInterval(perSecond);
    clearInterval(thresholdTimer);
    stopProgress();
  };
}

/** The progress display: counts requests only when someone sees them, and decides when to write. */
function startProgress(run: RunState, stdout: NodeJS.WritableStream, d: ProgressDisplay): () => void {
  if (d.mode === 'none') return () => {};
  const names = d.scenarios.names;
  const requests = new Map<string, number>(names.map((n) => [n, 0]));
  let totalRequests = 0;
  let failed = 0;
  const offSample = run.registry.onSample((s) => {
    if (s.metric === 'http_reqs') {
      totalRequests++;
      requests.set(s.tags.scenario, (requests.get(s.tags.scenario) ?? 0) + 1);
    } else if (s.metric === 'http_req_failed' && s.value !== 0) failed++;
  });
  let timer: NodeJS.Timeout;
  if (d.mode === 'tty') {
    timer = setInterval(() => {
      const line = progressLine(
        run.elapsedMs(),
        run.vusActive,
        run.vusInitialized,
        run.iterationsCompleted,
        run.iterationsInterrupted,
        names.map((n) => ({ name: n, progress: d.scenarios.progress(n), requests: requests.get(n) ?? 0 })),
      );
      stdout.write(`\r\x1b[K${line}`);
    }, TTY_REFRESH_MS);
  } else {
    let lastRequests = 0;
    let lastAt = run.elapsedMs();
    timer = setInterval(() => {
      const now = run.elapsedMs();
      const line = progressStatusLine({
        scenarios: d.scenarios.active(),
        elapsedMs: now,
        plannedMs: d.plannedMs,
        vusActive: run.vusActive,
        vusMax: run.vusInitialized,
        completed: run.iterationsCompleted,
        interrupted: run.iterationsInterrupted,
        windowRequests: totalRequests - lastRequests,
        windowMs: now - lastAt,
        failedRequests: failed,
      });
      lastRequests = totalRequests;
      lastAt = now;
      stdout.write(line + '\n');
    }, d.intervalMs);
  }
  return () => {
    clearInterval(timer);
    offSample();
    if (d.mode === 'tty') stdout.write('\r\x1b[K\n');
  };
}
