/**
 * Creating sinks by metric type and reading them back from JSON
 * (k6 metrics/sink.go `NewSink`).
 */
import { CounterSink, GaugeSink, RateSink } from './simple-sinks.ts';
import { TrendSink, type TrendSinkJSON } from './trend-sink.ts';
import type { MetricType, Sink } from './types.ts';

/** A new, empty sink for a metric type. */
export function newSink(type: MetricType): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink();
  }
}

/** Rebuild any sink from its `toJSON()` output (e.g. sent by another instance). */
export function sinkFromJSON(json: unknown): Sink {
  const j = json as { type?: unknown };
  switch (j?.type) {
    case 'counter':
      return CounterSink.fromJSON(j as Parameters<typeof CounterSink.fromJSON>[0]);
    case 'gauge':
      return GaugeSink.fromJSON(j as Parameters<typeof GaugeSink.fromJSON>[0]);
    case 'rate':
      return RateSink.fromJSON(j as Parameters<typeof RateSink.fromJSON>[0]);
    case 'trend':
      return TrendSink.fromJSON(j as TrendSinkJSON);
    default:
      throw new Error(`not a serialised sink: type ${JSON.stringify(j?.type)}; expected counter, gauge, rate or trend`);
  }
}
