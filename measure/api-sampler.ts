/**
 * Scrapes the target's /metrics once a second while the scenarios run, so
 * figures that only make sense over time (pool utilisation, waiting clients)
 * come from many samples, and the HTML report can draw them. Keeps the first
 * and last scrape for deltas.
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
      this.points.push({
        t: Date.now(),
        inUse: sumOf(samples, 'acgs_pool_connections', { state: 'in_use' }),
        idle: sumOf(samples, 'acgs_pool_connections', { state: 'idle' }),
        waiting: sumOf(samples, 'acgs_pool_waiting'),
        max: sumOf(samples, 'acgs_pool_max'),
        cacheHits: sumOf(samples, 'acgs_cache_lookups_total', { result: 'hit' }),
        cacheMisses: sumOf(samples, 'acgs_cache_lookups_total', { result: 'miss' }),
      });
      return samples;
    } catch {
      this.errors++;
      return null;
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.scrape(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.scrape();
  }

  /** Mean and peak of connections in use over the samples, as a share of the pool's maximum. */
  utilisation(): { mean: number | null; peak: number | null; peakWaiting: number } {
    const pts = this.points.filter((p) => p.max > 0);
    if (!pts.length) return { mean: null, peak: null, peakWaiting: 0 };
    const shares = pts.map((p) => p.inUse / p.max);
    return {
      mean: shares.reduce((a, b) => a + b, 0) / shares.length,
      peak: Math.max(...shares),
      peakWaiting: Math.max(...pts.map((p) => p.waiting)),
    };
  }
}
