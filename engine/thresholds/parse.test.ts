/**
 * Threshold grammar conformance, table-driven from k6's docs ("Thresholds":
 * threshold syntax, aggregation methods per metric type) and k6's own parser
 * tests (metrics/thresholds_parser_test.go).
 */
import { describe, expect, it } from 'vitest';
import { AcgsError } from '../../config/errors.ts';
import { Registry, defineBuiltinMetrics } from '../metrics/index.ts';
import { ThresholdError, parseThresholdExpression, parseThresholds } from './index.ts';
import { parseDuration } from '../../config/index.ts';

describe('parseThresholdExpression: valid expressions', () => {
  const valid: Array<[string, string, string, number, number?]> = [
    ['p(95)<200', 'p(95)', '<', 200, 0.95],
    ['p(99.9)<500', 'p(99.9)', '<', 500, 0.999],
    ['p(0)>=0', 'p(0)', '>=', 0, 0],
    ['p(100)<=1e3', 'p(100)', '<=', 1000, 1],
    ['avg<200', 'avg', '<', 200],
    ['min>1', 'min', '>', 1],
    ['max<=3000', 'max', '<=', 3000],
    ['med<150.5', 'med', '<', 150.5],
    ['rate>=0.95', 'rate', '>=', 0.95],
    ['rate<0.01', 'rate', '<', 0.01],
    ['count==0', 'count', '==', 0],
    ['count===0', 'count', '===', 0],
    ['count!=3', 'count', '!=', 3],
    ['value<5', 'value', '<', 5],
    ['value>-5', 'value', '>', -5],
    ['  p(95)  <  200  ', 'p(95)', '<', 200, 0.95],
    ['avg <= 10', 'avg', '<=', 10],
    ['rate>.5', 'rate', '>', 0.5],
  ];
  it.each(valid)('%j', (src, aggregation, op, value, percentile) => {
    const e = parseThresholdExpression(src);
    expect(e).toMatchObject({ aggregation, op, value, source: src });
    if (percentile === undefined) expect(e.percentile).toBeUndefined();
    else expect(e.percentile).toBeCloseTo(percentile, 12);
  });
});

describe('parseThresholdExpression: invalid expressions', () => {
  const invalid: Array<[string, RegExp]> = [
    ['p95<200', /left hand side; reason: 'p95' is not an aggregation method/],
    ['avg<', /right hand side; reason: '' is not a number/],
    ['foo<1', /'foo' is not an aggregation method \(count, rate, value, avg, min, max, med, p\(N\)\)/],
    ['foo>20', /'foo' is not an aggregation method/],
    ['count!20', /malformed threshold expression, no operator/],
    ['count>abc', /'abc' is not a number/],
    ['avg', /no operator/],
    ['', /no operator/],
    ['p()<1', /malformed percentile value ''/],
    ['p(99<1', /'p\(99' is not an aggregation method/],
    ['p(foo)<1', /malformed percentile value 'foo'/],
    ['p(-1)<1', /provide a number between 0 and 100/],
    ['p(101)<1', /provide a number between 0 and 100/],
    ['p(NaN)<1', /malformed percentile value 'NaN'/],
    ['p(+Inf)<1', /malformed percentile value/],
    ['p( 95 )<1', /malformed percentile value ' 95 '/],
    ['avg<Infinity', /not a number/],
    ['avg<0x10', /not a number/],
    ['AVG<1', /'AVG' is not an aggregation method/],
  ];
  it.each(invalid)('%j', (src, message) => {
    expect(() => parseThresholdExpression(src)).toThrow(ThresholdError);
    expect(() => parseThresholdExpression(src)).toThrow(message);
  });

  it('errors are AcgsErrors with the grammar as hint and k6 exit code 104', () => {
    try {
      parseThresholdExpression('p95<200');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AcgsError);
      expect(e).toBeInstanceOf(Error);
      expect((e as ThresholdError).hint).toMatch(/trend: avg, min, max, med, p\(N\)/);
      expect((e as ThresholdError).k6ExitCode).toBe(104);
      expect((e as ThresholdError).message).toContain('"p95<200"');
    }
  });
});

