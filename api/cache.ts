/**
 * The target's Redis client: timed commands, an up/down state, and the queue
 * of invalidations that could not be delivered.
 *
 * Degradation (docs/api.md, "Redis outage"): the first failed command (refused
 * connection, or a command past its timeout because the server hangs) marks the
 * cache down. While down, reads skip Redis (X-Cache: BYPASS) and every
 * invalidation is queued by key. A probe pings Redis every PROBE_MS; when it
 * answers, the queued keys are deleted (and, if the queue overflowed, every key
 * under the prefix is swept with SCAN + DEL) before the cache is marked up
 * again. So no entry written before or during the outage is served once Redis
 * is back, whether it restarted empty or kept its data.
 */
import { Redis } from 'ioredis';
import type { CacheOp, ApiMetrics } from './metrics.ts';
import { msSince, type RequestTiming } from './timing.ts';

/**
 * KEYS[1] key; ARGV value, version, ttl seconds (0 = none). Keeps a cached entry
 * whose "v" is at least the new version; otherwise writes the new value.
 */
const SET_IF_NEWER_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, obj = pcall(cjson.decode, cur)
  if ok and type(obj) == 'table' and tonumber(obj['v']) and tonumber(obj['v']) >= tonumber(ARGV[2]) then return 0 end
end
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3]) else redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

const PROBE_MS = 250;
const COMMAND_TIMEOUT_MS = 500;
/** Beyond this many queued keys, recovery sweeps the whole prefix instead. */
const MAX_PENDING = 100_000;
const DEL_BATCH = 500;

const GET_LABELS = Object.freeze({ op: 'get' as const });

/** Redis status as /healthz reports it. */
export type CacheState = 'up' | 'down' | 'replaying';

export class Cache {
  readonly redis: Redis;
  private state: 'up' | 'down' = 'down';
  private replaying = false;
  private readonly pending = new Set<string>();
  private sweepNeeded = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private metrics: ApiMetrics | undefined;

