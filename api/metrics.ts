/**
 * The target's Prometheus metrics, one prom-client Registry per running
 * instance (two targets in one process, as in tests, never share counters).
 *
 * Names are part of the contract: the run pipeline reads them from /metrics
 * (see docs/api.md, "Metrics"). Buckets start at 100 µs because a cached read
 * or a Redis GET on loopback takes well under a millisecond; the default
 * prom-client buckets (5 ms and up) would put all of them in the first bucket.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Histogram buckets in seconds, 100 µs .. 30 s. */
export const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Query types as tagged on every statement (the five shapes plus writes). */
export type DbQueryType = 'simple' | 'join' | 'aggregation' | 'complex' | 'index_scan' | 'write';
/** Redis operations as timed (docs/api.md: get, set, del, exists). */
export type CacheOp = 'get' | 'set' | 'del' | 'exists';

/** Every metric of one target instance. */
export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  dbDuration: Histogram<'query_type'>;
  cacheOpDuration: Histogram<'op'>;
  cacheLookups: Counter<'result' | 'data_type'>;
  poolAcquireWait: Histogram<string>;
  poolAcquires: Counter<string>;
  poolAcquireTimeouts: Counter<string>;
  poolAcquireOutcomes: Counter<'outcome'>;
  poolConnections: Gauge<'state'>;
  poolWaiting: Gauge<string>;
  poolMax: Gauge<string>;
  poolSize: Gauge<string>;
  poolCreated: Counter<string>;
  poolClosed: Counter<string>;
  adaptiveTtl: Gauge<'data_type'>;
  defectsInjected: Counter<'defect'>;
  invalidationsPending: Gauge<string>;
}

/**
 * How one acquisition ended (acgs_pool_acquire_outcomes_total): served without
 * queueing (an idle connection was free, or a new one could be opened under
 * the pool maximum), served after queueing behind other requests, or failed
 * (the acquire timeout, or any other error such as PostgreSQL unreachable).
 */
export type PoolAcquireOutcome = 'unqueued' | 'queued' | 'timeout' | 'error';
export const POOL_ACQUIRE_OUTCOMES: readonly PoolAcquireOutcome[] = ['unqueued', 'queued', 'timeout', 'error'];

/** Live pool figures, read at scrape time. */
export interface PoolSnapshot {
  total: number;
  idle: number;
  waiting: number;
}

/** Creates the registry and all metrics; `pool` is read on every scrape. */
export function createMetrics(pool: () => PoolSnapshot, pendingInvalidations: () => number): ApiMetrics {
  const registry = new Registry();
  const registers = [registry];
  const buckets = LATENCY_BUCKETS;
  return {
    registry,
    httpDuration: new Histogram({
      name: 'acgs_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets,
      registers,
    }),
    dbDuration: new Histogram({
      name: 'acgs_db_query_duration_seconds',
      help: 'PostgreSQL statement duration by query type (excludes pool acquire wait)',
      labelNames: ['query_type'],
      buckets,
      registers,
    }),
    cacheOpDuration: new Histogram({
      name: 'acgs_cache_op_duration_seconds',
      help: 'Redis command duration by operation',
      labelNames: ['op'],
      buckets,
      registers,
    }),
    cacheLookups: new Counter({
      name: 'acgs_cache_lookups_total',
      help: 'Cache-aside lookups by result (hit, miss, bypass) and data type',
      labelNames: ['result', 'data_type'],
      registers,
    }),
    poolAcquireWait: new Histogram({
      name: 'acgs_pool_acquire_wait_seconds',
      help: 'Time a request waited for a pooled PostgreSQL connection (incl. connecting a new one)',
      buckets,
      registers,
    }),
    poolAcquires: new Counter({ name: 'acgs_pool_acquires_total', help: 'Successful pool acquires', registers }),
    poolAcquireTimeouts: new Counter({
      name: 'acgs_pool_acquire_timeouts_total',
      help: 'Acquires that failed after pool.acquireTimeoutMs (answered 503)',
      registers,
    }),
    poolAcquireOutcomes: (() => {
      const c = new Counter({
        name: 'acgs_pool_acquire_outcomes_total',
        help: 'Pool acquisitions by outcome: unqueued (an idle connection was free or one could be opened under the maximum), queued (waited behind other requests), timeout, error',
        labelNames: ['outcome'],
        registers,
      });
      // Every outcome is exported from the start, so a run's delta never misses a series.
      for (const outcome of POOL_ACQUIRE_OUTCOMES) c.inc({ outcome }, 0);
      return c;
    })(),
    poolConnections: new Gauge({
      name: 'acgs_pool_connections',
      help: 'Open pool connections by state',
      labelNames: ['state'],
      registers,
      collect() {
        const p = pool();
        this.set({ state: 'in_use' }, p.total - p.idle);
        this.set({ state: 'idle' }, p.idle);
      },
    }),
    poolWaiting: new Gauge({
      name: 'acgs_pool_waiting',
      help: 'Requests waiting for a pool connection',
      registers,
      collect() {
        this.set(pool().waiting);
      },
    }),
    poolMax: new Gauge({ name: 'acgs_pool_max', help: 'Pool maximum (size + overflow)', registers }),
    poolSize: new Gauge({ name: 'acgs_pool_size', help: 'Connections the pool keeps open (pool.size)', registers }),
    poolCreated: new Counter({ name: 'acgs_pool_connections_created_total', help: 'Connections opened', registers }),
    poolClosed: new Counter({
      name: 'acgs_pool_connections_closed_total',
      help: 'Connections closed (idle, recycled, broken)',
      registers,
    }),
    adaptiveTtl: new Gauge({
      name: 'acgs_cache_adaptive_ttl_seconds',
      help: 'Adaptive TTL given to the most recent entry written, by data type (only with cache.adaptiveTtl.enabled)',
      labelNames: ['data_type'],
      registers,
    }),
    defectsInjected: new Counter({
      name: 'acgs_defect_injected_total',
      help: 'Defects injected by the defect switches (api.defects), by defect',
      labelNames: ['defect'],
      registers,
    }),
    invalidationsPending: new Gauge({
      name: 'acgs_cache_invalidations_pending',
      help: 'Invalidations queued while Redis was unreachable, not yet replayed',
      registers,
      collect() {
        this.set(pendingInvalidations());
      },
    }),
  };
}
