/**
 * Cache-aside reads and invalidation in the format of docs/cache-keys.md.
 *
 * Read: GET the key; on a hit return the cached payload; on a miss load from
 * PostgreSQL and SET with the data type's TTL. Concurrent misses on one key
 * share one load (single flight).
 *
 * Why a stale fill cannot land: a reader may load a row, a writer may then
 * commit and delete the key, and the reader's SET of the old row would arrive
 * after the DEL. Every invalidation therefore records a sequence number per
 * key while fills are in flight, and a fill whose key was invalidated after it
 * started does not write. Both the check-then-SET and the record-then-DEL run
 * synchronously up to the command being queued on the one Redis connection,
 * so Redis sees either SET then DEL, or no SET. An invalidation also detaches
 * the key's in-flight load, so a reader that arrives after a write never joins
 * a load that began before it.
 */
import type { CacheDataType, Config } from '../config/index.ts';
import { cacheKey } from '../schema/index.ts';
import { adaptiveTtlSeconds, ReadFrequency } from './adaptive-ttl.ts';
import type { Cache } from './cache.ts';
import type { Defects } from './defects.ts';
import type { ApiMetrics } from './metrics.ts';
import type { RequestTiming } from './timing.ts';

/** A value as loaded from PostgreSQL: its root row's version and the payload. */
export interface Versioned<T> {
  v: number;
  payload: T;
}

/** What to read: the key, its TTL policy, its value kind, and how to load it. */
export interface ReadSpec<T> {
  key: string;
  dataType: CacheDataType;
  /** `entity` values hold `row`, `derived` values hold `data` (docs/cache-keys.md). */
  kind: 'entity' | 'derived';
  load: () => Promise<Versioned<T> | null>;
}

export class CacheAside {
  private readonly inflight = new Map<string, Promise<Versioned<unknown> | null>>();
  private readonly invalidatedAt = new Map<string, number>();
  private seq = 0;
  private fills = 0;
  private readonly freq: ReadFrequency | undefined;

  constructor(
    readonly cache: Cache,
    private readonly config: Readonly<Config>,
    private readonly defects: Defects,
    private readonly metrics: ApiMetrics,
  ) {
    this.freq = config.cache.adaptiveTtl.enabled ? new ReadFrequency() : undefined;
  }

  /** The full key of a family pattern: `key('policy:{id}', 7)` -> `acgs:policy:7`. */
  key(pattern: string, id: string | number): string {
    return cacheKey(this.config.redis.prefix, pattern, id);
  }

  /** Cache-aside read; null when the row does not exist (never cached). */
  async read<T>(timing: RequestTiming, spec: ReadSpec<T>): Promise<T | null> {
    const raw = await this.cache.get(spec.key, timing);
    if (raw === undefined) {
      this.metrics.cacheLookups.inc(lookupLabels(spec.dataType, 'bypass'));
      timing.setCache('BYPASS');
      return (await spec.load())?.payload ?? null;
    }
    this.freq?.record(spec.key);
    if (raw !== null) {
      const cached = decode<T>(raw, spec.kind);
      if (cached !== undefined) {
        this.metrics.cacheLookups.inc(lookupLabels(spec.dataType, 'hit'));
        timing.setCache('HIT');
        return cached;
      }
    }
    this.metrics.cacheLookups.inc(lookupLabels(spec.dataType, 'miss'));
    timing.setCache('MISS');
    const loaded = await this.fill(spec, timing);
    return (loaded?.payload as T | undefined) ?? null;
  }

  /** Writes a value just created (write-through on insert), unless the skipFill defect fires. */
  async put(
    timing: RequestTiming,
    key: string,
    dataType: CacheDataType,
    kind: ReadSpec<unknown>['kind'],
    value: Versioned<unknown>,
  ): Promise<void> {
    if (this.defects.fires('skipFill')) return;
    const [body, ttl] = this.encodeForWrite(key, dataType, kind, value);
    await this.cache.set(key, body, ttl, timing);
  }

  /** Invalidates keys after a commit (unless the skipInvalidation defect fires). */
  async invalidate(timing: RequestTiming, keys: string[]): Promise<void> {
    if (keys.length === 0 || this.defects.fires('skipInvalidation')) return;
    this.seq++;
    for (const k of keys) {
      if (this.fills > 0) this.invalidatedAt.set(k, this.seq);
      this.inflight.delete(k);
    }
    if (this.fills === 0) this.invalidatedAt.clear();
    await this.cache.invalidate(keys, timing);
  }

