/**
 * Synchronous k6 scripts on the embedded engine (engine/sync/): the script
 * shape of k6's documentation (`http.get()`, `check()`, `sleep()` that blocks,
 * `group()` with a plain function) runs unmodified, each VU in a worker
 * thread, with the metrics, tags and counts k6 gives; interrupts (gracefulStop,
 * test.abort) reach a blocked VU; setup/teardown may block too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { metric, runScript, startServer, tempDir, type TestServer } from './helpers/engine-harness.ts';
import { usesBlockingCalls } from '../engine/sync/index.ts';

let server: TestServer;
let hang: TestServer;
beforeAll(async () => {
  server = await startServer();
  hang = await startServer(() => {
    /* never answers */
  });
});
afterAll(async () => {
  await server.close();
  await hang.close();
});

describe('sync scripts', { timeout: 60_000 }, () => {
  it("k6's documented script shape runs unmodified: http.get, check, sleep, with k6's metrics and counts", async () => {
    const before = server.requests;
    const r = await runScript(`import http from 'k6/http';
      import { check, sleep } from 'k6';
      export const options = { vus: 2, iterations: 6 };
      export default function () {
        const res = http.get('${server.url}/');
        check(res, { 'status is 200': (r) => r.status === 200, 'has items': (r) => r.json('items.#') === 3 });
        sleep(0.05);
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(server.requests - before).toBe(6);
    expect(metric(r, 'http_reqs')!.count).toBe(6);
    expect(metric(r, 'iterations')!.count).toBe(6);
    expect(metric(r, 'checks')).toMatchObject({ passes: 12, fails: 0 });
    expect(metric(r, 'http_req_failed')).toMatchObject({ rate: 0 });
    expect(metric(r, 'vus_max')!.value).toBe(2);
    // sleep(0.05) blocked each iteration
    expect(metric(r, 'iteration_duration')!.min).toBeGreaterThanOrEqual(50);
    for (const m of ['http_req_duration', 'http_req_waiting', 'data_sent', 'data_received', 'iteration_duration'])
      expect(metric(r, m), m).toBeDefined();
    expect(r.stderr).not.toContain('sleep() returned before the iteration ended');
  });

  it('sleep() blocks the VU for its time, as in k6', async () => {
    const r = await runScript(`import { sleep } from 'k6'; import http from 'k6/http';
      export const options = { vus: 1, iterations: 3 };
      export default function () { sleep(0.2); if (__ITER === 99) http.get('x'); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(metric(r, 'iteration_duration')!.min).toBeGreaterThanOrEqual(199);
    expect(r.result.summary!.state.testRunDurationMs).toBeGreaterThanOrEqual(600);
  });

  it('group() with a plain function: group_duration, the group tag on requests and checks, the group tree', async () => {
    const r = await runScript(`import http from 'k6/http';
      import { check, group } from 'k6';
      export const options = { iterations: 2, thresholds: {
        'http_reqs{group:::login}': ['count==2'], 'http_reqs{group:::login::inner}': ['count==2'],
        'group_duration{group:::login}': ['max>=0'] } };
      export default function () {
        group('login', () => {
          check(http.get('${server.url}/a'), { ok: (r) => r.status === 200 });
          group('inner', () => { http.post('${server.url}/b', 'x'); });
        });
        http.get('${server.url}/c');
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(metric(r, 'http_reqs')!.count).toBe(6);
    expect(metric(r, 'group_duration')!.max).toBeGreaterThan(0);
    const root = r.result.summary!.root_group;
    expect(root.groups.map((g) => g.name)).toEqual(['login']);
    expect(root.groups[0].checks).toMatchObject([{ name: 'ok', passes: 2, fails: 0 }]);
    expect(root.groups[0].groups.map((g) => g.name)).toEqual(['inner']);
    const th = r.result.summary!.metrics['http_reqs{group:::login}'];
    expect(th.thresholds).toEqual({ 'count==2': { ok: true } });
  });

  it('a threshold over a sync script can fail (exit 99)', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { iterations: 2, thresholds: { http_reqs: ['count>5'] } };
      export default function () { http.get('${server.url}/'); }`);
    expect(r.result.exitCode).toBe(99);
  });

  it('http.batch (array and object), post/put/patch/del/head/options/request', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { iterations: 1 };
      export default function () {
        const a = http.batch(['${server.url}/1', ['POST', '${server.url}/2', 'x'], { method: 'PUT', url: '${server.url}/3', body: 'y' }]);
        const o = http.batch({ one: '${server.url}/o1', two: ['GET', '${server.url}/o2'] });
        const rest = [http.post('${server.url}/p', { a: 1 }), http.put('${server.url}/u', 'x'), http.patch('${server.url}/pa', 'x'),
          http.del('${server.url}/d'), http.head('${server.url}/h'), http.options('${server.url}/op'), http.request('GET', '${server.url}/r')];
        console.log(JSON.stringify({ a: a.map((x) => x.request.method + ' ' + x.status), o: Object.keys(o).map((k) => k + ':' + o[k].json('path')),
          rest: rest.map((x) => x.request.method + ' ' + x.status), body: rest[0].request.body }));
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(r.logs).toEqual([
      {
        a: ['GET 200', 'POST 200', 'PUT 200'],
        o: ['one:/o1', 'two:/o2'],
        rest: ['POST 200', 'PUT 200', 'PATCH 200', 'DELETE 200', 'HEAD 200', 'OPTIONS 200', 'GET 200'],
        body: 'a=1',
      },
    ]);
    expect(metric(r, 'http_reqs')!.count).toBe(12);
  });

  it('setup() and teardown() may block too; setup data reaches every VU', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { vus: 2, iterations: 2 };
      export function setup() { return { path: http.get('${server.url}/setup').json('path') }; }
      export default function (data) { console.log(JSON.stringify({ vu: __VU, path: data.path })); }
      export function teardown(data) { http.get('${server.url}/teardown'); console.log(JSON.stringify({ td: data.path, vu: __VU })); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(r.logs).toContainEqual({ td: '/setup', vu: 0 });
    expect(r.logs.filter((l) => (l as { path?: string }).path === '/setup')).toHaveLength(2);
    expect(metric(r, 'http_reqs')!.count).toBe(2);
  });

  it('gracefulStop interrupts a VU blocked in sleep() or in a request, and the run ends on time', async () => {
    const t0 = Date.now();
    const r = await runScript(`import http from 'k6/http'; import { sleep } from 'k6';
      export const options = { scenarios: {
        sleepy: { executor: 'constant-vus', vus: 1, duration: '500ms', gracefulStop: '200ms', exec: 'sleepy' },
        stuck: { executor: 'constant-vus', vus: 1, duration: '500ms', gracefulStop: '200ms', exec: 'stuck' } } };
      export function sleepy() { sleep(30); }
      export function stuck() { http.get('${hang.url}/'); }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.result.summary!.state.testRunDurationMs).toBeLessThan(3000);
    expect(metric(r, 'iterations')).toBeUndefined(); // interrupted iterations are not counted, as in k6
  });

  it('an iteration that never blocks (a busy loop) is ended at gracefulStop too; its VU gets a new worker', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 3, maxDuration: '1s', gracefulStop: '0s' } } };
      export default function () { if (__ITER === 99) http.get('x'); for (;;) {} }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(r.result.summary!.state.testRunDurationMs).toBeLessThan(6000);
  });

  it('test.abort() in a sync script ends the run with 108', async () => {
    const r = await runScript(`import http from 'k6/http'; import exec from 'k6/execution'; import { sleep } from 'k6';
      export const options = { vus: 2, duration: '20s' };
      export default function () { http.get('${server.url}/'); if (exec.vu.iterationInScenario === 1) exec.test.abort('enough'); sleep(0.05); }`);
    expect(r.result.exitCode).toBe(108);
    expect(r.result.summary!.state.testRunDurationMs).toBeLessThan(10_000);
  });

  it('custom metrics, k6/execution and __VU/__ITER inside the worker; an exception ends the iteration, not the test', async () => {
    const r =
      await runScript(`import http from 'k6/http'; import exec from 'k6/execution'; import { Counter, Trend } from 'k6/metrics';
      const c = new Counter('my_counter'); const t = new Trend('my_trend', true);
      export const options = { vus: 1, iterations: 3 };
      export default function () {
        c.add(2, { kind: 'x' }); t.add(5);
        console.log(JSON.stringify({ vu: __VU, iter: __ITER, id: exec.vu.idInTest, sc: exec.scenario.name, it: exec.scenario.iterationInTest }));
        if (__ITER === 1) throw new Error('boom in sync');
        http.get('${server.url}/');
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(r.logs).toEqual([0, 1, 2].map((i) => ({ vu: 1, iter: i, id: 1, sc: 'default', it: i })));
    expect(metric(r, 'my_counter')!.count).toBe(6);
    expect(metric(r, 'my_trend')!.avg).toBe(5);
    expect(metric(r, 'http_reqs')!.count).toBe(2);
    expect(metric(r, 'iterations')!.count).toBe(3); // k6 counts an iteration that threw (only interrupted ones are not)
    expect(r.stderr).toContain('boom in sync');
    expect(r.stderr).toMatch(/script\.js:\d+/);
  });

  it('an exception in the init code of a sync VU is a script error (107)', async () => {
    const r = await runScript(`import http from 'k6/http';
      if (__VU === 1) throw new Error('bad init in vu 1');
      export default function () { http.get('${server.url}/'); }`);
    expect(r.result.exitCode).toBe(107);
    expect(r.stderr).toContain('bad init in vu 1');
  });

  it('which scripts are sync: a blocking k6/http function used by name, in any import form', () => {
    const src = (code: string) => code;
    expect(usesBlockingCalls(src('var import_http = __toESM(require("k6/http"));\nimport_http.default.get(u);'))).toBe(
      true,
    );
    expect(usesBlockingCalls(src('var http = __toESM(require("k6/http"));\nhttp.batch([]);'))).toBe(true);
    expect(usesBlockingCalls(src('var import_http = require("k6/http");\n(0, import_http.post)(u);'))).toBe(true);
    expect(
      usesBlockingCalls(
        src('var import_http = __toESM(require("k6/http"));\nawait import_http.default.asyncRequest("GET", u);'),
      ),
    ).toBe(false);
    expect(usesBlockingCalls(src('var m = new Map(); m.get(1);'))).toBe(false);
    expect(
      usesBlockingCalls(src('var import_http = __toESM(require("k6/http"));\nother.get(1); my_import_http.get(2);')),
    ).toBe(false);
  });

  it('an NDJSON stream of a sync run carries the request tags k6 gives (method, status, url, name, group, scenario)', async () => {
    const file = join(tempDir(), 'stream.json');
    const r0 = await runScript(
      `import http from 'k6/http'; import { group } from 'k6';
      export const options = { iterations: 1 };
      export default function () { group('g', () => http.get('${server.url}/x', { tags: { mine: 'y' } })); }`,
      {
        out: [`json=${file}`],
      },
    );
    expect(r0.result.exitCode, r0.stderr).toBe(0);
    const points = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; metric: string; data: { tags?: Record<string, string> } })
      .filter((p) => p.type === 'Point');
    const req = points.find((p) => p.metric === 'http_reqs')!;
    expect(req.data.tags).toMatchObject({
      method: 'GET',
      status: '200',
      url: `${server.url}/x`,
      name: `${server.url}/x`,
      group: '::g',
      scenario: 'default',
      mine: 'y',
      expected_response: 'true',
    });
    const gd = points.find((p) => p.metric === 'group_duration')!;
    expect(gd.data.tags).toMatchObject({ group: '::g', scenario: 'default' });
    expect(points.find((p) => p.metric === 'iterations')!.data.tags).toMatchObject({ group: '', scenario: 'default' });
  });

  it('runs from the compiled CLI: the VU worker is a bundle of its own in dist/, started beside the CLI', async () => {
    const dist = `.dist-sync-${randomBytes(3).toString('hex')}`;
    try {
      const dir = tempDir();
      const script = join(dir, 'sync.js');
      writeFileSync(
        script,
        `import http from 'k6/http'; import { check, sleep } from 'k6';
        export const options = { vus: 2, iterations: 4 };
        export default function () { check(http.get('${server.url}/'), { ok: (r) => r.status === 200 }); sleep(0.01); }`,
      );
      const summary = join(dir, 'summary.json');
      // async: the test server answers from this process
      const r = await promisify(execFile)(
        process.execPath,
        ['bin/acgs-load.js', 'k6', 'run', '--engine', 'embedded', '-q', '--summary-export', summary, script],
        { encoding: 'utf8', env: { ...process.env, ACGS_PROFILE: '', ACGS_DIST_NAME: dist } },
      );
      expect(r.stderr).toMatch(/compiled \.dist-sync-\w+\//);
      expect(statSync(`${dist}/vu-worker.mjs`).size).toBeGreaterThan(0);
      const m = (JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, Record<string, number>> })
        .metrics;
      expect(m.http_reqs.count).toBe(4);
      expect(m.checks).toMatchObject({ passes: 4, fails: 0 });
      // the worker is started by this name, beside the bundle as beside the sources
      expect(readFileSync('engine/sync/remote-vu.ts', 'utf8')).toContain("new URL('./vu-worker.mjs', import.meta.url)");
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
