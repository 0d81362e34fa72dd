/**
 * Adaptive TTL (config `cache.adaptiveTtl`, off by default): a key read often
 * lives longer, a cold key shorter, always within
 * [minFactor, maxFactor] x its policy TTL.
 *
 * Frequency is the number of reads of the key in the current and the previous
 * window of {@link WINDOW_MS} (a two-bucket sliding count, as rate limiters
 * do). A key with no reads gets minFactor; {@link HOT_READS} reads or more get
 * maxFactor; in between the factor grows with log2 of the read count, so the
 * first few reads matter most.
 */

export const WINDOW_MS = 60_000;
export const HOT_READS = 32;
/** Keys tracked at most; the oldest are forgotten beyond it (they count as cold). */
export const MAX_TRACKED = 100_000;

/** Pure: the TTL for a policy TTL and a recent read count. */
export function adaptiveTtlSeconds(policySeconds: number, reads: number, minFactor: number, maxFactor: number): number {
  const heat = Math.min(1, Math.log2(1 + Math.max(0, reads)) / Math.log2(1 + HOT_READS));
  const factor = minFactor + (maxFactor - minFactor) * heat;
  return Math.max(1, Math.round(policySeconds * factor));
}

interface Count {
  window: number;
  current: number;
  previous: number;
}

/** Counts reads per key over a sliding window. */
export class ReadFrequency {
  private readonly counts = new Map<string, Count>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records one read of `key`. */
  record(key: string): void {
    const window = Math.floor(this.now() / WINDOW_MS);
    const c = this.counts.get(key);
    if (!c) {
      if (this.counts.size >= MAX_TRACKED) {
        const oldest = this.counts.keys().next().value;
        if (oldest !== undefined) this.counts.delete(oldest);
      }
      this.counts.set(key, { window, current: 1, previous: 0 });
      return;
    }
    this.roll(c, window);
    c.current++;
  }

  /** Reads of `key` in the current and the previous window. */
  reads(key: string): number {
    const c = this.counts.get(key);
    if (!c) return 0;
    this.roll(c, Math.floor(this.now() / WINDOW_MS));
    return c.current + c.previous;
  }

  private roll(c: Count, window: number): void {
    if (window === c.window) return;
    c.previous = window === c.window + 1 ? c.current : 0;
    c.current = 0;
    c.window = window;
  }
}