describe('parseThresholds against the registry', () => {
  const registry = () => {
    const r = new Registry();
    defineBuiltinMetrics(r);
    r.define('db_query', 'trend', 'time');
    r.define('cache_hits', 'counter');
    r.define('pool_in_use', 'gauge');
    return r;
  };

  it('accepts each aggregation on the metric types k6 allows it on', () => {
    const r = registry();
    const defs = parseThresholds(
      {
        http_req_duration: ['p(95)<500', 'avg<200', 'med<100', 'min>=0', 'max<5000'],
        http_req_failed: ['rate<0.01'],
        checks: ['rate>=0.95'],
        http_reqs: ['count>0', 'rate>10'],
        pool_in_use: ['value<60'],
        'db_query{query_type:join}': ['p(99.9)<50'],
        'http_req_duration{ status : "200" , method:GET}': [
          { threshold: 'p(90)<300', abortOnFail: true, delayAbortEval: '10s' },
        ],
      },
      r,
    );
    expect(defs).toHaveLength(12);
    expect(defs.at(-2)).toMatchObject({ metric: 'db_query{query_type:join}', abortOnFail: false, delayAbortEvalMs: 0 });
    expect(defs.at(-1)).toMatchObject({ abortOnFail: true, delayAbortEvalMs: 10_000 });
    expect(r.get('http_req_duration')!.submetrics.map((s) => s.tags)).toContainEqual({ status: '200', method: 'GET' });
    expect(r.get('db_query')!.submetrics[0].name).toBe('db_query{query_type:join}');
  });

  it('reports every problem at once, with k6 wording', () => {
    const r = registry();
    let err: ThresholdError | undefined;
    try {
      parseThresholds(
        {
          not_a_metric: ['count>0'],
          http_req_duration: ['rate<1', 'p95<200'],
          checks: ['p(95)<1'],
          pool_in_use: ['count<1'],
          cache_hits: ['avg<1'],
          'http_req_duration{status}': ['p(95)<1'],
          'http_req_duration{status:200': ['p(95)<1'],
          'nope{a:b}': ['avg<1'],
          http_reqs: 'count>0',
          iterations: [
            { threshold: 'count>0', abortOnFail: 'yes' },
            { threshold: 'count>0', delayAbortEval: 'soon' },
            42,
          ],
        },
        r,
      );
    } catch (e) {
      err = e as ThresholdError;
    }
    expect(err).toBeInstanceOf(ThresholdError);
    const p = err!.problems;
    expect(p).toContain('invalid threshold defined on not_a_metric; reason: no metric name "not_a_metric" found');
    expect(p).toContain(
      'invalid threshold "rate<1" applied on metric http_req_duration; reason: unsupported aggregation method rate on ' +
        'metric of type trend. supported aggregation methods for this metric are: avg, min, max, med, p(N)',
    );
    expect(p.some((m) => m.includes('"p95<200"') && m.includes('left hand side'))).toBe(true);
    expect(p.some((m) => m.includes('"p(95)<1" applied on metric checks') && m.endsWith('are: rate'))).toBe(true);
    expect(p.some((m) => m.includes('"count<1" applied on metric pool_in_use') && m.endsWith('are: value'))).toBe(true);
    expect(p.some((m) => m.includes('"avg<1" applied on metric cache_hits') && m.endsWith('are: count, rate'))).toBe(
      true,
    );
    expect(
      p.some((m) => m.startsWith('invalid threshold defined on http_req_duration{status};') && m.includes('malformed')),
    ).toBe(true);
    expect(p.some((m) => m.startsWith('invalid threshold defined on http_req_duration{status:200;'))).toBe(true);
    expect(p).toContain('invalid threshold defined on nope{a:b}; reason: no metric name "nope{a:b}" found');
    expect(p.some((m) => m.startsWith('thresholds on http_reqs must be an array'))).toBe(true);
    expect(p.some((m) => m.includes('abortOnFail must be true or false'))).toBe(true);
    expect(p.some((m) => m.includes('delayAbortEval "soon" is not a duration'))).toBe(true);
    expect(p.some((m) => m.includes('must be a string or { threshold'))).toBe(true);
    expect(p).toHaveLength(13);
    expect(err!.message).toMatch(/^13 invalid thresholds: /);
    expect(err!.details).toEqual(p);
  });

  it('accepts an empty thresholds object', () => {
    expect(parseThresholds({}, registry())).toEqual([]);
  });
});

describe('delayAbortEval durations (Go time.ParseDuration, numbers in ms)', () => {
  const table: Array<[unknown, number | null]> = [
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['2d', 172_800_000],
    ['500us', 0.5],
    ['0', 0],
    [2500, 2500],
    ['10', null],
    ['-5s', null],
    ['s', null],
    ['1x', null],
    [true, null],
  ];
  it.each(table)('%j -> %j', (input, ms) => expect(parseDuration(input, { bareString: 'refuse' })).toBe(ms));
});
