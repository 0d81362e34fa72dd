/**
 * The samples one HTTP request emits (k6 docs "Built-in metrics" > HTTP;
 * k6 lib/netext/httpext/request.go `MakeRequest` and trail.go `SaveSamples`):
 *
 *   http_reqs (1), http_req_duration, http_req_blocked, http_req_connecting,
 *   http_req_tls_handshaking, http_req_sending, http_req_waiting,
 *   http_req_receiving, and http_req_failed when a response callback is set,
 *   all with the request's tags; data_sent and data_received with the VU's
 *   tags only.
 *
 * They are recorded in two batches (Registry.addBatch) against metrics
 * resolved once, with a tag set built once per distinct request shape and
 * shared by every sample of that shape (nothing downstream mutates tags).
 */
import type { Metric, Tags } from '../metrics/index.ts';
import type { RunState } from '../run-state.ts';
import type { RawResponse } from './client.ts';

const REQUEST_METRICS = [
  'http_reqs',
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'http_req_failed',
] as const;

/** Tag sets one VU keeps before starting over (bounds memory for scripts with endless distinct URLs). */
const TAG_CACHE_MAX = 5000;

/** Builds the tags and records the samples of one VU's requests. */
export class RequestMetrics {
  private readonly reqMetrics: Metric[];
  private readonly dataMetrics: Metric[];
  private readonly values = new Float64Array(REQUEST_METRICS.length);
  private readonly dataBatch: Metric[] = [];
  private readonly dataValues = new Float64Array(2);
  private cache = new Map<string, Tags>();
  private cacheBase: Tags | null = null;

  constructor(
    private readonly run: RunState,
    /** The VU's tags now (global, scenario, vu tags, group). */
    private readonly baseTags: () => Tags,
  ) {
    this.reqMetrics = run.registry.resolve(REQUEST_METRICS);
    this.dataMetrics = run.registry.resolve(['data_sent', 'data_received']);
  }

  /**
   * Records one finished request. `expected` is the response callback's
   * verdict, or null when the callback is off (then no http_req_failed).
   */
  emit(raw: RawResponse, method: string, url: string, name: string, userTags: Tags | null, expected: boolean | null) {
    const base = this.baseTags();
    const tags = this.tags(base, raw, method, url, name, userTags, expected);
    const t = raw.startEpoch;
    const tm = raw.timings;
    const v = this.values;
    v[0] = 1;
    v[1] = tm.duration;
    v[2] = tm.blocked;
    v[3] = tm.connecting;
    v[4] = tm.tls_handshaking;
    v[5] = tm.sending;
    v[6] = tm.waiting;
    v[7] = tm.receiving;
    v[8] = expected ? 0 : 1;
    this.run.emitBatch(this.reqMetrics, v, expected === null ? 8 : 9, tags, t);
    let n = 0;
    if (raw.bytesSent) {
      this.dataBatch[n] = this.dataMetrics[0];
      this.dataValues[n++] = raw.bytesSent;
    }
    if (raw.bytesReceived) {
      this.dataBatch[n] = this.dataMetrics[1];
      this.dataValues[n++] = raw.bytesReceived;
    }
    if (n) this.run.emitBatch(this.dataBatch, this.dataValues, n, base, t);
  }

  /** The request's tag set (k6's default system tags), from the cache when the same shape was seen. */
  private tags(
    base: Tags,
    raw: RawResponse,
    method: string,
    url: string,
    name: string,
    userTags: Tags | null,
    expected: boolean | null,
  ): Tags {
    if (base !== this.cacheBase) {
      // The VU rebuilds its base tags at every iteration and group change;
      // cached sets stay valid as long as all but the group (which is in the key) are the same.
      if (this.cacheBase === null || this.cache.size > TAG_CACHE_MAX || !sameButGroup(base, this.cacheBase))
        this.cache = new Map();
      this.cacheBase = base;
    }
    const err = raw.error;
    // Requests with tags of their own are not cached (their tags vary freely).
    const key =
      userTags === null
        ? `${base.group}\n${method} ${raw.status} ${expected} ${err ? `${err.code} ${err.message}` : ''}\n${name === url ? '' : `+${name}`}\n${url}`
        : null;
    if (key !== null) {
      const hit = this.cache.get(key);
      if (hit) return hit;
    }
    const tags: Tags = { ...base, proto: raw.status ? 'HTTP/1.1' : '', status: String(raw.status), method, url, name };
    if (userTags) Object.assign(tags, userTags);
    if (userTags?.name === undefined) tags.name = name;
    if (expected !== null) tags.expected_response = String(expected);
    if (err) {
      tags.error = err.message;
      tags.error_code = String(err.code);
    }
    if (key !== null) this.cache.set(key, tags);
    return tags;
  }
}

function sameButGroup(a: Tags, b: Tags): boolean {
  let n = 0;
  for (const k in a) {
    n++;
    if (k !== 'group' && a[k] !== b[k]) return false;
  }
  for (const _k in b) n--;
  return n === 0;
}
