/**
 * Conformance of the embedded engine with k6's documentation: each case is
 * an example from the k6 docs (the page is named), run against a local
 * node:http server on 127.0.0.1 instead of the docs' test sites, and checked
 * against the outcome k6 documents: exit code, counts, metric names and
 * threshold verdicts. Where an example's figures are time-bound (durations,
 * sleeps) they are scaled down; the counts they imply are scaled with them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, runScript, startServer, type ScriptRun, type TestServer } from './helpers/engine-harness.ts';

let server: TestServer;
beforeAll(async () => {
  // the docs' examples hit test.k6.io / quickpizza: here one local server answers them all
  server = await startServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const status = Number(u.searchParams.get('status') ?? 200);
    const delay = Number(u.searchParams.get('delay') ?? 0);
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status < 400, path: u.pathname }));
    }, delay);
  });
});
afterAll(() => server.close());

/** Builtin metrics k6 reports for a script that makes HTTP requests and checks (k6 docs "Built-in metrics"). */
const HTTP_METRICS = [
  'checks',
  'data_received',
  'data_sent',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_duration',
  'http_req_duration{expected_response:true}',
  'http_req_failed',
  'http_req_receiving',
  'http_req_sending',
  'http_req_tls_handshaking',
  'http_req_waiting',
  'http_reqs',
  'iteration_duration',
  'iterations',
  'vus',
  'vus_max',
];

/** The metric names of a run's summary (the engine's own self-monitoring metrics aside). */
const names = (r: ScriptRun): string[] =>
  Object.keys(r.result.summary!.metrics)
    .filter((n) => !n.startsWith('engine_'))
    .sort();

const threshold = (r: ScriptRun, key: string, expr: string): boolean | undefined =>
  r.result.summary!.metrics[key]?.thresholds?.[expr]?.ok;

