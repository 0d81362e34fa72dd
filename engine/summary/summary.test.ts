/**
 * Summary conformance: the handleSummary data shape (k6 docs "Custom
 * summary"; k6 js/summary.go), the classic text layout (k6 js/summary.js),
 * the legacy --summary-export (js/summary-wrapper.js), NDJSON lines (k6
 * output/json/json_test.go) and JUnit (jslib k6-summary junit.js).
 */
import { describe, expect, it } from 'vitest';
import { Registry, defineBuiltinMetrics } from '../metrics/index.ts';
import { evaluateThresholds, parseThresholds } from '../thresholds/index.ts';
import {
  buildSummaryData,
  defaultHandleSummary,
  humanizeBytes,
  humanizeDuration,
  humanizeValue,
  junitXml,
  k6PathId,
  ndjsonMetricLine,
  ndjsonPointLine,
  NdjsonPointFormatter,
  strWidth,
  summaryExport,
  textSummary,
  type GroupData,
  type SummaryData,
} from './index.ts';

/** A minimal group tree in k6's shape (the runtime's live one is engine/group-tree.ts). */
class Groups {
  readonly root: GroupData = { name: '', path: '', id: k6PathId(''), groups: [], checks: [] };
  group(parent: GroupData, name: string): GroupData {
    let g = parent.groups.find((x) => x.name === name);
    if (!g)
      parent.groups.push(
        (g = {
          name,
          path: `${parent.path}::${name}`,
          id: k6PathId(`${parent.path}::${name}`),
          groups: [],
          checks: [],
        }),
      );
    return g;
  }
  check(group: GroupData, name: string, pass: boolean): void {
    const path = `${group.path}::${name}`;
    let c = group.checks.find((x) => x.name === name);
    if (!c) group.checks.push((c = { name, path, id: k6PathId(path), passes: 0, fails: 0 }));
    if (pass) c.passes++;
    else c.fails++;
  }
}

const STATE = { testRunDurationMs: 2000, isStdOutTTY: false, isStdErrTTY: false };

/** A run with every metric type, a sub-metric threshold and a group. */
function sampleRun() {
  const r = new Registry();
  defineBuiltinMetrics(r);
  r.define('pool_in_use', 'gauge');
  r.define('cache_hits', 'counter');
  const defs = parseThresholds(
    { http_req_duration: ['p(95)<500'], checks: ['rate>0.99'], 'http_req_duration{status:201}': ['max<1000'] },
    r,
  );
  const tree = new Groups();
  for (let i = 0; i < 10; i++) {
    r.add({ metric: 'http_req_duration', value: 1 + i, tags: { status: '200', expected_response: 'true' }, time: i });
    r.add({ metric: 'http_reqs', value: 1, tags: {}, time: i });
    r.add({ metric: 'checks', value: i < 9 ? 1 : 0, tags: {}, time: i });
    r.add({ metric: 'pool_in_use', value: i % 4, tags: {}, time: i });
    tree.check(tree.root, 'status is 200', true);
    tree.check(tree.group(tree.root, 'login'), 'has token', i < 9);
  }
  const { results } = evaluateThresholds(defs, r, STATE.testRunDurationMs);
  return { r, defs, results, tree };
}