  constructor(
    redisUrl: string,
    readonly prefix: string,
  ) {
    this.redis = new Redis(redisUrl, {
      lazyConnect: true,
      // Fail fast instead of queueing commands while disconnected: a request
      // must never hang on Redis.
      enableOfflineQueue: false,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      // Commands issued in one turn of the event loop go out in one write (ioredis queues
      // them and flushes on setImmediate): at 100 connections one write per GET was the
      // largest cost of a cached read. Every command we send is auto-pipelined, in the
      // order issued, so Redis still sees SET and DEL in the order cache-aside.ts queues them.
      enableAutoPipelining: true,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    this.redis.on('error', () => {}); // state changes come from 'close' and failed commands
    this.redis.on('close', () => this.markDown());
    this.redis.on('ready', () => this.scheduleProbe(0));
  }

  instrument(metrics: ApiMetrics): void {
    this.metrics = metrics;
  }

  /** Connects; resolves when Redis is up or, if it is not, leaves the cache down and probing. */
  async start(): Promise<void> {
    try {
      await this.redis.connect();
      await this.recover();
    } catch {
      this.markDown();
    }
  }

  /** True when reads may use Redis. */
  get available(): boolean {
    return this.state === 'up' && !this.closed;
  }

  status(): { status: CacheState; pendingInvalidations: number; sweepNeeded: boolean } {
    const status: CacheState = this.state === 'up' ? 'up' : this.replaying ? 'replaying' : 'down';
    return { status, pendingInvalidations: this.pending.size, sweepNeeded: this.sweepNeeded };
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** GET; undefined when the cache is down or the command failed. */
  async get(key: string, timing?: RequestTiming): Promise<string | null | undefined> {
    if (!this.available) return undefined;
    // `timed` written out: the read path of every cached request, without two closures per call.
    const start = process.hrtime.bigint();
    try {
      const v = await this.redis.get(key);
      const ms = msSince(start);
      this.metrics?.cacheOpDuration.observe(GET_LABELS, ms / 1000);
      timing?.add('cache', ms, v === null ? 'get-miss' : 'get-hit');
      return v;
    } catch {
      timing?.add('cache', msSince(start), 'get-error');
      this.markDown();
      return undefined;
    }
  }

  /** SET with EX `ttlSeconds` (or without TTL when undefined); false when not written. */
  async set(key: string, value: string, ttlSeconds: number | undefined, timing?: RequestTiming): Promise<boolean> {
    if (!this.available) return false;
    const r = await this.timed('set', timing, () =>
      ttlSeconds === undefined ? this.redis.set(key, value) : this.redis.set(key, value, 'EX', ttlSeconds),
    );
    return r !== undefined;
  }

  /**
   * Rewrite by version: SET the value only if the cached entry is older than
   * `version` (or absent), atomically in one Lua script, so two writers that
   * commit in one order but reach Redis in the other never leave the older
   * value. When Redis cannot take it, the key is queued for deletion instead
   * (an invalidation), exactly as a failed DEL would be.
   */
  async setIfNewer(
    key: string,
    value: string,
    version: number,
    ttlSeconds: number | undefined,
    timing?: RequestTiming,
  ): Promise<void> {
    if (!this.available) return this.enqueue([key]);
    const r = await this.timed(
      'set',
      timing,
      () =>
        this.redis.eval(
          SET_IF_NEWER_LUA,
          1,
          key,
          value,
          String(version),
          ttlSeconds === undefined ? '0' : String(ttlSeconds),
        ) as Promise<number>,
    );
    if (r === undefined) this.enqueue([key]);
  }

  /** EXISTS; undefined when the cache is down or the command failed. */
  async exists(key: string, timing?: RequestTiming): Promise<boolean | undefined> {
    if (!this.available) return undefined;
    const n = await this.timed('exists', timing, () => this.redis.exists(key));
    return n === undefined ? undefined : n > 0;
  }

  /** Deletes keys now, or queues them for replay when Redis cannot take them. */
  async invalidate(keys: string[], timing?: RequestTiming): Promise<void> {
    if (keys.length === 0) return;
    if (!this.available) return this.enqueue(keys);
    const r = await this.timed('del', timing, () => this.redis.del(...keys));
    if (r === undefined) this.enqueue(keys);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    try {
      if (this.redis.status === 'ready') await this.redis.quit();
    } catch {
      /* already gone */
    }
    this.redis.disconnect();
  }

  private enqueue(keys: string[]): void {
    for (const k of keys) {
      if (this.pending.size >= MAX_PENDING) {
        this.sweepNeeded = true;
        this.pending.clear();
        break;
      }
      this.pending.add(k);
    }
    this.markDown();
  }

  /** Runs one command, timing it; on failure marks the cache down and returns undefined. */
  private async timed<T>(
    op: CacheOp,
    timing: RequestTiming | undefined,
    run: () => Promise<T>,
    desc?: (v: T) => string,
  ): Promise<T | undefined> {
    const start = process.hrtime.bigint();
    try {
      const v = await run();
      const ms = msSince(start);
      this.metrics?.cacheOpDuration.observe({ op }, ms / 1000);
      timing?.add('cache', ms, desc ? desc(v) : op);
      return v;
    } catch {
      timing?.add('cache', msSince(start), `${op}-error`);
      this.markDown();
      return undefined;
    }
  }

  private markDown(): void {
    if (this.closed) return;
    this.state = 'down';
    this.scheduleProbe(PROBE_MS);
  }

  private scheduleProbe(delay: number): void {
    if (this.closed || this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      this.recover().catch(() => this.markDown());
    }, delay);
    this.probeTimer.unref();
  }

  /** Ping, replay queued invalidations (or sweep), then mark up. Throws if Redis fails meanwhile. */
  private async recover(): Promise<void> {
    if (this.closed || this.state === 'up' || this.replaying) return;
    if (this.redis.status !== 'ready') return this.scheduleProbe(PROBE_MS);
    this.replaying = true;
    try {
      await this.redis.ping();
      if (this.sweepNeeded) {
        await this.sweepPrefix();
        this.sweepNeeded = false;
      }
      // New invalidations may arrive while replaying; loop until none is left.
      while (this.pending.size > 0) {
        const batch = [...this.pending].slice(0, DEL_BATCH);
        const start = process.hrtime.bigint();
        await this.redis.del(...batch);
        this.metrics?.cacheOpDuration.observe({ op: 'del' }, msSince(start) / 1000);
        for (const k of batch) this.pending.delete(k);
      }
      if (!this.sweepNeeded) this.state = 'up';
    } finally {
      this.replaying = false;
    }
    if (this.state !== 'up') this.scheduleProbe(PROBE_MS);
  }

  /** Deletes every key under the prefix (SCAN + DEL, never KEYS or FLUSHDB). */
  private async sweepPrefix(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
  }
}
