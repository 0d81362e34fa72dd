/**
 * Lifecycle (k6 docs "Test lifecycle"): VU isolation - each VU has its own
 * module scope and runs init once; setup runs once and its data reaches every
 * VU JSON round-tripped; teardown gets it too; __VU is 0 in the init of the
 * options-reading instance and in setup/teardown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, runScript, startServer, type TestServer } from './helpers/engine-harness.ts';

let server: TestServer;
beforeAll(async () => (server = await startServer()));
afterAll(() => server.close());

describe('VU isolation', () => {
  it('a global counter incremented in one VU is not seen by another; init runs once per VU', async () => {
    const r = await runScript(`
      import exec from 'k6/execution';
      let counter = 0;
      console.log(JSON.stringify({ init: __VU }));
      export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 3 } } };
      export default function () {
        if (exec.vu.idInTest === 1) counter += 10; else counter += 1;
        console.log(JSON.stringify({ vu: __VU, iter: __ITER, counter }));
      }`);
    expect(r.result.exitCode).toBe(0);
    const logs = r.logs as Array<{ init?: number; vu?: number; iter?: number; counter?: number }>;
    // init: once for the options instance (__VU 0) and once per VU
    expect(
      logs
        .filter((l) => l.init !== undefined)
        .map((l) => l.init)
        .sort(),
    ).toEqual([0, 1, 2]);
    const vu1 = logs.filter((l) => l.vu === 1).map((l) => l.counter);
    const vu2 = logs.filter((l) => l.vu === 2).map((l) => l.counter);
    expect(vu1).toEqual([10, 20, 30]);
    expect(vu2).toEqual([1, 2, 3]);
    expect(logs.filter((l) => l.vu === 2).map((l) => l.iter)).toEqual([0, 1, 2]);
  });

  it('SharedArray is built once and read by every VU', async () => {
    const r = await runScript(`
      import { SharedArray } from 'k6/data';
      const data = new SharedArray('users', () => { console.log('built'); return [{ id: 1 }, { id: 2 }]; });
      export const options = { vus: 3, iterations: 3 };
      export default function () { console.log(JSON.stringify({ n: data.length, id: data[1].id, frozen: Object.isFrozen(data[0]) })); }`);
    expect((r.logs as unknown[]).filter((l) => l === 'built')).toHaveLength(1);
    expect((r.logs as unknown[]).filter((l) => typeof l === 'object')).toEqual(
      Array(3).fill({ n: 2, id: 2, frozen: true }),
    );
  });
});

describe('setup and teardown', () => {
  it('setup runs once; its data is JSON round-tripped to every VU and to teardown', async () => {
    const r = await runScript(`
      export const options = { vus: 2, iterations: 4 };
      export function setup() {
        console.log('setup:' + __VU);
        return { when: new Date(0), fn: () => 1, n: 7, nested: { a: [1, 2] } };
      }
      export default function (data) {
        data.n++; // each VU has its own copy
        console.log(JSON.stringify({ data, typeofWhen: typeof data.when }));
      }
      export function teardown(data) { console.log('teardown:' + __VU + ':' + JSON.stringify(data)); }`);
    expect(r.result.exitCode).toBe(0);
    const logs = r.logs as unknown[];
    expect(logs.filter((l) => l === 'setup:0')).toHaveLength(1);
    const its = logs.filter((l) => typeof l === 'object') as Array<{
      data: { n: number; when: string; fn?: unknown };
      typeofWhen: string;
    }>;
    expect(its).toHaveLength(4);
    for (const it of its) {
      expect(it.typeofWhen).toBe('string'); // a Date became its JSON string
      expect(it.data.when).toBe('1970-01-01T00:00:00.000Z');
      expect('fn' in it.data).toBe(false); // functions do not survive JSON
    }
    // a VU mutating its copy sees its own increments only
    expect(Math.max(...its.map((i) => i.data.n))).toBeLessThanOrEqual(9);
    expect(logs).toContain('teardown:0:{"when":"1970-01-01T00:00:00.000Z","n":7,"nested":{"a":[1,2]}}');
  });

  it('an exception in an iteration is logged and the test goes on', async () => {
    const r = await runScript(`
      export const options = { iterations: 3 };
      export default function () { throw new Error('boom in iteration'); }`);
    expect(r.result.exitCode).toBe(0);
    expect(metric(r, 'iterations')!.count).toBe(3);
    expect(r.stderr.match(/level=error msg="Error: boom in iteration/g)).toHaveLength(3);
    expect(r.stderr).toContain('source=stacktrace');
  });

  it('an exception in setup is a script error (107)', async () => {
    const r = await runScript(`export function setup() { throw new Error('no setup'); } export default function () {}`);
    expect(r.result.exitCode).toBe(107);
    expect(r.stderr).toContain('setup: Error: no setup');
  });

  it('an exception in init code is a script error (107)', async () => {
    const r = await runScript(`throw new Error('bad init'); export default function () {}`);
    expect(r.result.exitCode).toBe(107);
    expect(r.stderr).toContain('bad init');
  });

  it('exec.test.options and __ENV from -e reach the script', async () => {
    const r = await runScript(
      `import exec from 'k6/execution';
      export const options = { iterations: 1, tags: { team: 'gov' } };
      export default function () { console.log(JSON.stringify({ it: exec.test.options.iterations, env: __ENV.FOO, sc: exec.test.options.scenarios.default.executor })); }`,
      { env: { FOO: 'bar' } },
    );
    expect(r.logs).toEqual([{ it: 1, env: 'bar', sc: 'shared-iterations' }]);
  });

  it('TypeScript scripts are bundled with the shared k6 options', async () => {
    const r = await runScript(
      `import { check } from 'k6';
      interface Row { id: number }
      const rows: Row[] = [{ id: 1 }];
      export default function (): void { check(rows[0], { 'has id': (r: Row) => r.id === 1 }); }`,
      {},
      'ts',
    );
    expect(r.result.exitCode).toBe(0);
    expect(metric(r, 'checks')!.rate).toBe(1);
  });
});
