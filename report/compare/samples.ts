/**
 * The per-request latency samples behind a run's latency figures, read back
 * from the k6 NDJSON streams the run kept (results/<run>/k6/<scenario>.metrics.ndjson,
 * run.json `scenarios[].files.metrics`), so compare can test two runs'
 * distributions instead of two single numbers.
 *
 * Each sample set is bounded: past `maxPerSide` values it is a uniform
 * random subsample (reservoir sampling, Algorithm R) drawn with a seeded
 * Mersenne Twister (@stdlib), so the same files give the same subsample.
 *
 * Which figure reads which set (sampleKeyOf):
 *   query.<type>.{avg,p50,p95,p99}             db_query_duration{query_type}, every scenario
 *   query.all.avg                              db_query_duration, every scenario
 *   query.scenario.<sc>.<type>.{p50,p95,p99}   db_query_duration{query_type} in scenario <sc>'s stream
 *   cache.<op>.{avg,p95}, cache.all.avg        cache_op_duration{op} / all ops
 *   ladder.<N>.{avg,p95,p99}                   http_req_duration{scenario:users_N}
 *   scenario.<sc>.{avg,p95,p99}                http_req_duration in scenario <sc>'s stream
 * Server-side counters (pg_stat_*, Redis INFO, /metrics) have no samples.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mt19937 from '@stdlib/random-base-mt19937';
import { readK6Records } from '../ndjson/index.ts';
import type { RunJson } from '../run-json.ts';

/** The default bound of a sample set, per side. */
export const MAX_SAMPLES = 20_000;
const SEED = 20261127;

export interface SampleSet {
  /** The values kept (all of them, or a seeded subsample of `maxPerSide`). */
  values: Float64Array;
  /** How many the stream had. */
  seen: number;
}

export interface RunSamples {
  sets: Map<string, SampleSet>;
  /** The bound applied to each set. */
  maxPerSide: number;
  /** Stream files read, relative to the results folder. */
  files: string[];
}

/** The sample set a figure is computed from, or null when it has none (counts, rates, server-side figures). */
export function sampleKeyOf(figureId: string): string | null {
  let m = /^query\.scenario\.(.+)\.([a-z_]+)\.(p50|p95|p99)$/.exec(figureId);
  if (m) return `db|file:${m[1]}|${m[2]}`;
  m = /^query\.([a-z_]+)\.(avg|p50|p95|p99)$/.exec(figureId);
  if (m) return m[1] === 'all' ? (m[2] === 'avg' ? 'db|*|*' : null) : `db|*|${m[1]}`;
  m = /^cache\.([a-z_]+)\.(avg|p95)$/.exec(figureId);
  if (m) return m[1] === 'all' ? (m[2] === 'avg' ? 'cache|*' : null) : `cache|${m[1]}`;
  m = /^ladder\.(\d+)\.(avg|p95|p99)$/.exec(figureId);
  if (m) return `http|tag:users_${m[1]}`;
  m = /^scenario\.(.+)\.(avg|p50|p95|p99)$/.exec(figureId);
  if (m) return `http|file:${m[1]}`;
  return null;
}

class Reservoir {
  values: Float64Array;
  seen = 0;
  constructor(private readonly max: number) {
    this.values = new Float64Array(Math.min(max, 1024));
  }
  add(v: number, rand: () => number): void {
    const i = this.seen++;
    if (i < this.max) {
      if (i >= this.values.length) {
        const grown = new Float64Array(Math.min(this.max, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      }
      this.values[i] = v;
      return;
    }
    const j = Math.floor(rand() * (i + 1));
    if (j < this.max) this.values[j] = v;
  }
  done(): SampleSet {
    return { values: this.values.subarray(0, Math.min(this.seen, this.max)), seen: this.seen };
  }
}

const WANTED = ['"db_query_duration"', '"cache_op_duration"', '"http_req_duration"'];

/**
 * Reads the latency samples of a run from its results folder. A scenario
 * whose stream is not there (deleted, or a run without `--out json`) adds
 * nothing; a run with no streams at all gives empty `sets`.
 */
export async function readRunSamples(
  dir: string,
  run: Pick<RunJson, 'scenarios'>,
  opts: { maxPerSide?: number; seed?: number } = {},
): Promise<RunSamples> {
  const max = opts.maxPerSide ?? MAX_SAMPLES;
  const gen = mt19937.factory({ seed: opts.seed ?? SEED });
  // 32-bit integers to [0, 1).
  const rand = () => gen() / 2 ** 32;
  const res = new Map<string, Reservoir>();
  const add = (key: string, v: number) => {
    let r = res.get(key);
    if (!r) res.set(key, (r = new Reservoir(max)));
    r.add(v, rand);
  };
  const files: string[] = [];
  for (const s of run.scenarios ?? []) {
    const rel = s.files?.metrics;
    if (!rel) continue;
    const file = [join(dir, rel), join(dir, `${rel}.gz`)].find((f) => existsSync(f));
    if (!file) continue;
    files.push(rel);
    const keep = (line: string) => WANTED.some((w) => line.includes(w));
    for await (const rec of readK6Records(file, undefined, keep)) {
      if (!('point' in rec)) continue;
      const { metric, value, tags } = rec.point;
      if (!Number.isFinite(value)) continue;
      if (metric === 'db_query_duration') {
        add('db|*|*', value);
        if (tags.query_type) {
          add(`db|*|${tags.query_type}`, value);
          add(`db|file:${s.name}|${tags.query_type}`, value);
        }
      } else if (metric === 'cache_op_duration') {
        add('cache|*', value);
        if (tags.op) add(`cache|${tags.op}`, value);
      } else if (metric === 'http_req_duration') {
        add(`http|file:${s.name}`, value);
        if (tags.scenario) add(`http|tag:${tags.scenario}`, value);
      }
    }
  }
  const sets = new Map<string, SampleSet>();
  for (const [k, r] of res) sets.set(k, r.done());
  return { sets, maxPerSide: max, files };
}
