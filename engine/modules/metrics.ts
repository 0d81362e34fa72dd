/**
 * The `k6/metrics` module: Counter, Gauge, Rate, Trend (k6 docs
 * "k6/metrics"; k6 source js/modules/k6/metrics/metrics.go). Metrics are
 * declared in init code only; a second VU declaring the same name gets the
 * same registry entry.
 */
import type { MetricType, Tags } from '../metrics/index.ts';
import type { VU } from '../vu.ts';
import { esm } from './esm.ts';

/** Builds the `k6/metrics` module for one VU. */
export function createMetricsModule(vu: VU) {
  const run = vu.run;

  function declare(type: MetricType, name: unknown, isTime: unknown): string {
    if (!vu.inInit) throw new Error('metrics must be declared in the init context');
    if (typeof name !== 'string' || name === '') throw new Error('a metric needs a name (a non-empty string)');
    run.registry.define(name, type, isTime ? 'time' : 'default');
    return name;
  }

  function add(name: string, type: MetricType, raw: unknown, tags?: Record<string, unknown>): boolean {
    if (vu.inInit) throw new Error(`adding to metric "${name}" in the init context is not supported`);
    let value = typeof raw === 'boolean' ? (raw ? 1 : 0) : Number(raw);
    if (!Number.isFinite(value)) {
      run.logger.warnOnce(`nan:${name}`, `"${String(raw)}" is an invalid value for metric "${name}"; k6 drops it`);
      return false;
    }
    if (type === 'rate') value = value !== 0 ? 1 : 0;
    if (vu.interrupted) return false;
    let t: Tags = vu.tags();
    if (tags && typeof tags === 'object') {
      t = { ...t };
      for (const k of Object.keys(tags)) t[k] = String(tags[k]);
    }
    run.emit(name, value, t);
    return true;
  }

  class Counter {
    readonly name: string;
    constructor(name: string, isTime?: boolean) {
      this.name = declare('counter', name, isTime);
    }
    add(value: number, tags?: Record<string, unknown>): boolean {
      return add(this.name, 'counter', value, tags);
    }
  }
  class Gauge {
    readonly name: string;
    constructor(name: string, isTime?: boolean) {
      this.name = declare('gauge', name, isTime);
    }
    add(value: number, tags?: Record<string, unknown>): boolean {
      return add(this.name, 'gauge', value, tags);
    }
  }
  class Rate {
    readonly name: string;
    constructor(name: string, isTime?: boolean) {
      this.name = declare('rate', name, isTime);
    }
    add(value: number | boolean, tags?: Record<string, unknown>): boolean {
      return add(this.name, 'rate', value, tags);
    }
  }
  class Trend {
    readonly name: string;
    constructor(name: string, isTime?: boolean) {
      this.name = declare('trend', name, isTime);
    }
    add(value: number, tags?: Record<string, unknown>): boolean {
      return add(this.name, 'trend', value, tags);
    }
  }
  return esm({ Counter, Gauge, Rate, Trend });
}
