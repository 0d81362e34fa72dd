/**
 * Public API of measure/: server-side collectors. Snapshots of PostgreSQL's
 * cumulative statistics (pg_stat_*, pg_stat_statements) and of Redis INFO,
 * with the delta between two snapshots; the API's /metrics (Prometheus text)
 * parsed and sampled once a second during the load.
 */
export {
  enableStatements,
  takePgSnapshot,
  pgDelta,
  type PgSnapshot,
  type PgDelta,
  type StatementStat,
} from './pg-stats.ts';
export {
  takeRedisSnapshot,
  redisDelta,
  parseInfo,
  snapshotFromInfo,
  REDIS_COMMANDS,
  type RedisSnapshot,
  type RedisDelta,
} from './redis-stats.ts';
export {
  parsePrometheus,
  sumOf,
  has,
  histogramDelta,
  histogramQuantile,
  fractionAtOrBelow,
  type PromSample,
  type HistogramDelta,
} from './prometheus.ts';
export { ApiSampler, type PoolSample, type PoolPoint } from './api-sampler.ts';