describe("k6's documented examples on the embedded engine", { timeout: 60_000 }, () => {
  it('"Write your first test": http.get, check, sleep(1) as k6 writes it — exit 0, k6\'s metric names and counts', async () => {
    const r = await runScript(`import http from 'k6/http';
      import { check, sleep } from 'k6';
      export const options = { vus: 2, iterations: 4 };
      export default function () {
        const res = http.get('${server.url}/');
        check(res, { 'status is 200': (r) => r.status === 200 });
        sleep(1);
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(names(r)).toEqual(HTTP_METRICS);
    expect(metric(r, 'http_reqs')!.count).toBe(4);
    expect(metric(r, 'iterations')!.count).toBe(4);
    expect(metric(r, 'checks')).toMatchObject({ passes: 4, fails: 0, rate: 1 });
    expect(metric(r, 'http_req_failed')).toMatchObject({ passes: 0, fails: 4, rate: 0 });
    expect(metric(r, 'vus_max')!.value).toBe(2);
    // each iteration slept one second: 2 VUs x 2 iterations take 2 s
    expect(metric(r, 'iteration_duration')!.min).toBeGreaterThanOrEqual(1000);
    expect(r.result.summary!.state.testRunDurationMs).toBeGreaterThanOrEqual(2000);
    expect(metric(r, 'data_sent')!.count).toBeGreaterThan(4 * 50);
    expect(metric(r, 'data_received')!.count).toBeGreaterThan(4 * 50);
  });

  it('"Thresholds": http_req_failed rate<0.01 and p(95)<200 pass against a healthy server (exit 0)', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { iterations: 10, thresholds: {
        http_req_failed: ['rate<0.01'], // http errors should be less than 1%
        http_req_duration: ['p(95)<200'], // 95% of requests should be below 200ms
      } };
      export default function () { http.get('${server.url}/'); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(threshold(r, 'http_req_failed', 'rate<0.01')).toBe(true);
    expect(threshold(r, 'http_req_duration', 'p(95)<200')).toBe(true);
  });

  it('"Thresholds": the same thresholds against a failing, slow server are crossed (exit 99)', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { iterations: 4, thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<200'] } };
      export default function () { http.get('${server.url}/?status=500&delay=250'); }`);
    expect(r.result.exitCode).toBe(99);
    expect(threshold(r, 'http_req_failed', 'rate<0.01')).toBe(false);
    expect(threshold(r, 'http_req_duration', 'p(95)<200')).toBe(false);
    expect(r.stderr).toMatch(
      /thresholds on metrics '(http_req_duration|http_req_failed)', '(http_req_duration|http_req_failed)' have been crossed/,
    );
  });

  it('"Checks" — "Fail a load test using checks": checks rate>0.9 with failing checks ends with 99', async () => {
    const r = await runScript(`import http from 'k6/http';
      import { check } from 'k6';
      export const options = { vus: 2, iterations: 6, thresholds: { checks: ['rate>0.9'] } };
      export default function () {
        const res = http.get('${server.url}/?status=' + (__ITER % 2 ? 500 : 200));
        check(res, { 'status is 200': (r) => r.status === 200, 'body size is not 0': (r) => r.body.length > 0 });
      }`);
    expect(r.result.exitCode).toBe(99);
    expect(metric(r, 'checks')!.passes + metric(r, 'checks')!.fails).toBe(12);
    expect(threshold(r, 'checks', 'rate>0.9')).toBe(false);
    const checks = r.result.summary!.root_group.checks;
    expect(checks.map((c) => c.name)).toEqual(['status is 200', 'body size is not 0']);
    expect(checks[1]).toMatchObject({ passes: 6, fails: 0 });
  });

  it('"Groups": group() with plain functions gives group_duration per group and the group tree', async () => {
    const r = await runScript(`import http from 'k6/http';
      import { group } from 'k6';
      export const options = { iterations: 2, thresholds: {
        'group_duration{group:::visit product listing page}': ['avg<2000'],
        'http_reqs{group:::add several products to the shopping cart}': ['count==4'] } };
      export default function () {
        group('visit product listing page', function () { http.get('${server.url}/products'); });
        group('add several products to the shopping cart', function () { http.post('${server.url}/cart', 'a'); http.post('${server.url}/cart', 'b'); });
        group('visit login page', function () { http.get('${server.url}/login'); });
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(names(r)).toContain('group_duration');
    expect(r.result.summary!.root_group.groups.map((g) => g.name)).toEqual([
      'visit product listing page',
      'add several products to the shopping cart',
      'visit login page',
    ]);
    expect(threshold(r, 'http_reqs{group:::add several products to the shopping cart}', 'count==4')).toBe(true);
    expect(metric(r, 'http_reqs')!.count).toBe(8);
  });

  it('"Per VU iterations": 2 VUs x 3 iterations = 6 iterations', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { scenarios: { contacts: { executor: 'per-vu-iterations', vus: 2, iterations: 3, maxDuration: '30s' } } };
      export default function () { http.get('${server.url}/contacts'); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(metric(r, 'iterations')!.count).toBe(6);
    expect(metric(r, 'http_reqs')!.count).toBe(6);
  });

  it('"Shared iterations": 10 iterations shared by 3 VUs', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { scenarios: { contacts: { executor: 'shared-iterations', vus: 3, iterations: 10, maxDuration: '30s' } } };
      export default function () { http.get('${server.url}/contacts'); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(metric(r, 'iterations')!.count).toBe(10);
    expect(metric(r, 'vus_max')!.value).toBe(3);
  });

  it('"Constant arrival rate": 10 iterations per second for 1 s start 10 iterations', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { scenarios: { contacts: { executor: 'constant-arrival-rate', duration: '1s', rate: 10, timeUnit: '1s', preAllocatedVUs: 2 } } };
      export default function () { http.get('${server.url}/contacts'); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(metric(r, 'iterations')!.count).toBeGreaterThanOrEqual(9);
    expect(metric(r, 'iterations')!.count).toBeLessThanOrEqual(11);
  });

  it('"Test lifecycle": setup() data reaches default() and teardown(); setup requests count', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { vus: 1, iterations: 2 };
      export function setup() { const res = http.get('${server.url}/setup'); return { v: res.json('path') }; }
      export default function (data) { console.log(JSON.stringify({ d: data.v })); }
      export function teardown(data) { console.log(JSON.stringify({ t: data.v })); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(r.logs).toEqual([{ d: '/setup' }, { d: '/setup' }, { t: '/setup' }]);
    expect(metric(r, 'http_reqs')!.count).toBe(1);
  });

  it('"Create custom metrics": a Trend of r.timings.waiting has one sample per request', async () => {
    const r = await runScript(`import http from 'k6/http';
      import { Trend } from 'k6/metrics';
      const myTrend = new Trend('waiting_time');
      export const options = { iterations: 3 };
      export default function () { const r = http.get('${server.url}/'); myTrend.add(r.timings.waiting); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(names(r)).toContain('waiting_time');
    expect(metric(r, 'waiting_time')!.max).toBeGreaterThanOrEqual(0);
  });

  it('"batch( requests )": three requests in one batch, tags per request, checks on the responses', async () => {
    const r = await runScript(`import http from 'k6/http';
      import { check } from 'k6';
      export const options = { iterations: 2, thresholds: { 'http_reqs{ctype:images}': ['count==4'] } };
      export default function () {
        const responses = http.batch([
          ['GET', '${server.url}/', null, { tags: { ctype: 'html' } }],
          ['GET', '${server.url}/style.css', null, { tags: { ctype: 'css' } }],
          ['GET', '${server.url}/images/logo.png', null, { tags: { ctype: 'images' } }],
          ['GET', '${server.url}/images/other.png', null, { tags: { ctype: 'images' } }],
        ]);
        check(responses[0], { 'main page status was 200': (res) => res.status === 200 });
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(metric(r, 'http_reqs')!.count).toBe(8);
    expect(threshold(r, 'http_reqs{ctype:images}', 'count==4')).toBe(true);
    expect(metric(r, 'checks')).toMatchObject({ passes: 2, fails: 0 });
  });

  it('"Thresholds" — abortOnFail: the test stops early and exits 99', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { vus: 1, duration: '20s', thresholds: {
        http_req_duration: [{ threshold: 'p(99) < 10', abortOnFail: true, delayAbortEval: '100ms' }] } };
      export default function () { http.get('${server.url}/?delay=50'); }`);
    expect(r.result.exitCode).toBe(99);
    expect(r.result.summary!.state.testRunDurationMs).toBeLessThan(15_000);
  });

  it('"test.abort()": exit 108', async () => {
    const r = await runScript(`import http from 'k6/http';
      import exec from 'k6/execution';
      export const options = { vus: 1, duration: '20s' };
      export default function () { const res = http.get('${server.url}/?status=500'); if (res.status !== 200) exec.test.abort('server down'); }`);
    expect(r.result.exitCode).toBe(108);
    expect(metric(r, 'http_reqs')!.count).toBe(1);
  });

  it('"expectedStatuses": a 404 counted as expected does not fail http_req_failed', async () => {
    const r = await runScript(`import http from 'k6/http';
      http.setResponseCallback(http.expectedStatuses(200, 404));
      export const options = { iterations: 2, thresholds: { http_req_failed: ['rate==0'] } };
      export default function () { http.get('${server.url}/?status=404'); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(metric(r, 'http_req_failed')).toMatchObject({ rate: 0 });
  });

  it('the async form (http.asyncRequest, await sleep) gives the same metric names and counts', async () => {
    const r = await runScript(`import http from 'k6/http';
      import { check, sleep } from 'k6';
      export const options = { vus: 2, iterations: 4 };
      export default async function () {
        const res = await http.asyncRequest('GET', '${server.url}/');
        check(res, { 'status is 200': (r) => r.status === 200 });
        await sleep(0.1);
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(names(r)).toEqual(HTTP_METRICS);
    expect(metric(r, 'http_reqs')!.count).toBe(4);
    expect(metric(r, 'checks')).toMatchObject({ passes: 4, fails: 0 });
  });
});
