/**
 * k6's built-in metrics (docs "Built-in metrics"; k6 metrics/builtin.go
 * `RegisterBuiltinMetrics`), with their types and value types.
 */
import type { Registry } from './registry.ts';
import type { MetricType, ValueType } from './types.ts';

/** Name, type and value type of every built-in metric the engine can emit. */
export const BUILTIN_METRICS: ReadonlyArray<readonly [string, MetricType, ValueType]> = [
  ['vus', 'gauge', 'default'],
  ['vus_max', 'gauge', 'default'],
  ['iterations', 'counter', 'default'],
  ['iteration_duration', 'trend', 'time'],
  ['dropped_iterations', 'counter', 'default'],
  ['checks', 'rate', 'default'],
  ['group_duration', 'trend', 'time'],
  ['http_reqs', 'counter', 'default'],
  ['http_req_failed', 'rate', 'default'],
  ['http_req_duration', 'trend', 'time'],
  ['http_req_blocked', 'trend', 'time'],
  ['http_req_connecting', 'trend', 'time'],
  ['http_req_tls_handshaking', 'trend', 'time'],
  ['http_req_sending', 'trend', 'time'],
  ['http_req_waiting', 'trend', 'time'],
  ['http_req_receiving', 'trend', 'time'],
  ['data_sent', 'counter', 'data'],
  ['data_received', 'counter', 'data'],
];

/**
 * Define the built-in metrics, and the `http_req_duration{expected_response:true}`
 * sub-metric k6 adds when the `expected_response` system tag is on (the
 * default; k6 metrics/engine/engine.go). Metrics and sub-metrics without
 * samples stay out of the summary, so defining them all costs nothing.
 */
export function defineBuiltinMetrics(r: Registry): void {
  for (const [name, type, contains] of BUILTIN_METRICS) r.define(name, type, contains);
  r.addSubmetric('http_req_duration{expected_response:true}');
}
