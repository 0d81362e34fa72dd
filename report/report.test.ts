import { describe, expect, it } from 'vitest';
import { RateSink } from '../engine/metrics/index.ts';
import { runExitCode } from '../run/write-results.ts';
import { judge, missedTargetReason, verdict, type Figure } from './figure.ts';
import { buildFigures, type RunInputs } from './figures/index.ts';
import { cannotFail, metric, normaliseSummary, thresholds, value, type K6SummaryData } from './k6-summary.ts';
import { junitXml } from './junit.ts';
import { fixtureInputs } from '../test/helpers/run-inputs.ts';
import { planHeading } from './html/run-header.ts';
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
      { metric: 'http_req_duration', expr: 'p(95)<25', ok: false, cannotFail: false },
      { metric: 'http_req_failed', expr: 'rate<0.05', ok: true, cannotFail: false },
    ]);
    const already = { metrics: { x: { type: 'counter', values: { count: 1 } } } };
    expect(normaliseSummary(already)).toBe(already);
  });
});

/** RunInputs as the pipeline hands them over, for the scenarios given. */
function inputsOf(scenarios: Array<{ name: string; summary: K6SummaryData | null }>): RunInputs {
  return fixtureInputs({
    scenarios: scenarios.map((s) => ({ ...s, exitCode: 0, engine: 'embedded', engineLimited: false, durationS: 10 })),
  });
}

describe('no data is never a pass: an empty k6 Rate', () => {
  // What k6 reports for a Rate without samples (metrics/sink.go RateSink.Format: rate 0 when
  // Total is 0; js/summary.go adds passes and fails), and so does the embedded engine's sink.
  const empty = new RateSink().values();
  const emptyRate = { type: 'rate' as const, values: empty };

  it('the embedded engine reports an empty Rate as k6 does: rate 0, passes 0, fails 0', () => {
    expect(empty).toEqual({ rate: 0, passes: 0, fails: 0 });
  });

  it('broken on purpose: a Rate of 0 samples has no value; its counts stay', () => {
    expect(value(emptyRate, 'rate')).toBeNull();
    expect(value(emptyRate, 'passes')).toBe(0);
    expect(value(emptyRate, 'fails')).toBe(0);
    // The same from real k6's legacy --summary-export (rate renamed value).
    const legacy = normaliseSummary({ metrics: { http_req_failed: { passes: 0, fails: 0, value: 0 } } });
    expect(value(metric(legacy, 'http_req_failed'), 'rate')).toBeNull();
    // One sample is a measurement, 0 included.
    expect(value({ type: 'rate', values: { rate: 0, passes: 0, fails: 1 } }, 'rate')).toBe(0);
  });

  it('broken on purpose: a scenario and a ladder step that sent no request are NO DATA, exit 4, "not measured"', () => {
    const summary: K6SummaryData = {
      metrics: {
        http_req_failed: emptyRate,
        'http_req_failed{scenario:users_10}': emptyRate,
        'http_req_failed{scenario:users_25}': { type: 'rate', values: { rate: 0, passes: 0, fails: 40 } },
        http_reqs: { type: 'counter', values: { count: 0, rate: 0 } },
        checks: emptyRate,
      },
    };
    const { figures } = buildFigures(inputsOf([{ name: 'ladder', summary }]));
    const byId = new Map(figures.map((f) => [f.id, f]));
    const success = byId.get('scenario.ladder.success')!;
    expect(success.value).toBeNull();
    expect(verdict(success)).toBe('NO DATA');
    expect(byId.get('scenario.ladder.checks')!.value).toBeNull();
    const step = byId.get('ladder.10.success')!;
    expect(step.value).toBeNull();
    expect(verdict(step)).toBe('NO DATA');
    // A step with requests, none failed, is measured and passes.
    expect(byId.get('ladder.25.success')).toMatchObject({ value: 1, pass: true });

    const { exitCode, reasons } = runExitCode({ scenarios: [{ name: 'ladder', exitCode: 0 }], checks: null, figures });
    expect(exitCode).toBe(4);
    expect(reasons).toContain(
      'target missed: ladder success rate not measured (k6 http_req_failed has 0 samples: no request was sent)',
    );
    expect(reasons.some((r) => r.startsWith('target missed: 10 users success rate not measured'))).toBe(true);
    expect(missedTargetReason(success)).toMatch(/not measured/);
  });
});

