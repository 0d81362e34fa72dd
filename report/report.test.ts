import { describe, expect, it } from 'vitest';
import { judge, type Figure } from './figure.ts';
import { junitXml } from './junit.ts';
import { markdownReport } from './markdown.ts';

const fig = (id: string, value: number | null, op: '<=' | '>=', target: number): Figure =>
  judge({ id, label: id, value, unit: 'ms', source: 'test source', side: 'client' }, { op, value: target });

describe('report writers', () => {
  it('judges figures against targets, with NO DATA when nothing was measured', () => {
    expect(fig('a', 10, '<=', 200).pass).toBe(true);
    expect(fig('a', 250, '<=', 200).pass).toBe(false);
    expect(fig('a', null, '<=', 200).pass).toBeNull();
  });

  it('writes a failing JUnit case for a missed target and a checker with violations', () => {
    const xml = junitXml(
      'r1',
      [fig('avg', 250, '<=', 200), fig('p95', 20, '<=', 100)],
      [
        { name: 'cache-db-sync', checked: 10, violations: { stale: 2, orphan: 0 }, durationMs: 5 },
        { name: 'data-types', checked: 10, violations: {}, durationMs: 5 },
      ],
    );
    expect(xml).toContain('tests="4" failures="2"');
    expect(xml).toContain('measured 250.0 ms (test source, client side), target ≤ 200.0 ms');
    expect(xml).toContain('2 stale of 10 checked');
    expect(xml.match(/<failure /g)).toHaveLength(2);
  });

  it('renders tables only from figures, by id', () => {
    const figures = [fig('q.avg', 12.5, '<=', 200)];
    const md = markdownReport(
      {
        runId: 'r1',
        profile: 'smoke',
        startedAt: 'now',
        durationS: 1,
        engine: 'embedded',
        exitCode: 0,
        verdict: 'PASS',
        environment: [],
      },
      figures,
      [
        {
          title: 'Query',
          columns: ['value', 'target', 'verdict', 'source'],
          rows: [
            [
              { figure: 'q.avg' },
              { figure: 'q.avg', show: 'target' },
              { figure: 'q.avg', show: 'verdict' },
              { figure: 'q.avg', show: 'source' },
            ],
          ],
        },
      ],
    );
    expect(md).toContain('| 12.50 ms | ≤ 200.0 ms | PASS | test source |');
  });
});

describe('k6 summaries from either engine', () => {
  it("reads real k6's legacy --summary-export as handleSummary data", async () => {
    const { normaliseSummary, metric, value, thresholds } = await import('./k6-summary.ts');
    const legacy = {
      root_group: { name: '', path: '', id: 'x', groups: {}, checks: {} },
      metrics: {
        http_req_duration: {
          avg: 12,
          min: 1,
          med: 10,
          max: 40,
          'p(90)': 20,
          'p(95)': 30,
          'p(99)': 38,
          count: 100,
          thresholds: { 'p(95)<25': true },
        },
        'db_query_duration{query_type:join}': { avg: 2, min: 1, med: 2, max: 5, 'p(95)': 4, count: 7 },
        http_req_failed: { passes: 1, fails: 99, value: 0.01, thresholds: { 'rate<0.05': false } },
        http_reqs: { count: 100, rate: 50 },
        vus: { value: 2, min: 1, max: 2 },
      },
    };
    const s = normaliseSummary(legacy)!;
    expect(metric(s, 'http_req_duration')?.type).toBe('trend');
    expect(value(metric(s, 'db_query_duration', { query_type: 'join' }), 'p(95)')).toBe(4);
    expect(metric(s, 'http_req_failed')).toMatchObject({ type: 'rate', values: { rate: 0.01, passes: 1, fails: 99 } });
    expect(metric(s, 'http_reqs')?.type).toBe('counter');
    expect(metric(s, 'vus')?.type).toBe('gauge');
    // In the legacy export `true` means the threshold FAILED.
    expect(thresholds(s)).toEqual([
      { metric: 'http_req_duration', expr: 'p(95)<25', ok: false },
      { metric: 'http_req_failed', expr: 'rate<0.05', ok: true },
    ]);
    const already = { metrics: { x: { type: 'counter', values: { count: 1 } } } };
    expect(normaliseSummary(already)).toBe(already);
  });
});
