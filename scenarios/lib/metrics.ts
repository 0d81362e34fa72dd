/**
 * The custom metrics every scenario records, created in init code (k6 requires
 * custom metrics to be declared there). The names are a contract: thresholds,
 * the report and the checkers (acked_writes in the NDJSON stream) read them.
 *
 *   db_query_duration  Trend (ms)  tags query_type (simple|join|aggregation|complex|index_scan), name
 *   db_write_duration  Trend (ms)  write statements incl. BEGIN/COMMIT (`db;desc="write"`), tag name;
 *                                  kept apart so the report's average query time is over the five read shapes
 *   cache_op_duration  Trend (ms)  tags op (get|set|del|exists), result (hit|miss on get), name
 *   cache_hit          Rate        1 per HIT, 0 per MISS or BYPASS on a cacheable read; tags name, cache_expect
 *                                  (hit|miss: the VU's cache model, lib/cache-model.ts), miss_cause on a miss
 *   acked_writes       Counter     1 per acknowledged (2xx) write; tags kind, client_request_id
 *   write_conflicts    Counter     1 per expected 409 on a write (stale version, duplicate vote); tag kind
 */
import { Counter, Rate, Trend } from 'k6/metrics';

/** Database time per statement, from Server-Timing `db` entries. */
export const dbQueryDuration = new Trend('db_query_duration', true);
/** Database time per write statement, from Server-Timing `db` entries with desc `write`. */
export const dbWriteDuration = new Trend('db_write_duration', true);
/** Redis time per command, from Server-Timing `cache` entries. */
export const cacheOpDuration = new Trend('cache_op_duration', true);
/** Cache hit rate of cacheable reads, from X-Cache. */
export const cacheHit = new Rate('cache_hit');
/** Acknowledged writes, one sample per write with its client request id. */
export const ackedWrites = new Counter('acked_writes');
/** Writes the target refused with 409 (optimistic concurrency or duplicate vote). */
export const writeConflicts = new Counter('write_conflicts');

/** The write kinds of schema/description.ts ACK_KINDS (kept in sync by test/scenarios-lib.test.ts). */
export const ACK_KIND_NAMES = [
  'vote',
  'policy_update',
  'decision',
  'compliance_check',
  'synthesis',
  'session',
] as const;
export type AckKind = (typeof ACK_KIND_NAMES)[number];
