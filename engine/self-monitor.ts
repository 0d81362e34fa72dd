/**
 * The engine watching itself. A load generator that is short of CPU or whose
 * event loop lags starts iterations late and measures its own queueing as
 * server latency; then the result says more about the client than about the
 * system under test. Every second this samples the event-loop delay
 * (perf_hooks.monitorEventLoopDelay) and the process CPU (process.cpuUsage),
 * records them as metrics (`engine_event_loop_delay` trend in ms,
 * `engine_cpu` gauge in % of one core), and at the end judges whether the
 * engine limited the load (see {@link judgeEngine}).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { RunState } from './run-state.ts';

/** Limits above which the engine, not the target, is taken to have limited the load. */
export const ENGINE_LIMITS = {
  /** Event-loop delay p99 over the run, in ms: timers and I/O callbacks this late distort timings. */
  eventLoopDelayP99Ms: 50,
  /** CPU of the process, % of one core, counted as saturated (Node runs JS on one core). */
  cpuSaturatedPercent: 90,
  /** Share of the 1-s samples that must be saturated for the run to count as CPU-limited. */
  cpuSaturatedShare: 0.5,
} as const;

/** What handleSummary data carries under `engine`. */
export interface EngineReport {
  name: 'acgs-load embedded';
  limited: boolean;
  eventLoopDelayP99Ms: number;
  /** Mean CPU of the process over the run, % of one core. */
  cpuPercent: number;
  /** Plain-language reasons when limited. */
  reasons: string[];
}

/** Pure judgement of the measured figures (see ENGINE_LIMITS). */
export function judgeEngine(eventLoopDelayP99Ms: number, cpuSamples: number[]): EngineReport {
  const reasons: string[] = [];
  if (eventLoopDelayP99Ms > ENGINE_LIMITS.eventLoopDelayP99Ms) {
    reasons.push(
      `event-loop delay p99 was ${eventLoopDelayP99Ms.toFixed(1)} ms (limit ${ENGINE_LIMITS.eventLoopDelayP99Ms} ms)`,
    );
  }
  const saturated = cpuSamples.filter((c) => c >= ENGINE_LIMITS.cpuSaturatedPercent).length;
  if (cpuSamples.length >= 2 && saturated / cpuSamples.length >= ENGINE_LIMITS.cpuSaturatedShare) {
    reasons.push(
      `the engine used >= ${ENGINE_LIMITS.cpuSaturatedPercent}% of a CPU core in ${saturated} of ${cpuSamples.length} seconds`,
    );
  }
  const mean = cpuSamples.length ? cpuSamples.reduce((a, b) => a + b, 0) / cpuSamples.length : 0;
  return {
    name: 'acgs-load embedded',
    limited: reasons.length > 0,
    eventLoopDelayP99Ms: round(eventLoopDelayP99Ms),
    cpuPercent: round(mean),
    reasons,
  };
}

const round = (x: number): number => Math.round(x * 100) / 100;
const RESOLUTION_MS = 5;
/** A histogram percentile in ms of delay beyond the sampling interval. */
const delayMs = (h: IntervalHistogram, p: number): number =>
  h.count > 0 ? Math.max(0, h.percentile(p) / 1e6 - RESOLUTION_MS) : 0;

/** Samples delay and CPU once per second while running. */
export class SelfMonitor {
  // The histograms record the whole interval between wake-ups, so the
  // resolution is subtracted to get the delay itself.
  private readonly whole: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly second: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private lastCpu = process.cpuUsage();
  private lastT = performance.now();
  readonly cpuSamples: number[] = [];

  start(): void {
    this.whole.enable();
    this.second.enable();
    this.lastCpu = process.cpuUsage();
    this.lastT = performance.now();
  }

  /** One sample (call every second): records both metrics. */
  tick(run: RunState): void {
    const t = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedUs = (t - this.lastT) * 1000;
    this.lastCpu = process.cpuUsage();
    this.lastT = t;
    const pct = elapsedUs > 0 ? ((cpu.user + cpu.system) / elapsedUs) * 100 : 0;
    this.cpuSamples.push(pct);
    const p99 = delayMs(this.second, 99);
    this.second.reset();
    const tags = { ...run.globalTags };
    run.emit('engine_event_loop_delay', p99, tags);
    run.emit('engine_cpu', pct, tags);
  }

  /** Stops sampling and judges the run. */
  stop(): EngineReport {
    this.whole.disable();
    this.second.disable();
    const p99 = delayMs(this.whole, 99);
    return judgeEngine(p99, this.cpuSamples);
  }
}

/** The plain sentence the text summary ends with when the engine limited the load. */
export function engineLimitedText(r: EngineReport): string {
  return `\n  WARNING: the embedded engine itself limited the load (${r.reasons.join('; ')}); the figures above understate what the target can do. Use fewer VUs per process, or run real k6 (--engine k6).\n`;
}
