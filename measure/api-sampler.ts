/**
 * Scrapes the target's /metrics once a second while the scenarios run, so
 * figures that only make sense over time (pool utilisation, waiting clients)
 * come from many samples, and the HTML report can draw them. Keeps the first
 * and last scrape for deltas.
 *
 * Utilisation counts only the samples taken while the load ran: from
 * `start()` until `markLoadEnded()` (or `stop()`, when nobody marked the end).
 * The scrape before the load, the one `stop()` takes, and the quiesce
 * stage's scrapes after it stay in `points` (the charts draw them) but an idle
 * pool there would pull the mean down.
 */
import { parsePrometheus, sumOf, type PromSample } from './prometheus.ts';

/** One per-second scrape of the API's pool and cache counters during the scenarios. */
export interface PoolSample {
  t: number;
  inUse: number;
  idle: number;
  waiting: number;
  max: number;
  cacheHits: number;
  cacheMisses: number;
}

export type PoolPoint = PoolSample;

export class ApiSampler {
  readonly points: PoolPoint[] = [];
  first: PromSample[] | null = null;
  last: PromSample[] | null = null;
  errors = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The load's window: opened by start(), closed by markLoadEnded() or stop() (epoch ms). */
  private loadStarted = false;
  private loadEnd: number | null = null;
  /** The samples that arrived while the window was open (a scrape's time has millisecond ties with the marks). */
  private readonly duringLoad: PoolPoint[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly intervalMs = 1000,
  ) {}

  async scrape(): Promise<PromSample[] | null> {
    try {
      const res = await fetch(new URL('/metrics', this.baseUrl), { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const samples = parsePrometheus(await res.text());
      this.first ??= samples;
      this.last = samples;
      const point: PoolPoint = {
        t: Date.now(),
        inUse: sumOf(samples, 'acgs_pool_connections', { state: 'in_use' }),
        idle: sumOf(samples, 'acgs_pool_connections', { state: 'idle' }),
        waiting: sumOf(samples, 'acgs_pool_waiting'),
        max: sumOf(samples, 'acgs_pool_max'),
        cacheHits: sumOf(samples, 'acgs_cache_lookups_total', { result: 'hit' }),
        cacheMisses: sumOf(samples, 'acgs_cache_lookups_total', { result: 'miss' }),
      };
      this.points.push(point);
      if (this.loadStarted && this.loadEnd === null) this.duringLoad.push(point);
      return samples;
    } catch {
      this.errors++;
      return null;
    }
  }

  /** Starts the per-second scrapes; the load starts now. */
  start(): void {
    this.loadStarted = true;
    this.loadEnd = null;
    this.timer = setInterval(() => void this.scrape(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * The load ended at `at` (epoch ms; the scenarios returned): later samples,
   * e.g. while faults are lifted before `stop()`, do not count towards
   * utilisation. The first mark wins.
   */
  markLoadEnded(at: number = Date.now()): void {
    if (this.loadStarted) this.loadEnd ??= at;
  }

  /** Stops the per-second scrapes (ending the load window if nobody marked it) and scrapes once more. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.markLoadEnded();
    }
    this.timer = null;
    await this.scrape();
  }

  /** The samples taken while the load ran: after start(), up to the end mark (none before start()). */
  loadPoints(): PoolPoint[] {
    const to = this.loadEnd ?? Infinity;
    return this.duringLoad.filter((p) => p.t <= to);
  }

  /**
   * Mean and peak of connections in use over the samples taken while the load
   * ran, as a share of the pool's maximum; nulls (and no waiting peak) when no
   * such sample exists.
   */
  utilisation(): { mean: number | null; peak: number | null; peakWaiting: number } {
    const pts = this.loadPoints().filter((p) => p.max > 0);
    if (!pts.length) return { mean: null, peak: null, peakWaiting: 0 };
    const shares = pts.map((p) => p.inUse / p.max);
    return {
      mean: shares.reduce((a, b) => a + b, 0) / shares.length,
      peak: Math.max(...shares),
      peakWaiting: Math.max(...pts.map((p) => p.waiting)),
    };
  }
}