describe('thresholds that cannot fail are counted apart', () => {
  it.each([
    ['trend', 'max>=0', true],
    ['trend', 'p(95)>=0', true],
    ['trend', 'avg > -1', true],
    ['trend', 'max>=1', false],
    ['trend', 'p(95)<=200', false],
    ['counter', 'count>=0', true],
    ['counter', 'count>0', false],
    ['counter', 'rate>=0', true],
    ['rate', 'rate>=0', true],
    ['rate', 'rate<=1', true],
    ['rate', 'rate!=2', true],
    ['rate', 'rate<1', false],
    ['rate', 'rate<=0.01', false],
    ['rate', 'rate==0', false],
    ['gauge', 'value>=0', false],
    ['trend', 'not an expression', false],
  ] as const)('%s %s cannot fail: %s', (type, expr, expected) => {
    expect(cannotFail(type, expr)).toBe(expected);
  });

  it("broken on purpose: the ladder's sub-metric exposers are not counted as passed thresholds", () => {
    const summary: K6SummaryData = {
      metrics: {
        http_req_failed: {
          type: 'rate',
          values: { rate: 0, passes: 0, fails: 10 },
          thresholds: { 'rate<=0.01': { ok: true } },
        },
        http_reqs: { type: 'counter', values: { count: 10, rate: 1 } },
        'http_req_duration{scenario:users_10}': {
          type: 'trend',
          values: { avg: 1, max: 2, count: 10 },
          thresholds: { 'max>=0': { ok: true } },
        },
        'http_reqs{scenario:users_10}': {
          type: 'counter',
          values: { count: 10 },
          thresholds: { 'count>=0': { ok: true } },
        },
        'cache_hit{scenario:users_10}': {
          type: 'rate',
          values: { rate: 0.5, passes: 1, fails: 1 },
          thresholds: { 'rate>=0': { ok: true } },
        },
        db_query_duration: {
          type: 'trend',
          values: { avg: 900, count: 10 },
          thresholds: { 'avg<=200': { ok: false } },
        },
      },
    };
    expect(
      thresholds(summary)
        .filter((t) => t.cannotFail)
        .map((t) => t.expr),
    ).toEqual(['max>=0', 'count>=0', 'rate>=0']);
    const { figures, tables } = buildFigures(inputsOf([{ name: 'ladder', summary }]));
    const row = tables.find((t) => t.title === 'Scenarios')!.rows[0];
    // 2 thresholds can fail, 1 of them passed; the 3 that cannot fail are shown apart, not as passes.
    expect(row[8]).toBe('1/2 (+3 that cannot fail)');
    expect(figures.find((f) => f.id === 'scenario.ladder.thresholdsFailed')!.value).toBe(1);
  });
});

describe('junit.xml', () => {
  it('broken on purpose: a checker that checked nothing is a failing case (NO DATA), not a pass', () => {
    const xml = junitXml(
      'r1',
      [],
      [
        { name: 'cache-db-sync', checked: 0, violations: {}, durationMs: 5 },
        {
          name: 'concurrent-access',
          checked: 10,
          violations: {},
          durationMs: 5,
          noData: 'metrics stream k6/smoke.metrics.ndjson missing',
        },
        { name: 'referential-integrity', checked: 10, violations: {}, durationMs: 5 },
      ],
    );
    expect(xml).toMatch(/<testsuite name="consistency" tests="3" failures="2"/);
    expect(xml).toContain('NO DATA: nothing was checked');
    expect(xml).toContain('NO DATA: metrics stream k6/smoke.metrics.ndjson missing');
  });
});

describe('plan headings in the appendix', () => {
  const base = { queryType: 'index_scan', sql: '', usesIndex: false, executionMs: 1.5, plan: '' };
  const requires = { tables: ['audit_log'], reason: 'one actor in a window' };
  it('say the verdict against the declaration, not just whether an index was used', () => {
    expect(planHeading({ ...base, requires, verdict: { ok: true, reads: [], missing: [] } })).toBe(
      'index_scan — meets its declaration (audit_log through an index), 1.500 ms',
    );
    expect(planHeading({ ...base, requires, verdict: { ok: false, reads: [], missing: ['audit_log'] } })).toBe(
      'index_scan — FAILS its declaration: no usable index on audit_log, 1.500 ms',
    );
    expect(planHeading({ ...base, requires, verdict: null })).toBe('index_scan — NO DATA (no plan), 1.500 ms');
    expect(planHeading({ ...base, queryType: 'stats' })).toBe('stats — no index used (none declared), 1.500 ms');
  });
});
