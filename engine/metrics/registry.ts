/**
 * The metric registry: defines metrics once, routes samples into their sinks
 * and into matching sub-metrics, and tells listeners (the NDJSON output)
 * about every sample. k6 source: metrics/registry.go, metrics/metric.go.
 */
import { newSink } from './sink-factory.ts';
import { parseMetricSelector, tagsEqual, tagsMatch } from './selector.ts';
import type { Metric, MetricType, Sample, Submetric, Tags, ValueType } from './types.ts';

/**
 * k6's metric name rule (metrics/registry.go): a letter or underscore, then
 * letters, digits or underscores, 128 characters at most.
 */
export const METRIC_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

/** Registered metrics and their sub-metrics; one per engine instance. */
export class Registry {
  private readonly byName = new Map<string, Metric>();
  private readonly listeners = new Set<(s: Sample, m: Metric) => void>();

  /**
   * Define a metric, or return the existing one when the definition is the
   * same. A different type (or a different `contains`, when given) throws,
   * with k6's wording ("metric 'x' already exists but with type trend, instead of counter").
   */
  define(name: string, type: MetricType, contains?: ValueType): Metric {
    if (!METRIC_NAME_RE.test(name)) {
      throw new Error(
        `Invalid metric name: '${name}'. Metric names should start with a letter or an underscore ` +
          'and only include up to 128 ASCII letters, numbers, or underscores.',
      );
    }
    const old = this.byName.get(name);
    if (old) {
      if (old.type !== type) {
        throw new Error(`metric '${name}' already exists but with type ${old.type}, instead of ${type}`);
      }
      if (contains !== undefined && contains !== old.contains) {
        throw new Error(
          `metric '${name}' already exists but with a value type ${old.contains}, instead of ${contains}`,
        );
      }
      return old;
    }
    const m: Metric = { name, type, contains: contains ?? 'default', sink: newSink(type), submetrics: [] };
    this.byName.set(name, m);
    return m;
  }

  /** The metric of that exact name (no selector), if defined. */
  get(name: string): Metric | undefined {
    return this.byName.get(name);
  }

  /**
   * Add (or find) the sub-metric for a selector such as
   * `http_req_duration{status:200}`. Two selectors with the same tags share
   * one sub-metric, named after the first (k6 `Metric.AddSubmetric`).
   * Throws when the parent is not defined or the selector is malformed.
   */
  addSubmetric(selector: string): Submetric {
    const { name, suffix, tags } = parseMetricSelector(selector);
    const parent = this.byName.get(name);
    if (!parent) throw new Error(`metric '${name}' does not exist in the script`);
    if (suffix === '') throw new Error(`submetric criteria for metric '${name}' cannot be empty`);
    const existing = parent.submetrics.find((sm) => tagsEqual(sm.tags, tags));
    if (existing) return existing;
    const sm: Submetric = { name: `${name}{${suffix}}`, suffix, parent: name, tags, sink: newSink(parent.type) };
    parent.submetrics.push(sm);
    return sm;
  }

  /** The metric or sub-metric a (possibly `{selector}`) name refers to, if it exists. */
  lookup(nameOrSelector: string): Metric | Submetric | undefined {
    if (!nameOrSelector.includes('{')) return this.byName.get(nameOrSelector);
    const { name, tags } = parseMetricSelector(nameOrSelector);
    return this.byName.get(name)?.submetrics.find((sm) => tagsEqual(sm.tags, tags));
  }

  /**
   * Record a sample: into its metric's sink and into every sub-metric whose
   * tags all match; then notify listeners. An undefined metric throws.
   */
  add(sample: Sample): void {
    const m = this.byName.get(sample.metric);
    if (!m) throw new Error(`sample for undefined metric '${sample.metric}'; define it before adding samples`);
    m.sink.add(sample.value, sample.time);
    for (const sm of m.submetrics) if (tagsMatch(sm.tags, sample.tags)) sm.sink.add(sample.value, sample.time);
    for (const l of this.listeners) l(sample, m);
  }

  /**
   * Record several samples that share their tags and time - one HTTP
   * request's metrics - in one call. The same as {@link add} for each
   * `metrics[i]` with `values[i]`, except that a Sample object is built only
   * when someone listens. Every metric must come from this registry.
   */
  addBatch(metrics: readonly Metric[], values: ArrayLike<number>, n: number, tags: Tags, time: number): void {
    const listening = this.listeners.size > 0;
    for (let i = 0; i < n; i++) {
      const m = metrics[i];
      const v = values[i];
      m.sink.add(v, time);
      const subs = m.submetrics;
      for (let j = 0; j < subs.length; j++) if (tagsMatch(subs[j].tags, tags)) subs[j].sink.add(v, time);
      if (listening) {
        const s: Sample = { metric: m.name, value: v, tags, time };
        for (const l of this.listeners) l(s, m);
      }
    }
  }

  /** The metrics of these names, in order, for {@link addBatch}; throws for an undefined one. */
  resolve(names: readonly string[]): Metric[] {
    return names.map((n) => {
      const m = this.byName.get(n);
      if (!m) throw new Error(`metric '${n}' is not defined; define it before recording samples`);
      return m;
    });
  }

  /** Listen to every sample added; returns the function that stops listening. */
  onSample(listener: (s: Sample, m: Metric) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** All metrics, in the order they were defined. */
  metrics(): Metric[] {
    return [...this.byName.values()];
  }
}
