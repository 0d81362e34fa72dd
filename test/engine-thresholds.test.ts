/**
 * Thresholds in a run (k6 docs "Thresholds"): passing -> 0, crossed -> 99,
 * abortOnFail stops the test early (99), and a threshold on an unknown metric
 * or with a bad expression is a configuration error (104) before any request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, runScript, startServer, type TestServer } from './helpers/engine-harness.ts';

let server: TestServer;
beforeAll(async () => (server = await startServer()));
afterAll(() => server.close());

const req = (q = '') => `import http from 'k6/http';
  export default async function () { await http.asyncRequest('GET', '${'URL'}/x${q}'); }`;

describe('thresholds', () => {
  it('passing thresholds exit 0 and are marked ok in the summary', async () => {
    const r =
      await runScript(`export const options = { iterations: 5, thresholds: { http_req_failed: ['rate<0.01'], http_reqs: ['count==5'], 'http_req_duration{status:200}': ['p(95)<10000'] } };
      ${req().replace('URL', server.url)}`);
    expect(r.result.exitCode).toBe(0);
    expect(r.result.summary!.metrics.http_req_failed.thresholds).toEqual({ 'rate<0.01': { ok: true } });
    expect(r.result.summary!.metrics['http_req_duration{status:200}'].thresholds).toEqual({
      'p(95)<10000': { ok: true },
    });
  });

  it('a crossed threshold exits 99 and names the metric', async () => {
    const r = await runScript(`export const options = { iterations: 4, thresholds: { http_req_failed: ['rate<0.01'] } };
      ${req('?status=500').replace('URL', server.url)}`);
    expect(r.result.exitCode).toBe(99);
    expect(metric(r, 'http_req_failed')!.rate).toBe(1);
    expect(r.result.summary!.metrics.http_req_failed.thresholds).toEqual({ 'rate<0.01': { ok: false } });
    expect(r.stderr).toContain("thresholds on metrics 'http_req_failed' have been crossed");
  });

  it('abortOnFail stops the test before its duration (exit 99)', async () => {
    const r = await runScript(`import { sleep } from 'k6';
      import http from 'k6/http';
      export const options = { vus: 1, duration: '20s', thresholds: { http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true }] } };
      export default async function () { await http.asyncRequest('GET', '${server.url}/x?status=503'); await sleep(0.05); }`);
    expect(r.result.exitCode).toBe(99);
    expect(r.result.summary!.state.testRunDurationMs).toBeLessThan(15_000);
    expect(r.stderr).toContain('abortOnFail');
  });

  it('a threshold on an unknown metric is an invalid config (104) before any request', async () => {
    const before = server.requests;
    const r =
      await runScript(`export const options = { vus: 1, iterations: 3, thresholds: { no_such_metric: ['count>0'] } };
      ${req().replace('URL', server.url)}`);
    expect(r.result.exitCode).toBe(104);
    expect(r.stderr).toContain('no_such_metric');
    expect(server.requests).toBe(before);
  });

  it('a bad threshold expression is an invalid config (104), every problem listed', async () => {
    const before = server.requests;
    const r =
      await runScript(`export const options = { iterations: 1, thresholds: { http_req_duration: ['p95 < 100'], checks: ['rate<<1'] } };
      ${req().replace('URL', server.url)}`);
    expect(r.result.exitCode).toBe(104);
    expect(r.stderr).toContain('p95');
    expect(r.stderr).toContain('rate<<1');
    expect(server.requests).toBe(before);
  });

  it('custom metrics defined in init code can carry thresholds; --no-thresholds skips them', async () => {
    const code = `import { Trend } from 'k6/metrics';
      const t = new Trend('query_time', true);
      export const options = { iterations: 3, thresholds: { query_time: ['max<5'] } };
      export default function () { t.add(10, { query_type: 'join' }); }`;
    expect((await runScript(code)).result.exitCode).toBe(99);
    expect((await runScript(code, { noThresholds: true })).result.exitCode).toBe(0);
  });

  it('invalid options are a config error (104) listing all problems', async () => {
    const r =
      await runScript(`export const options = { scenarios: { a: { executor: 'constant-vus' }, b: { executor: 'warp-speed' } } };
      export default function () {}`);
    expect(r.result.exitCode).toBe(104);
    expect(r.stderr).toMatch(/duration.{0,3} is required/);
    expect(r.stderr).toContain('warp-speed');
  });
});
