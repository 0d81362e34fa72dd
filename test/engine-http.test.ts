/**
 * k6/http in the embedded engine (k6 docs "k6/http", "Response", "Error
 * codes"): asyncRequest and the Response, tags and metrics, expected
 * statuses, the blocking-call error, and k6's error codes for a refused
 * connection and a timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { metric, runScript, startServer, type TestServer } from './helpers/engine-harness.ts';
import { blockingCallMessage } from '../engine/index.ts';

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

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('http', () => {
  it('asyncRequest returns a k6 Response with status, headers, body, json() and timings', async () => {
    const r = await runScript(`import http from 'k6/http';
      export default async function () {
        const res = await http.asyncRequest('POST', '${server.url}/p?x=1', JSON.stringify({ a: 1 }), { headers: { 'Content-Type': 'application/json' }, tags: { query_type: 'join' } });
        console.log(JSON.stringify({ status: res.status, ct: res.headers['Content-Type'], path: res.json('path'), n: res.json('items.#'), t: Object.keys(res.timings).sort(), err: res.error, code: res.error_code, method: res.request.method, dur: res.timings.duration >= 0 }));
      }`);
    expect(r.logs).toEqual([
      {
        status: 200,
        ct: 'application/json',
        path: '/p?x=1',
        n: 3,
        t: ['blocked', 'connecting', 'duration', 'receiving', 'sending', 'tls_handshaking', 'waiting'],
        err: '',
        code: 0,
        method: 'POST',
        dur: true,
      },
    ]);
    expect(metric(r, 'http_reqs')!.count).toBe(1);
    expect(metric(r, 'data_sent')!.count).toBeGreaterThan(50);
    expect(metric(r, 'data_received')!.count).toBeGreaterThan(50);
  });

  it('http_req_failed follows the expected statuses (default 200-399; expectedStatuses; null turns it off)', async () => {
    const r = await runScript(`import http from 'k6/http';
      export const options = { iterations: 1 };
      export default async function () {
        await http.asyncRequest('GET', '${server.url}/?status=404');
        await http.asyncRequest('GET', '${server.url}/?status=404', null, { responseCallback: http.expectedStatuses(404, { min: 200, max: 299 }) });
        http.setResponseCallback(null);
        await http.asyncRequest('GET', '${server.url}/?status=500');
      }`);
    expect(metric(r, 'http_reqs')!.count).toBe(3);
    expect(metric(r, 'http_req_failed')).toMatchObject({ passes: 1, fails: 1 });
  });

  it('a blocking call hidden from the sync detection (http[name]) fails at once with a message naming the fix', async () => {
    // http.get() written by name runs (test/engine-sync.test.ts); a computed name is not seen
    const before = server.requests;
    const r = await runScript(`import http from 'k6/http';
      export const options = { iterations: 1 };
      const m = 'g' + 'et';
      export default function () { http[m]('${server.url}/'); }`);
    expect(r.result.exitCode).toBe(107);
    expect(r.stderr).toContain('http.get() is a blocking call, but the script was loaded as an async script');
    expect(r.stderr).toContain('http.asyncRequest');
    expect(server.requests).toBe(before);
    expect(blockingCallMessage('get')).toBe(
      'http.get() is a blocking call, but the script was loaded as an async script because its source shows no blocking call; call it by name (http.get(...)) so the engine runs the script\'s VUs in worker threads, use `await http.asyncRequest("GET", url)`, or run the script with real k6 (--engine k6)',
    );
  });

  it('a refused connection gives error_code 1212 and status 0', async () => {
    const port = await closedPort();
    const r = await runScript(`import http from 'k6/http';
      export default async function () { const res = await http.asyncRequest('GET', 'http://127.0.0.1:${port}/'); console.log(JSON.stringify({ s: res.status, c: res.error_code, e: res.error, b: res.body })); }`);
    expect(r.logs).toEqual([{ s: 0, c: 1212, e: 'dial: connection refused', b: null }]);
    expect(metric(r, 'http_req_failed')!.rate).toBe(1);
    expect(r.stderr).toContain('Request Failed');
  });

  it('a request slower than its timeout gives error_code 1050', async () => {
    const r = await runScript(`import http from 'k6/http';
      export default async function () { const res = await http.asyncRequest('GET', '${hang.url}/', null, { timeout: '300ms' }); console.log(JSON.stringify({ s: res.status, c: res.error_code, e: res.error })); }`);
    expect(r.logs).toEqual([{ s: 0, c: 1050, e: 'request timeout' }]);
  });

  it('test.abort() ends the run with exit code 108', async () => {
    const r = await runScript(`import exec from 'k6/execution'; import { sleep } from 'k6';
      export const options = { vus: 2, duration: '10s' };
      export default async function () { if (exec.vu.idInTest === 1 && exec.vu.iterationInScenario === 2) exec.test.abort('enough'); await sleep(0.05); }`);
    expect(r.result.exitCode).toBe(108);
    expect(r.result.summary!.state.testRunDurationMs).toBeLessThan(8000);
  });

  it('a syntax error is a script error (107) that names file and line', async () => {
    const r = await runScript('export default function () {\n  const x = ;\n}\n');
    expect(r.result.exitCode).toBe(107);
    expect(r.stderr).toMatch(/script\.js:2:\d+/);
  });

  it('group() rejects async functions as k6 does; check and group tag samples', async () => {
    const r = await runScript(`import { group } from 'k6';
      export default function () { group('g', async () => {}); }`);
    expect(r.stderr).toContain('group() does not support async functions');
  });

  it('an unsupported module is a script error (107) that says to use real k6', async () => {
    const r = await runScript(`import ws from 'k6/ws'; export default function () {}`);
    expect(r.result.exitCode).toBe(107);
    expect(r.stderr).toContain('not supported by the embedded engine');
  });
});

describe('--rps, --throw, --http-debug (here as script options, which the flags set)', () => {
  it('rps spaces the requests of all VUs together: 20 at 50/s take at least 19 slots of 20 ms', async () => {
    const arrivals: number[] = [];
    const timed = await startServer((_req, res) => {
      arrivals.push(performance.now());
      res.end('ok');
    });
    try {
      const r = await runScript(`import http from 'k6/http';
        export const options = { vus: 4, iterations: 20, rps: 50 };
        export default async function () { await http.asyncRequest('GET', '${timed.url}/'); }`);
      expect(r.result.exitCode).toBe(0);
      expect(metric(r, 'http_reqs')!.count).toBe(20);
      expect(arrivals).toHaveLength(20);
      // broken on purpose: without the limit 4 VUs send 20 requests to a local server in far less than 0.38 s
      expect(arrivals[19] - arrivals[0]).toBeGreaterThanOrEqual(19 * 20 * 0.95);
    } finally {
      await timed.close();
    }
  });

  it('throw: a request that gets no response throws its error (metrics still counted); without it, a Response with error', async () => {
    const port = await closedPort();
    const script = (opt: string) => `import http from 'k6/http';
      export const options = { iterations: 1${opt} };
      export default async function () {
        try { const res = await http.asyncRequest('GET', 'http://127.0.0.1:${port}/'); console.log('RETURNED ' + res.error_code); }
        catch (e) { console.log('THREW ' + e.message); }
      }`;
    const thrown = await runScript(script(', throw: true'));
    expect(thrown.logs).toHaveLength(1);
    expect(thrown.logs[0]).toMatch(new RegExp(`^THREW GET "http://127\\.0\\.0\\.1:${port}/": .*connection refused`));
    expect(metric(thrown, 'http_reqs')!.count).toBe(1);
    expect(thrown.stderr).not.toContain('Request Failed');
    const returned = await runScript(script(''));
    expect(returned.logs).toEqual(['RETURNED 1212']);
    expect(returned.stderr).toContain('Request Failed');
  });

  it('httpDebug logs each request and response, bodies only with "full"', async () => {
    const script = (mode: string) => `import http from 'k6/http';
      export const options = { iterations: 1, httpDebug: '${mode}' };
      export default async function () { await http.asyncRequest('POST', '${server.url}/dbg?q=1', 'hello-body'); }`;
    const full = await runScript(script('full'));
    expect(full.stderr).toMatch(/level=info msg="Request:\\nPOST \/dbg\?q=1 HTTP\/1\.1\\nHost: 127\.0\.0\.1:\d+\\n/);
    expect(full.stderr).toContain('hello-body');
    expect(full.stderr).toMatch(/level=info msg="Response:\\nHTTP\/1\.1 200 OK\\n/);
    expect(full.stderr).toContain('items');
    const headers = await runScript(script('headers'));
    expect(headers.stderr).toMatch(/msg="Request:\\nPOST \/dbg\?q=1 HTTP\/1\.1/);
    expect(headers.stderr).not.toContain('hello-body');
    expect(headers.stderr).not.toContain('items');
    const off = await runScript(script(''.padEnd(0)).replace(", httpDebug: ''", ''));
    expect(off.stderr).not.toContain('Request:');
  });
});