  /**
   * Rewrites a derived entry after a commit with the value computed inside that
   * transaction (rewrite by version: docs/cache-keys.md "Invalidation"), instead of
   * deleting it, so a hot entry stays cached under writes. Older in-flight fills
   * are blocked as an invalidation blocks them; the skipInvalidation defect skips it.
   */
  async rewrite(
    timing: RequestTiming,
    key: string,
    dataType: CacheDataType,
    kind: ReadSpec<unknown>['kind'],
    value: Versioned<unknown>,
  ): Promise<void> {
    if (this.defects.fires('skipInvalidation')) return;
    this.seq++;
    if (this.fills > 0) this.invalidatedAt.set(key, this.seq);
    else this.invalidatedAt.clear();
    this.inflight.delete(key);
    const [body, ttl] = this.encodeForWrite(key, dataType, kind, value);
    await this.cache.setIfNewer(key, body, value.v, ttl, timing);
  }

  /** EXISTS on a key; undefined when Redis cannot answer. */
  exists(timing: RequestTiming, key: string): Promise<boolean | undefined> {
    return this.cache.exists(key, timing);
  }

  private fill<T>(spec: ReadSpec<T>, timing: RequestTiming): Promise<Versioned<unknown> | null> {
    const running = this.inflight.get(spec.key);
    if (running) return running;
    const startSeq = this.seq;
    this.fills++;
    // Declared first: the closure's finally reads p, which is assigned before any await resumes.
    let p: Promise<Versioned<unknown> | null> | undefined = undefined;
    p = (async () => {
      try {
        const loaded = await spec.load();
        if (loaded && (this.invalidatedAt.get(spec.key) ?? -1) <= startSeq && !this.defects.fires('skipFill')) {
          const [body, ttl] = this.encodeForWrite(spec.key, spec.dataType, spec.kind, loaded);
          // Synchronously after the check: see the file comment.
          await this.cache.set(spec.key, body, ttl, timing);
        }
        return loaded;
      } finally {
        this.fills--;
        if (this.inflight.get(spec.key) === p) this.inflight.delete(spec.key);
      }
    })();
    this.inflight.set(spec.key, p);
    return p;
  }

  /** The JSON value and TTL of a cache write, with the wrongVersion / noTtl defect applied. */
  private encodeForWrite(
    key: string,
    dataType: CacheDataType,
    kind: ReadSpec<unknown>['kind'],
    value: Versioned<unknown>,
  ): [string, number | undefined] {
    const v = this.defects.fires('wrongVersion') ? value.v + 1 : value.v;
    const field = kind === 'entity' ? 'row' : 'data';
    const body = JSON.stringify({ v, [field]: value.payload, cachedAt: new Date().toISOString() });
    if (this.defects.fires('noTtl')) return [body, undefined];
    return [body, this.ttlFor(key, dataType)];
  }

  /** The policy TTL, or with adaptive TTL on, scaled by the key's read frequency. */
  ttlFor(key: string, dataType: CacheDataType): number {
    const base = this.config.cache.ttlSeconds[dataType];
    if (!this.freq) return base;
    const { minFactor, maxFactor } = this.config.cache.adaptiveTtl;
    const ttl = adaptiveTtlSeconds(base, this.freq.reads(key), minFactor, maxFactor);
    this.metrics.adaptiveTtl.set({ data_type: dataType }, ttl);
    return ttl;
  }
}

type LookupResult = 'hit' | 'miss' | 'bypass';
const LOOKUP_LABELS = new Map<string, Readonly<{ data_type: CacheDataType; result: LookupResult }>>();

/** The label set of acgs_cache_lookups_total, built once per data type and result (never mutated). */
function lookupLabels(
  dataType: CacheDataType,
  result: LookupResult,
): { data_type: CacheDataType; result: LookupResult } {
  const k = dataType + '\0' + result;
  let labels = LOOKUP_LABELS.get(k);
  if (!labels) LOOKUP_LABELS.set(k, (labels = Object.freeze({ data_type: dataType, result })));
  return labels;
}

/** The payload of a cached value, or undefined when it does not parse (treated as a miss). */
function decode<T>(raw: string, kind: ReadSpec<T>['kind']): T | undefined {
  try {
    const parsed = JSON.parse(raw) as { row?: T; data?: T };
    const payload = kind === 'entity' ? parsed.row : parsed.data;
    return payload === undefined || payload === null ? undefined : payload;
  } catch {
    return undefined;
  }
}
