/**
 * Executors, from k6's docs ("Scenarios" > "Executors"): VU counts,
 * iteration counts, and the pure plans (VUs over time, iteration start
 * times). Timing assertions use wide tolerances; exact checks only on plans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, runScript, startServer, type TestServer } from './helpers/engine-harness.ts';
import { rampingVusSteps } from '../engine/executors/ramping-vus.ts';
import { constantArrivalOffsets } from '../engine/executors/constant-arrival-rate.ts';
import { rampingArrivalOffsets } from '../engine/executors/ramping-arrival-rate.ts';

let server: TestServer;
beforeAll(async () => (server = await startServer()));
afterAll(() => server.close());

const logVu = `import exec from 'k6/execution'; import { sleep } from 'k6';
const log = () => console.log(JSON.stringify({ vu: exec.vu.idInTest, it: exec.scenario.iterationInTest, sc: exec.scenario.name, vuIter: exec.vu.iterationInScenario }));`;

describe('plans (pure)', () => {
  it('ramping-vus adds the k-th VU at d*k/(b-a) and removes one every d/(a-b) (k6 getRawExecutionSteps)', () => {
    const steps = rampingVusSteps(0, [
      { durationMs: 10_000, target: 10 },
      { durationMs: 10_000, target: 0 },
    ]);
    expect(steps.slice(0, 3)).toEqual([
      { atMs: 0, vus: 0 },
      { atMs: 1000, vus: 1 },
      { atMs: 2000, vus: 2 },
    ]);
    expect(steps.find((s) => s.vus === 10)!.atMs).toBe(10_000);
    expect(steps.find((s) => s.atMs === 11_000)!.vus).toBe(9);
    expect(steps[steps.length - 1]).toEqual({ atMs: 20_000, vus: 0 });
    expect(steps.filter((s) => s.atMs <= 5500).at(-1)!.vus).toBe(5); // the VUs planned at 5.5 s
    // a zero-length stage jumps at once
    expect(
      rampingVusSteps(2, [
        { durationMs: 0, target: 5 },
        { durationMs: 1000, target: 5 },
      ]),
    ).toEqual([
      { atMs: 0, vus: 2 },
      { atMs: 0, vus: 5 },
      { atMs: 1000, vus: 0 },
    ]);
  });

  it('constant-arrival-rate starts iteration n at n*timeUnit/rate', () => {
    expect([...constantArrivalOffsets(10, 1000, 1000)]).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect([...constantArrivalOffsets(1, 60_000, 180_000)]).toEqual([0, 60_000, 120_000]);
  });

  it('ramping-arrival-rate starts iteration n when the area under the rate reaches n (k6 cal)', () => {
    // 0 -> 10/s over 1 s: area 5 t^2 = n  =>  t = sqrt(n/5)
    const got = [...rampingArrivalOffsets(0, 1000, [{ durationMs: 1000, target: 10 }])];
    expect(got).toHaveLength(5);
    got.forEach((t, i) => expect(t).toBeCloseTo(Math.sqrt((i + 1) / 5) * 1000, 6));
    // a flat stage after it: 10/s for 1 s = 10 more, every 100 ms
    const flat = [...rampingArrivalOffsets(10, 1000, [{ durationMs: 1000, target: 10 }])];
    expect(flat).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000].map((x) => expect.closeTo(x, 6)));
  });
});

describe('executors (runs)', () => {
  it('a scenario that starts as another ends takes over its VUs (vus_max = the planned peak, as in k6)', async () => {
    // Like the ladder: step b starts exactly when step a's graceful stop ends.
    const r = await runScript(`${logVu}
      export const options = { scenarios: {
        a: { executor: 'constant-vus', vus: 3, duration: '600ms', gracefulStop: '0s' },
        b: { executor: 'constant-vus', vus: 3, duration: '600ms', gracefulStop: '0s', startTime: '600ms' },
      } };
      export default async function () { log(); await sleep(0.05); }`);
    expect(r.result.exitCode).toBe(0);
    expect(metric(r, 'vus_max')!.max).toBe(3);
    const logs = r.logs as Array<{ vu: number; sc: string }>;
    expect(new Set(logs.filter((l) => l.sc === 'b').map((l) => l.vu))).toEqual(new Set([1, 2, 3]));
  });

  it('shared-iterations: exactly `iterations` iterations shared by at most `vus` VUs', async () => {
    const r = await runScript(`${logVu}
      export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 3, iterations: 10 } } };
      export default async function () { log(); await sleep(0.01); }`);
    expect(r.result.exitCode).toBe(0);
    expect(metric(r, 'iterations')!.count).toBe(10);
    const logs = r.logs as Array<{ vu: number; it: number }>;
    expect(new Set(logs.map((l) => l.vu)).size).toBeLessThanOrEqual(3);
    expect(logs.map((l) => l.it).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('per-vu-iterations: each VU runs `iterations` iterations', async () => {
    const r = await runScript(`${logVu}
      export const options = { scenarios: { p: { executor: 'per-vu-iterations', vus: 3, iterations: 4 } } };
      export default function () { log(); }`);
    expect(metric(r, 'iterations')!.count).toBe(12);
    const byVu = new Map<number, number>();
    for (const l of r.logs as Array<{ vu: number }>) byVu.set(l.vu, (byVu.get(l.vu) ?? 0) + 1);
    expect([...byVu.values()]).toEqual([4, 4, 4]);
  });

  it('constant-vus (the `vus` + `duration` shortcut): all VUs loop for the duration', async () => {
    const r = await runScript(`${logVu}
      export const options = { vus: 4, duration: '1s' };
      export default async function () { log(); await sleep(0.1); }`);
    expect(r.result.exitCode).toBe(0);
    const logs = r.logs as Array<{ vu: number; sc: string }>;
    expect(new Set(logs.map((l) => l.vu))).toEqual(new Set([1, 2, 3, 4]));
    expect(logs[0].sc).toBe('default');
    const n = metric(r, 'iterations')!.count;
    expect(n).toBeGreaterThanOrEqual(12); // 4 VUs x ~10; wide tolerance for a busy machine
    expect(n).toBeLessThanOrEqual(48);
    expect(metric(r, 'vus_max')!.value).toBe(4);
  });

  it('ramping-vus (the `stages` shortcut): VUs follow the stages up to the peak', async () => {
    const r = await runScript(`${logVu}
      export const options = { stages: [{ duration: '0.6s', target: 3 }, { duration: '0.6s', target: 0 }] };
      export default async function () { log(); await sleep(0.05); }`);
    expect(r.result.exitCode).toBe(0);
    const vus = new Set((r.logs as Array<{ vu: number }>).map((l) => l.vu));
    expect(vus.size).toBeLessThanOrEqual(3);
    expect(vus.has(3)).toBe(true); // VU 3 joins at 0.6 s... only when the ramp reached 3
    expect(metric(r, 'vus')!.max).toBeLessThanOrEqual(3);
  });

  it('constant-arrival-rate: iterations start on schedule whatever their duration', async () => {
    const r = await runScript(`
      export const options = { scenarios: { a: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 5 } } };
      export default function () {}`);
    expect(r.result.exitCode).toBe(0);
    const n = metric(r, 'iterations')!.count;
    expect(n).toBeGreaterThanOrEqual(15);
    expect(n).toBeLessThanOrEqual(20);
  });

  it('arrival rate with too few VUs counts dropped_iterations (open model)', async () => {
    const r = await runScript(`import { sleep } from 'k6';
      export const options = { scenarios: { a: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 1, gracefulStop: '0s' } } };
      export default async function () { await sleep(0.5); }`);
    const dropped = metric(r, 'dropped_iterations')!.count;
    const done = metric(r, 'iterations')?.count ?? 0;
    expect(dropped).toBeGreaterThanOrEqual(10);
    expect(done).toBeLessThanOrEqual(2);
    expect(r.stderr).toContain('Insufficient VUs, reached 1 active VUs');
  });

  it('ramping-arrival-rate grows VUs from preAllocatedVUs up to maxVUs', async () => {
    const r = await runScript(`import { sleep } from 'k6'; import exec from 'k6/execution';
      export const options = { scenarios: { r: { executor: 'ramping-arrival-rate', startRate: 10, timeUnit: '1s', preAllocatedVUs: 1, maxVUs: 6, stages: [{ duration: '1s', target: 30 }] } } };
      export default async function () { console.log(String(exec.vu.idInTest)); await sleep(0.2); }`);
    expect(r.result.exitCode).toBe(0);
    const vus = new Set(r.logs as number[]);
    expect(vus.size).toBeGreaterThan(1);
    expect(metric(r, 'vus_max')!.max).toBeLessThanOrEqual(6);
  });

  it('several scenarios run in one test, each with its exec function, startTime and env', async () => {
    const r = await runScript(`
      export const options = { scenarios: {
        one: { executor: 'per-vu-iterations', vus: 1, iterations: 2, exec: 'a', env: { WHO: 'one' } },
        two: { executor: 'shared-iterations', vus: 2, iterations: 3, exec: 'b', startTime: '0.2s', tags: { kind: 'second' } },
      } };
      export function a() { console.log('a:' + __ENV.WHO); }
      export function b() { console.log('b:' + (__ENV.WHO || 'none')); }`);
    expect(r.result.exitCode).toBe(0);
    expect((r.logs as string[]).filter((l) => l === 'a:one')).toHaveLength(2);
    expect((r.logs as string[]).filter((l) => l === 'b:none')).toHaveLength(3);
  });
});