describe('buildSummaryData: the handleSummary data object', () => {
  it("has k6's top-level shape, options and state", () => {
    const { r, results, tree } = sampleRun();
    const d = buildSummaryData(r, results, tree.root, { summaryTrendStats: ['avg', 'p(99)', 'count'] }, STATE, {
      engine: { limited: false },
    });
    expect(Object.keys(d)).toEqual(['root_group', 'options', 'state', 'metrics', 'engine']);
    expect(d.options).toEqual({ summaryTrendStats: ['avg', 'p(99)', 'count'], summaryTimeUnit: '', noColor: false });
    expect(d.state).toEqual(STATE);
    expect(d.engine).toEqual({ limited: false });
    expect(d.root_group).toMatchObject({ name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(d.root_group.checks[0]).toEqual({
      name: 'status is 200',
      path: '::status is 200',
      id: k6PathId('::status is 200'),
      passes: 10,
      fails: 0,
    });
    expect(d.root_group.groups[0]).toMatchObject({
      name: 'login',
      path: '::login',
      checks: [{ name: 'has token', passes: 9, fails: 1 }],
    });
  });

  it('reports values per metric type and thresholds only where defined', () => {
    const { r, results, tree } = sampleRun();
    const d = buildSummaryData(
      r,
      results,
      tree.root,
      { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'] },
      STATE,
    );
    // Only observed metrics, plus those with thresholds; empty sub-metrics without thresholds are left out.
    expect(Object.keys(d.metrics)).toEqual([
      'checks',
      'http_req_duration',
      'http_req_duration{expected_response:true}',
      'http_req_duration{status:201}',
      'http_reqs',
      'pool_in_use',
    ]);
    expect(d.metrics.http_reqs).toEqual({ type: 'counter', contains: 'default', values: { count: 10, rate: 5 } });
    expect(d.metrics.pool_in_use).toEqual({ type: 'gauge', contains: 'default', values: { value: 1, min: 0, max: 3 } });
    expect(d.metrics.checks).toEqual({
      type: 'rate',
      contains: 'default',
      values: { rate: 0.9, passes: 9, fails: 1 },
      thresholds: { 'rate>0.99': { ok: false } },
    });
    const dur = d.metrics.http_req_duration;
    expect(dur).toMatchObject({ type: 'trend', contains: 'time', thresholds: { 'p(95)<500': { ok: true } } });
    expect(Object.keys(dur.values)).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
    expect(dur.values).toMatchObject({ avg: 5.5, min: 1, max: 10 });
    expect(dur.values['p(95)']).toBeCloseTo(9.55, 2);
    expect(d.metrics['http_req_duration{status:201}']).toMatchObject({
      values: { avg: 0, max: 0 },
      thresholds: { 'max<1000': { ok: true } },
    });
    expect(d.metrics['http_req_duration{expected_response:true}'].thresholds).toBeUndefined();
    // JSON round trip: the object handleSummary gets is plain data.
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it('extra keys never replace k6 keys; an empty trend-stats list falls back to the defaults', () => {
    const d = buildSummaryData(new Registry(), [], new Groups().root, { summaryTrendStats: [] }, STATE, {
      metrics: 'x',
      engine: 1,
    });
    expect(d.metrics).toEqual({});
    expect(d.engine).toBe(1);
    expect(d.options.summaryTrendStats).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
  });

  it('group and check ids are the MD5 of their path, as in k6 (docs sample: "::is status 200")', () => {
    expect(k6PathId('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(k6PathId('::is status 200')).toBe('548d37ca5f33793206f7832e7cea54fb');
  });
});

/** A hand-made data object, so the layout test does not depend on histogram precision. */
function layoutData(overrides: Partial<SummaryData['options']> = {}): SummaryData {
  const trend = (v: Record<string, number>, thresholds?: Record<string, { ok: boolean }>) => ({
    type: 'trend' as const,
    contains: 'time' as const,
    values: v,
    ...(thresholds ? { thresholds } : {}),
  });
  const d = { avg: 2.665, min: 1, med: 2.666, max: 4.33, 'p(90)': 3.9979, 'p(95)': 4.16395 };
  return {
    root_group: {
      name: '',
      path: '',
      id: k6PathId(''),
      checks: [
        { name: 'status is 200', path: '::status is 200', id: k6PathId('::status is 200'), passes: 10, fails: 0 },
      ],
      groups: [
        {
          name: 'login',
          path: '::login',
          id: k6PathId('::login'),
          groups: [],
          checks: [
            { name: 'has token', path: '::login::has token', id: k6PathId('::login::has token'), passes: 9, fails: 1 },
          ],
        },
      ],
    },
    options: {
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
      summaryTimeUnit: '',
      noColor: false,
      ...overrides,
    },
    state: STATE,
    metrics: {
      vus: { type: 'gauge', contains: 'default', values: { value: 5, min: 1, max: 10 } },
      http_reqs: { type: 'counter', contains: 'default', values: { count: 10, rate: 5 } },
      'http_req_duration{status:200}': trend(d, { 'max<1000': { ok: true } }),
      http_req_duration: trend(d, { 'p(95)<500': { ok: true } }),
      'http_req_duration{expected_response:true}': trend(d),
      data_received: { type: 'counter', contains: 'data', values: { count: 12340, rate: 6170 } },
      checks: {
        type: 'rate',
        contains: 'default',
        values: { rate: 0.9, passes: 9, fails: 1 },
        thresholds: { 'rate>0.99': { ok: false } },
      },
    },
  };
}

describe('textSummary: the classic k6 layout', () => {
  it('renders checks and groups on top, then sorted, aligned metrics with threshold marks', () => {
    expect(textSummary(layoutData())).toBe(
      [
        '     ✓ status is 200',
        '',
        '     █ login\n',
        '       ✗ has token',
        '        ↳  90% — ✓ 9 / ✗ 1',
        '',
        '   ✗ checks.........................: 90.00% ✓ 9      ✗ 1   ', // extras padded to 'max=10'
        '     data_received..................: 12 kB  6.2 kB/s',
        '   ✓ http_req_duration..............: avg=2.66ms min=1ms med=2.66ms max=4.33ms p(90)=3.99ms p(95)=4.16ms',
        '       { expected_response:true }...: avg=2.66ms min=1ms med=2.66ms max=4.33ms p(90)=3.99ms p(95)=4.16ms',
        '     ✓ { status:200 }...............: avg=2.66ms min=1ms med=2.66ms max=4.33ms p(90)=3.99ms p(95)=4.16ms',
        '     http_reqs......................: 10     5/s',
        '     vus............................: 5      min=1    max=10',
      ].join('\n'),
    );
  });

  it('a failing threshold flips its metric mark from ✓ to ✗', () => {
    const d = layoutData();
    d.metrics.http_req_duration.thresholds = { 'p(95)<500': { ok: true }, 'p(95)<1': { ok: false } };
    expect(textSummary(d)).toContain('   ✗ http_req_duration..............: avg=');
  });

  it('follows summaryTrendStats order, summaryTimeUnit and count', () => {
    const d = layoutData({ summaryTrendStats: ['p(95)', 'count', 'min'], summaryTimeUnit: 'us' });
    for (const [name, m] of Object.entries(d.metrics)) {
      if (m.type === 'trend') m.values = { 'p(95)': 4.16395, count: name.includes('{') ? 9 : 10, min: 1 };
    }
    expect(textSummary(d)).toContain('http_req_duration..............: p(95)=4163.95µs count=10 min=1000.00µs');
  });

  it('colours only on a TTY without noColor, and colours do not change the alignment', () => {
    const plain = textSummary(layoutData());
    const tty = { ...layoutData(), state: { ...STATE, isStdOutTTY: true } };
    const coloured = textSummary(tty);
    expect(coloured).toContain('\x1b[36m90.00%\x1b[0m');
    expect(coloured).toContain('\x1b[32m✓\x1b[0m http_req_duration');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
    expect(textSummary({ ...tty, options: { ...tty.options, noColor: true } })).toBe(plain);
    expect(textSummary(layoutData(), { enableColors: true, indent: '' })).toContain('\x1b[2m');
    expect(strWidth('\x1b[36mabc\x1b[0m µs')).toBe(6);
  });

  it('defaultHandleSummary writes the text to stdout framed by newlines, and the export when asked', () => {
    const out = defaultHandleSummary(layoutData(), 'out/summary.json');
    expect(out.stdout).toBe(`\n${textSummary(layoutData())}\n\n`);
    expect(JSON.parse(out['out/summary.json'])).toEqual(summaryExport(layoutData()));
    expect(out['out/summary.json']).toContain('\n    "root_group": {');
    expect(Object.keys(defaultHandleSummary(layoutData()))).toEqual(['stdout']);
  });
});

describe('humanize (k6 js/summary.js)', () => {
  const time = { type: 'trend' as const, contains: 'time' as const };
  it.each([
    [0, '0s'],
    [0.0005, '500ns'],
    [0.5, '500µs'],
    [0.0123456, '12.34µs'],
    [1.23456, '1.23ms'],
    [999.999, '999.99ms'],
    [1000, '1s'],
    [1234.5, '1.23s'],
    [60000, '1m0s'],
    [65000, '1m5s'],
    [3723000, '1h2m3s'],
  ])('duration %d ms -> %s', (ms, s) => expect(humanizeValue(ms, time)).toBe(s));
  it('fixed time units, bytes, rates and plain numbers', () => {
    expect(humanizeDuration(1.23456, 'ms')).toBe('1.23ms');
    expect(humanizeDuration(1234, 's')).toBe('1.23s');
    expect(humanizeDuration(1.5, 'us')).toBe('1500.00µs');
    expect([9, 1234, 12340, 999999, 2.5e9].map(humanizeBytes)).toEqual(['9 B', '1.2 kB', '12 kB', '1000 kB', '2.5 GB']);
    expect(humanizeValue(0.99999, { type: 'rate', contains: 'default' })).toBe('99.99%');
    expect(humanizeValue(1, { type: 'rate', contains: 'default' })).toBe('100.00%');
    expect(humanizeValue(1 / 3, { type: 'counter', contains: 'default' })).toBe('0.333333');
  });
});

describe('summaryExport: the legacy --summary-export format', () => {
  it('flattens values, maps thresholds to "failed?", renames rate to value, keys groups and checks by name', () => {
    const e = summaryExport({ ...layoutData(), engine: { limited: true } }) as Record<string, any>;
    expect(Object.keys(e)).toEqual(['root_group', 'metrics', 'engine']);
    expect(e.metrics.checks).toEqual({ passes: 9, fails: 1, thresholds: { 'rate>0.99': true }, value: 0.9 });
    expect(e.metrics.http_reqs).toEqual({ count: 10, rate: 5 });
    expect(e.metrics.vus).toEqual({ value: 5, min: 1, max: 10 });
    expect(e.metrics.http_req_duration).toEqual({
      avg: 2.665,
      min: 1,
      med: 2.666,
      max: 4.33,
      'p(90)': 3.9979,
      'p(95)': 4.16395,
      thresholds: { 'p(95)<500': false },
    });
    expect(e.root_group.checks['status is 200']).toMatchObject({ passes: 10, fails: 0, path: '::status is 200' });
    expect(e.root_group.groups.login.checks['has token']).toMatchObject({ passes: 9, fails: 1 });
    expect(e.root_group.groups.login.groups).toEqual({});
  });
});

describe('NDJSON lines (k6 output/json)', () => {
  it("reproduces k6's own expected lines", () => {
    const r = new Registry();
    const m1 = r.define('my_metric1', 'gauge');
    r.addSubmetric('my_metric1{a:1,b:2}');
    const m2 = r.define('my_metric2', 'counter', 'data');
    const t1 = Date.UTC(2021, 1, 24, 13, 37, 10);
    expect(ndjsonMetricLine(m1, ['rate<0.01', 'p(99)<250'])).toBe(
      '{"type":"Metric","data":{"name":"my_metric1","type":"gauge","contains":"default","thresholds":["rate<0.01","p(99)<250"],' +
        '"submetrics":[{"name":"my_metric1{a:1,b:2}","suffix":"a:1,b:2","tags":{"a":"1","b":"2"}}]},"metric":"my_metric1"}',
    );
    expect(ndjsonMetricLine(m2, [])).toBe(
      '{"type":"Metric","data":{"name":"my_metric2","type":"counter","contains":"data","thresholds":[],"submetrics":null},"metric":"my_metric2"}',
    );
    expect(ndjsonPointLine({ metric: 'my_metric1', value: 1, tags: { tag1: 'val1' }, time: t1 })).toBe(
      '{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":1,"tags":{"tag1":"val1"}},"metric":"my_metric1"}',
    );
    expect(
      ndjsonPointLine({ metric: 'my_metric2', value: 5, tags: { tag4: 'val4', tag3: 'val3' }, time: t1 + 20_000 }),
    ).toBe(
      '{"type":"Point","data":{"time":"2021-02-24T13:37:30Z","value":5,"tags":{"tag3":"val3","tag4":"val4"}},"metric":"my_metric2"}',
    );
  });

  it('the streaming point formatter writes exactly the lines ndjsonPointLine writes', () => {
    const f = new NdjsonPointFormatter();
    const shared = { url: 'http://x/?q="a"&b=\\', method: 'GET', group: '::g\u00e9', z: '' };
    const t0 = Date.UTC(2024, 0, 2, 3, 4, 59, 999) + 0.25;
    const cases: Array<[string, number, Record<string, string>, number]> = [
      ['http_reqs', 1, shared, t0],
      ['http_req_duration', 0.1234567, shared, t0 + 0.75],
      ['http_req_duration', -0, shared, t0 + 1000.0004],
      ['data_sent', 1e21, {}, t0 + 61_000],
      ['x', Number.NaN, { b: '2', a: '1' }, Date.UTC(1999, 11, 31, 23, 59, 59, 0)],
      ['x', -3.5, { b: '2', a: '1' }, t0 - 86_400_000.5],
    ];
    for (const [metric, value, tags, time] of cases) {
      expect(f.line(metric, value, tags, time)).toBe(ndjsonPointLine({ metric, value, tags, time }));
    }
  });

  it('writes fractional times in RFC 3339 and the long form for abortOnFail thresholds', () => {
    const line = JSON.parse(
      ndjsonPointLine({ metric: 'x', value: 0.25, tags: {}, time: Date.UTC(2024, 0, 2, 3, 4, 5, 120) + 0.5 }),
    );
    expect(line.data.time).toBe('2024-01-02T03:04:05.1205Z');
    expect(new Date(line.data.time).getTime()).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 120));
    const r = new Registry();
    defineBuiltinMetrics(r);
    const defs = parseThresholds(
      { checks: ['rate>0.9', { threshold: 'rate>0.5', abortOnFail: true, delayAbortEval: '1m30s' }] },
      r,
    );
    const meta = JSON.parse(ndjsonMetricLine(r.get('checks')!, defs));
    expect(meta.data.thresholds).toEqual([
      'rate>0.9',
      { threshold: 'rate>0.5', abortOnFail: true, delayAbortEval: '1m30s' },
    ]);
  });

  it('lines of a live registry parse and carry the documented fields', () => {
    const { r } = sampleRun();
    const lines: string[] = [];
    const seen = new Set<string>();
    r.onSample((s, m) => {
      if (!seen.has(m.name)) (lines.push(ndjsonMetricLine(m, [])), seen.add(m.name));
      lines.push(ndjsonPointLine(s));
    });
    r.add({ metric: 'http_reqs', value: 1, tags: { method: 'GET', status: '200' }, time: Date.now() });
    r.add({ metric: 'http_reqs', value: 1, tags: { method: 'GET', status: '200' }, time: Date.now() });
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((p) => p.type)).toEqual(['Metric', 'Point', 'Point']);
    expect(Object.keys(parsed[0].data)).toEqual(['name', 'type', 'contains', 'thresholds', 'submetrics']);
    expect(Object.keys(parsed[1].data)).toEqual(['time', 'value', 'tags']);
    expect(parsed[1]).toMatchObject({
      metric: 'http_reqs',
      data: { value: 1, tags: { method: 'GET', status: '200' } },
    });
    expect(parsed[1].data.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });
});

describe('junitXml (jslib k6-summary jUnit)', () => {
  it('one testcase per threshold, failures with the metric values', () => {
    expect(junitXml(layoutData())).toBe(
      '<?xml version="1.0"?>\n<testsuites tests="3" failures="1">\n<testsuite name="k6 thresholds" tests="3" failures="1">' +
        '<testcase name="http_req_duration{status:200} - max&lt;1000" />\n' +
        '<testcase name="http_req_duration - p(95)&lt;500" />\n' +
        '<testcase name="checks - rate&gt;0.99"><failure message="failed, number of fails: 1, number of passes: 9, rate: 0.9"/></testcase>' +
        '\n</testsuite >\n</testsuites >',
    );
    expect(junitXml(layoutData(), { name: 'acgs <smoke>' })).toContain(
      '<testsuite name="acgs &lt;smoke&gt;" tests="3"',
    );
  });
});
