/**
 * Outputs (k6 docs "End-of-test summary", "JSON output"): the text summary,
 * --summary-export, --out json NDJSON, handleSummary's map, --console-output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScript, startServer, tempDir, type TestServer } from './helpers/engine-harness.ts';

let server: TestServer;
beforeAll(async () => (server = await startServer()));
afterAll(() => server.close());

const script = (url: string) => `import http from 'k6/http'; import { check, group } from 'k6';
  export const options = { iterations: 3, thresholds: { http_req_duration: ['p(95)<60000'] } };
  export default async function () {
    const r = await http.asyncRequest('GET', '${url}/items', null, { tags: { name: 'items' } });
    group('checks', () => { check(r, { 'status is 200': (x) => x.status === 200, 'has items': (x) => x.json('items.#') === 3 }); });
  }`;

describe('outputs', () => {
  it('prints the text summary without handleSummary, and writes --summary-export in k6 legacy shape', async () => {
    const dir = tempDir();
    const exportFile = join(dir, 'summary.json');
    const r = await runScript(script(server.url), { summaryExport: exportFile });
    expect(r.result.exitCode).toBe(0);
    expect(r.stdout).toContain('http_reqs');
    expect(r.stdout).toContain('✓ status is 200');
    const exp = JSON.parse(readFileSync(exportFile, 'utf8'));
    expect(exp.metrics.http_reqs.count).toBe(3);
    expect(exp.metrics.http_req_duration).toHaveProperty('p(95)');
    expect(exp.root_group.groups.checks.checks['status is 200'].passes).toBe(3);
  });

  it('--out json writes a Metric line before the Point lines of each metric', async () => {
    const dir = tempDir();
    const file = join(dir, 'metrics.ndjson');
    const r = await runScript(script(server.url), { out: [`json=${file}`] });
    expect(r.result.exitCode).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const seen = new Set<string>();
    for (const l of lines) {
      if (l.type === 'Metric') seen.add(l.metric);
      else {
        expect(l.type).toBe('Point');
        expect(seen.has(l.metric)).toBe(true);
      }
    }
    const reqs = lines.filter((l) => l.type === 'Point' && l.metric === 'http_reqs');
    expect(reqs).toHaveLength(3);
    expect(reqs[0].data.tags).toMatchObject({
      method: 'GET',
      name: 'items',
      status: '200',
      url: `${server.url}/items`,
      scenario: 'default',
      expected_response: 'true',
      proto: 'HTTP/1.1',
    });
    expect(reqs[0].data.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    const durMeta = lines.find((l) => l.type === 'Metric' && l.metric === 'http_req_duration');
    expect(durMeta.data).toMatchObject({ type: 'trend', contains: 'time', thresholds: ['p(95)<60000'] });
    const check = lines.find((l) => l.type === 'Point' && l.metric === 'checks');
    expect(check.data.tags).toMatchObject({ check: 'status is 200', group: '::checks' });
  });

  it('handleSummary output goes to stdout and to the named files; the data carries the engine report', async () => {
    const dir = tempDir();
    const r = await runScript(`${script(server.url)}
      export function handleSummary(data) {
        return { stdout: 'custom summary ' + data.metrics.http_reqs.values.count + '\\n', '${dir}/out/summary.json': JSON.stringify(data), '${dir}/engine.txt': JSON.stringify(data.engine) };
      }`);
    expect(r.result.exitCode).toBe(0);
    expect(r.stdout).toContain('custom summary 3');
    expect(r.stdout).not.toContain('http_req_duration');
    const data = JSON.parse(readFileSync(join(dir, 'out/summary.json'), 'utf8'));
    expect(data.root_group.groups[0].checks.map((c: { name: string }) => c.name)).toEqual([
      'status is 200',
      'has items',
    ]);
    expect(data.metrics.http_req_duration.thresholds).toEqual({ 'p(95)<60000': { ok: true } });
    const engine = JSON.parse(readFileSync(join(dir, 'engine.txt'), 'utf8'));
    expect(engine).toMatchObject({ name: 'acgs-load embedded', limited: expect.any(Boolean) });
    expect(typeof engine.eventLoopDelayP99Ms).toBe('number');
  });

  it('--console-output receives console.log; nothing of it reaches stderr', async () => {
    const r = await runScript(`export default function () { console.log('hello', { a: 1 }); }`);
    expect(r.logs).toEqual(['hello {"a":1}']);
    expect(r.stderr).not.toContain('hello');
    expect(existsSync(join(r.dir, 'console.log'))).toBe(true);
  });
});
