/**
 * The one way scenarios talk to the target: `call()` sends a request in k6's
 * async style, tags it with its endpoint name (so URLs with ids do not explode
 * the tag set), checks its status, and records the custom metrics of
 * metrics.ts from its Server-Timing and X-Cache headers. A cacheable read
 * asks the VU's cache model whether a hit is expected before it is sent and
 * tags its cache_hit sample with the answer (lib/cache-model.ts).
 */
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { check } from 'k6';
import {
  ackedWrites,
  writeConflicts,
  cacheHit,
  cacheOpDuration,
  dbQueryDuration,
  dbWriteDuration,
  type AckKind,
} from './metrics.ts';
import { cacheOpOf, isQueryType, parseServerTiming } from './server-timing.ts';
import { seenIn, type KeyRef } from './cache-keys.ts';
import type { CacheOutcome, Expectation } from './cache-model.ts';
import { nextClientRequestId, type VuContext } from './vu.ts';

/** A k6 response. */
export type Res = RefinedResponse<ResponseType | undefined>;

/** One request to the target. */
export interface CallSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the base URL, e.g. `/api/v1/principles/7`. */
  path: string;
  /** Endpoint name for the `name` tag, e.g. `GET /principles/:id`. */
  name: string;
  query?: Record<string, string | number | undefined>;
  body?: Record<string, unknown>;
  /** A cache-aside read of this key: its X-Cache counts toward cache_hit, tagged by the cache model. */
  cacheKey?: KeyRef;
  /** A write of this kind: carries run and client request ids, counted in acked_writes on 2xx. */
  ack?: AckKind;
  /** Statuses besides 2xx that are an expected answer here (e.g. 409 for a stale version). */
  expected?: 403 | 404 | 409;
  /** Extra tags on the request and its custom metrics. */
  tags?: Record<string, string>;
}

/** The answer of `call()`. */
export interface CallResult {
  res: Res;
  ok: boolean;
  /** Parsed JSON body, or undefined. */
  json: Record<string, unknown> | undefined;
  clientRequestId: string | undefined;
  /** When the request was sent (ms since the epoch): a write's cache entry is no older. */
  startedMs: number;
}

// Response callbacks are made once in init code and reused (k6 docs, http.expectedStatuses).
const EXPECT_OK = http.expectedStatuses({ min: 200, max: 399 });
const EXPECT_OK_OR: Record<number, ReturnType<typeof http.expectedStatuses>> = {
  403: http.expectedStatuses({ min: 200, max: 399 }, 403),
  404: http.expectedStatuses({ min: 200, max: 399 }, 404),
  409: http.expectedStatuses({ min: 200, max: 399 }, 409),
};

function queryString(q: CallSpec['query']): string {
  if (!q) return '';
  const parts = Object.keys(q)
    .filter((k) => q[k] !== undefined)
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(q[k]))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A response header by name, whatever casing the engine stored it in. */
export function header(res: Res, name: string): string | undefined {
  const h = res.headers as Record<string, string>;
  if (h[name] !== undefined) return h[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(h)) if (k.toLowerCase() === lower) return h[k];
  return undefined;
}

function safeJson(res: Res): Record<string, unknown> | undefined {
  const ct = header(res, 'Content-Type') ?? '';
  if (typeof res.body !== 'string' || res.body === '' || !ct.includes('json')) return undefined;
  try {
    const v = JSON.parse(res.body);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Sends one request and records everything about it. */
export async function call(ctx: VuContext, spec: CallSpec): Promise<CallResult> {
  const tags: Record<string, string> = { name: spec.name, ...(spec.tags ?? {}) };
  const headers: Record<string, string> = { Accept: 'application/json' };
  let clientRequestId: string | undefined;
  if (spec.ack) {
    clientRequestId = nextClientRequestId(ctx);
    headers['X-Run-Id'] = ctx.runId;
    headers['X-Client-Request-Id'] = clientRequestId;
  }
  let body: string | null = null;
  if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers['Content-Type'] = 'application/json';
  }
  const url = `${ctx.baseUrl}${spec.path}${queryString(spec.query)}`;
  const startedMs = Date.now();
  const expectation = spec.cacheKey ? ctx.cache.expect(spec.cacheKey, startedMs) : undefined;
  const res = (await http.asyncRequest(spec.method, url, body, {
    headers,
    tags,
    responseCallback: spec.expected ? EXPECT_OK_OR[spec.expected] : EXPECT_OK,
  })) as Res;

  const success = res.status >= 200 && res.status < 300;
  const ok = success || (spec.expected !== undefined && res.status === spec.expected);
  check(res, { [`${spec.name} answered ${spec.expected ? `2xx or ${spec.expected}` : '2xx'}`]: () => ok });
  recordTimings(res, tags);
  const json = success ? safeJson(res) : undefined;
  if (spec.cacheKey && expectation && success)
    recordCacheOutcome(ctx, res, tags, { key: spec.cacheKey, startedMs, expectation, json });
  if (spec.ack && success) ackedWrites.add(1, { kind: spec.ack, client_request_id: clientRequestId as string });
  if (spec.ack && res.status === 409) writeConflicts.add(1, { kind: spec.ack });
  return { res, ok, json, clientRequestId, startedMs };
}

/** db and cache entries of Server-Timing -> db_query_duration, db_write_duration and cache_op_duration. */
function recordTimings(res: Res, tags: Record<string, string>): void {
  for (const e of parseServerTiming(header(res, 'Server-Timing'))) {
    if (e.dur === undefined) continue;
    if (e.name === 'db' && isQueryType(e.desc)) {
      dbQueryDuration.add(e.dur, { ...tags, query_type: e.desc });
    } else if (e.name === 'db' && e.desc === 'write') {
      dbWriteDuration.add(e.dur, tags);
    } else if (e.name === 'cache') {
      const op = cacheOpOf(e.desc);
      if (op)
        cacheOpDuration.add(e.dur, op.result ? { ...tags, op: op.op, result: op.result } : { ...tags, op: op.op });
    }
  }
}

/**
 * X-Cache of a successful cacheable read -> cache_hit, tagged `cache_expect`
 * (and `miss_cause` on a miss) by the VU's cache model. HIT counts 1; MISS
 * and BYPASS count 0: on a cacheable read BYPASS means the cache was not used
 * (Redis down), which is a miss from the reader's point of view. Non-cacheable
 * endpoints (writes, statistics, audit search) are not counted at all, so the
 * rate is the hit rate of cacheable reads, as the report defines it.
 */
function recordCacheOutcome(
  ctx: VuContext,
  res: Res,
  tags: Record<string, string>,
  read: { key: KeyRef; startedMs: number; expectation: Expectation; json: Record<string, unknown> | undefined },
): void {
  const x = (header(res, 'X-Cache') ?? '').toUpperCase();
  const outcome: CacheOutcome = x === 'HIT' ? 'hit' : x === 'MISS' ? 'miss' : 'bypass';
  const seen = seenIn(read.key.pattern, read.json);
  const t = ctx.cache.observe(read.key, read.startedMs, read.expectation, outcome, seen);
  const sampleTags: Record<string, string> = { ...tags, cache_expect: t.cache_expect };
  if (t.miss_cause) sampleTags.miss_cause = t.miss_cause;
  cacheHit.add(outcome === 'hit' ? 1 : 0, sampleTags);
}
