/**
 * Threshold evaluation on known samples (k6 docs "Thresholds"; k6
 * metrics/thresholds.go, metrics/engine/engine.go): pass and fail, sub-metric
 * thresholds see only matching samples, empty metrics during and after the
 * run, abortOnFail with delayAbortEval.
 */
import { describe, expect, it } from 'vitest';
import { Registry, defineBuiltinMetrics } from '../metrics/index.ts';
import { evaluateThresholds, parseThresholds } from './index.ts';

function setup(thresholds: Record<string, unknown>) {
  const r = new Registry();
  defineBuiltinMetrics(r);
  r.define('db_query', 'trend', 'time');
  r.define('pool_in_use', 'gauge');
  return { r, defs: parseThresholds(thresholds, r) };
}

const add = (r: Registry, metric: string, value: number, tags: Record<string, string> = {}, time = 0) =>
  r.add({ metric, value, tags, time });

const outcome = (res: ReturnType<typeof evaluateThresholds>) =>
  Object.fromEntries(res.results.map((x) => [`${x.def.metric}: ${x.def.expr.source}`, x.ok]));

describe('evaluateThresholds', () => {
  it('passes and fails on known samples for every metric type and aggregation', () => {
    const { r, defs } = setup({
      http_req_duration: [
        'p(95)<500',
        'p(95)<90',
        'avg<60',
        'avg<40',
        'med>49.9',
        'med<50.1',
        'min==5',
        'min>=10',
        'max<100',
        'max<99',
      ],
      http_req_failed: ['rate<0.1', 'rate<0.05'],
      http_reqs: ['count==10', 'count>10', 'rate>=5', 'rate>5'],
      pool_in_use: ['value<5', 'value<3'],
    });
    for (let i = 1; i <= 10; i++) {
      add(r, 'http_req_duration', i * 10 - 5); // 5, 15, ..., 95: avg 50, med 50
      add(r, 'http_req_failed', i === 3 ? 1 : 0);
      add(r, 'http_reqs', 1);
    }
    add(r, 'pool_in_use', 7, {}, 1);
    add(r, 'pool_in_use', 4, {}, 2);
    const res = evaluateThresholds(defs, r, 2000);
    expect(outcome(res)).toEqual({
      'http_req_duration: p(95)<500': true,
      'http_req_duration: p(95)<90': false, // p(95) = 90.5 with interpolation between 85 and 95
      'http_req_duration: avg<60': true,
      'http_req_duration: avg<40': false,
      'http_req_duration: med>49.9': true,
      'http_req_duration: med<50.1': true,
      'http_req_duration: min==5': true, // min and max are exact
      'http_req_duration: min>=10': false, // min is 5
      'http_req_duration: max<100': true,
      'http_req_duration: max<99': true,
      'http_req_failed: rate<0.1': false, // exactly 0.1
      'http_req_failed: rate<0.05': false,
      'http_reqs: count==10': true,
      'http_reqs: count>10': false,
      'http_reqs: rate>=5': true, // 10 per 2 s
      'http_reqs: rate>5': false,
      'pool_in_use: value<5': true, // last value 4, although max was 7
      'pool_in_use: value<3': false,
    });
    const p95 = res.results.find((x) => x.def.expr.source === 'p(95)<90')!;
    expect(p95.observed).toBeCloseTo(90.5, 1);
    expect(res.abort).toBeNull();
  });

  it('sub-metric thresholds see only the samples whose tags match', () => {
    const { r, defs } = setup({
      'db_query{query_type:join}': ['max<100'],
      'db_query{query_type:point}': ['max<100'],
      db_query: ['max<100'],
    });
    add(r, 'db_query', 40, { query_type: 'join', scenario: 'a' });
    add(r, 'db_query', 60, { query_type: 'join' });
    add(r, 'db_query', 900, { query_type: 'point' });
    add(r, 'db_query', 5, { query_type: 'joint' }); // not 'join'
    const res = evaluateThresholds(defs, r, 1000);
    expect(res.results.map((x) => [x.def.metric, x.ok, x.observed])).toEqual([
      ['db_query{query_type:join}', true, 60],
      ['db_query{query_type:point}', false, 900],
      ['db_query', false, 900],
    ]);
  });

  it('during the run, metrics without samples are skipped; at the end they compare their zero values', () => {
    const { r, defs } = setup({
      iterations: ['count>0'],
      'http_req_duration{status:500}': ['max<100'],
      checks: ['rate>0.9'],
    });
    const during = evaluateThresholds(defs, r, 1000, { duringRun: true });
    expect(during.results.map((x) => [x.ok, x.observed])).toEqual([
      [true, null],
      [true, null],
      [true, null],
    ]);
    const end = evaluateThresholds(defs, r, 1000);
    expect(end.results.map((x) => [x.ok, x.observed])).toEqual([
      [false, 0],
      [true, 0],
      [false, 0],
    ]);
  });

  it('abortOnFail aborts at once without delayAbortEval, and only after it with one', () => {
    const { r, defs } = setup({
      http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true, delayAbortEval: '10s' }],
      checks: [{ threshold: 'rate>0.5', abortOnFail: false }],
    });
    add(r, 'http_req_failed', 1);
    add(r, 'checks', 0);
    expect(evaluateThresholds(defs, r, 5_000, { duringRun: true }).abort).toBeNull(); // within the delay
    expect(evaluateThresholds(defs, r, 10_000, { duringRun: true }).abort).toBeNull(); // k6: delay < elapsed
    expect(evaluateThresholds(defs, r, 10_001, { duringRun: true }).abort?.metric).toBe('http_req_failed');

    const now = setup({ checks: [{ threshold: 'rate>0.5', abortOnFail: true }] });
    add(now.r, 'checks', 0);
    expect(now.defs[0].delayAbortEvalMs).toBe(0);
    expect(evaluateThresholds(now.defs, now.r, 1, { duringRun: true }).abort?.expr.source).toBe('rate>0.5');

    // Passing thresholds never abort, whatever their flags.
    add(r, 'http_req_failed', 0);
    add(r, 'http_req_failed', 0);
    expect(evaluateThresholds(defs, r, 60_000).abort).toBeNull();
  });
});
