/**
 * The `--out json=FILE` output: one JSON object per line (k6 output/json
 * `wrapper.go`, `json_test.go`; docs "JSON" output):
 *
 * ```
 * {"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":["count>0"],"submetrics":null},"metric":"http_reqs"}
 * {"type":"Point","data":{"time":"2021-02-24T13:37:10.123Z","value":1,"tags":{"method":"GET"}},"metric":"http_reqs"}
 * ```
 * A Metric line precedes the first Point of each metric. Thresholds are the
 * expressions, or k6's long form object for those with abortOnFail;
 * submetrics are `[{ name, suffix, tags }]` or null.
 */
import type { Metric, Sample, Tags } from '../metrics/index.ts';
import type { ThresholdDef } from '../thresholds/index.ts';

/** Go's time.Duration.String() for milliseconds: "10s", "1m30s", "1h0m0s", "500ms", "0s". */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1) return ms * 1000 >= 1 ? `${+(ms * 1000).toFixed(3)}µs` : `${Math.round(ms * 1e6)}ns`;
  if (ms < 1000) return `${+ms.toFixed(6)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = +((ms % 60_000) / 1000).toFixed(9);
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/**
 * RFC 3339 in UTC with the fraction's trailing zeros trimmed - Go's
 * time.Time JSON form. Kept to microseconds: sample times come from
 * millisecond clocks with at best microsecond precision.
 */
export function rfc3339(ms: number): string {
  const micros = Math.round(ms * 1000);
  const secs = Math.floor(micros / 1e6);
  const frac = micros - secs * 1e6;
  const base = new Date(secs * 1000).toISOString().slice(0, 19);
  return `${base}${frac === 0 ? '' : '.' + String(frac).padStart(6, '0').replace(/0+$/, '')}Z`;
}

function sortedTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(tags)
      .sort()
      .map((k) => [k, tags[k]]),
  );
}

/** The Metric line for `m`, with its thresholds (sources, or parsed definitions). */
export function ndjsonMetricLine(m: Metric, thresholds: Array<string | ThresholdDef>): string {
  const ts = thresholds.map((t) =>
    typeof t === 'string' || !t.abortOnFail
      ? typeof t === 'string'
        ? t
        : t.expr.source
      : {
          threshold: t.expr.source,
          abortOnFail: true,
          delayAbortEval: t.delayAbortEvalMs ? goDuration(t.delayAbortEvalMs) : null,
        },
  );
  const submetrics = m.submetrics.length
    ? m.submetrics.map((s) => ({ name: s.name, suffix: s.suffix, tags: sortedTags(s.tags) }))
    : null;
  return JSON.stringify({
    type: 'Metric',
    data: { name: m.name, type: m.type, contains: m.contains, thresholds: ts, submetrics },
    metric: m.name,
  });
}

/** The Point line for one sample. */
export function ndjsonPointLine(s: Sample): string {
  return JSON.stringify({
    type: 'Point',
    data: { time: rfc3339(s.time), value: s.value, tags: sortedTags(s.tags) },
    metric: s.metric,
  });
}

/**
 * Point lines as {@link ndjsonPointLine} writes them, for a stream of many
 * samples: a tag set's JSON is built once per tag-set object (the engine
 * shares one object between all samples of the same tags and never mutates
 * it afterwards), the metric's tail once per metric, and the date part of
 * the time once per second.
 */
export class NdjsonPointFormatter {
  private readonly tagJson = new WeakMap<Tags, string>();
  private readonly tails = new Map<string, string>();
  private sec = Number.NaN;
  private secBase = '';

  line(metric: string, value: number, tags: Tags, time: number): string {
    let tj = this.tagJson.get(tags);
    if (tj === undefined) {
      tj = JSON.stringify(sortedTags(tags));
      this.tagJson.set(tags, tj);
    }
    let tail = this.tails.get(metric);
    if (tail === undefined) {
      tail = `},"metric":${JSON.stringify(metric)}}`;
      this.tails.set(metric, tail);
    }
    return `{"type":"Point","data":{"time":"${this.time(time)}","value":${JSON.stringify(value)},"tags":${tj}${tail}`;
  }

  /** {@link rfc3339}, with the part down to the second remembered. */
  private time(ms: number): string {
    const micros = Math.round(ms * 1000);
    const secs = Math.floor(micros / 1e6);
    const frac = micros - secs * 1e6;
    if (secs !== this.sec) {
      this.sec = secs;
      this.secBase = new Date(secs * 1000).toISOString().slice(0, 19);
    }
    return `${this.secBase}${frac === 0 ? '' : '.' + String(frac).padStart(6, '0').replace(/0+$/, '')}Z`;
  }
}
