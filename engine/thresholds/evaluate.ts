/**
 * Evaluating thresholds against the registry's sinks (k6 metrics/thresholds.go
 * `Thresholds.Run`, metrics/engine/engine.go `evaluateThresholds`).
 *
 * k6 evaluates every 2 s during the run, skipping metrics with no samples
 * yet, and once more at the end over every metric, empty or not. The value
 * compared per aggregation: counter count = sum, counter rate = sum per
 * second of elapsed test time; gauge value = last value; rate rate =
 * non-zero share (0 when empty); trend avg/min/max/med/p(N) (0 when empty).
 * A failing threshold with `abortOnFail` aborts the test once its
 * `delayAbortEval` has passed (k6 `runAll`: no delay = at once).
 */
import { TrendSink, type Registry, type Sink } from '../metrics/index.ts';
import { compare } from './expression.ts';
import type { ThresholdDef } from './parse.ts';

/** The outcome of one threshold. */
export interface ThresholdResult {
  def: ThresholdDef;
  ok: boolean;
  /** The value compared; null when the threshold was skipped (empty sink during the run). */
  observed: number | null;
}

/** Options of {@link evaluateThresholds}. */
export interface EvaluateOptions {
  /**
   * true for the periodic checks during the run: metrics without samples are
   * skipped (ok, observed null). Default false: the end-of-test evaluation,
   * where an empty metric is compared with its zero values, as k6 does.
   */
  duringRun?: boolean;
}

/** The value of one aggregation of a sink (see the file comment). */
export function aggregate(sink: Sink, def: ThresholdDef, elapsedMs: number): number {
  const { aggregation, percentile } = def.expr;
  if (sink instanceof TrendSink) {
    if (percentile !== undefined) return sink.percentile(percentile);
    if (aggregation === 'med') return sink.percentile(0.5);
    if (aggregation === 'avg') return sink.avg;
    if (aggregation === 'min') return sink.count ? sink.min : 0;
    if (aggregation === 'max') return sink.count ? sink.max : 0;
  }
  const v = sink.values({ durationMs: elapsedMs });
  const key = sink.type === 'gauge' ? 'value' : aggregation;
  if (!(key in v))
    throw new Error(`no ${aggregation} aggregation on a ${sink.type} metric (parseThresholds should have refused it)`);
  return v[key];
}

/**
 * Evaluate every threshold. `abort` is the first failing threshold with
 * abortOnFail whose delayAbortEval has passed, or null.
 */
export function evaluateThresholds(
  defs: ThresholdDef[],
  registry: Registry,
  elapsedMs: number,
  opts: EvaluateOptions = {},
): { results: ThresholdResult[]; abort: ThresholdDef | null } {
  const results: ThresholdResult[] = [];
  let abort: ThresholdDef | null = null;
  for (const def of defs) {
    const target = registry.lookup(def.metric);
    if (!target)
      throw new Error(`threshold on '${def.metric}' has no metric in this registry; parse thresholds with it first`);
    if (opts.duringRun && target.sink.count === 0) {
      results.push({ def, ok: true, observed: null });
      continue;
    }
    const observed = aggregate(target.sink, def, elapsedMs);
    const ok = compare(observed, def.expr.op, def.expr.value);
    results.push({ def, ok, observed });
    if (!ok && !abort && def.abortOnFail && (def.delayAbortEvalMs === 0 || def.delayAbortEvalMs < elapsedMs)) {
      abort = def;
    }
  }
  return { results, abort };
}
