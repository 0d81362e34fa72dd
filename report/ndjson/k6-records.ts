/**
 * The records of k6's JSON output (`k6 run --out json=FILE`), one JSON object
 * per line (k6 docs "JSON" output; k6 output/json/json.go):
 *
 *   {"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<500"],"submetrics":null},"metric":"http_req_duration"}
 *   {"type":"Point","data":{"time":"2026-11-27T21:00:00.123456789Z","value":12.3,"tags":{"scenario":"users_10"}},"metric":"http_req_duration"}
 *
 * A Metric line comes before the first Point of that metric. Newer k6
 * versions add `metadata` (non-indexed tags such as vu/iter) to Points; it is
 * ignored here. Both engines of the suite write this format.
 */

export interface K6MetricRecord {
  type: 'Metric';
  metric: string;
  data: {
    name?: string;
    type: 'counter' | 'gauge' | 'rate' | 'trend';
    contains?: string;
    thresholds?: string[] | null;
    submetrics?: unknown;
  };
}

export interface K6PointRecord {
  type: 'Point';
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string> | null; metadata?: Record<string, string> };
}

export type K6Record = K6MetricRecord | K6PointRecord;

/** A Point reduced to what the readers need: metric, epoch ms, value, tags. */
export interface Point {
  metric: string;
  time: number;
  value: number;
  tags: Record<string, string>;
}

const METRIC_TYPES = new Set(['counter', 'gauge', 'rate', 'trend']);

/**
 * Classifies one parsed line: a Point (time parsed to epoch ms; RFC 3339 with
 * nanoseconds parses with Date.parse, which keeps milliseconds), a Metric
 * declaration, or null for anything else (a line of another format).
 */
export function classify(rec: unknown): { point: Point } | { metric: K6MetricRecord } | null {
  const r = rec as Partial<K6Record> | null;
  if (!r || typeof r !== 'object' || typeof r.metric !== 'string' || !r.data || typeof r.data !== 'object') return null;
  if (r.type === 'Point') {
    const d = r.data as K6PointRecord['data'];
    const time = Date.parse(d.time);
    if (!Number.isFinite(time) || typeof d.value !== 'number') return null;
    return { point: { metric: r.metric, time, value: d.value, tags: d.tags ?? {} } };
  }
  if (r.type === 'Metric' && METRIC_TYPES.has((r.data as K6MetricRecord['data']).type))
    return { metric: r as K6MetricRecord };
  return null;
}

/** Serialises a Point as k6 writes it (used by tests and the merged stream). */
export function pointLine(metric: string, timeMs: number, value: number, tags: Record<string, string>): string {
  return JSON.stringify({ type: 'Point', data: { time: new Date(timeMs).toISOString(), value, tags }, metric });
}

/** Serialises a Metric declaration as k6 writes it. */
export function metricLine(
  name: string,
  type: K6MetricRecord['data']['type'],
  contains = 'default',
  thresholds: string[] = [],
): string {
  return JSON.stringify({ type: 'Metric', data: { name, type, contains, thresholds, submetrics: null }, metric: name });
}
