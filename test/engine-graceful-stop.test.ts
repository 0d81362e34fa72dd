/**
 * Graceful stop and graceful ramp-down (k6 docs "Graceful stop"): an
 * iteration running when the scenario ends may finish within gracefulStop,
 * else it is interrupted and not counted in `iterations`; VUs removed by a
 * ramp-down get gracefulRampDown to finish.
 */
import { describe, expect, it } from 'vitest';
import { metric, runScript } from './helpers/engine-harness.ts';

const slow = (secs: number) => `import { sleep } from 'k6'; import exec from 'k6/execution';
  export default async function () { await sleep(${secs}); console.log('done ' + exec.vu.idInTest); }
  export function teardown() { console.log(JSON.stringify({ interrupted: exec.instance.iterationsInterrupted, completed: exec.instance.iterationsCompleted })); }`;

describe('graceful stop', () => {
  it('gracefulStop 0s interrupts iterations still running at the end', async () => {
    const r = await runScript(`${slow(1.5)}
      export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '0.3s', gracefulStop: '0s' } } };`);
    expect(r.result.exitCode).toBe(0);
    expect(metric(r, 'iterations')).toBeUndefined();
    expect(r.logs).toContainEqual({ interrupted: 2, completed: 0 });
  });

  it('a long enough gracefulStop lets them finish', async () => {
    const r = await runScript(`${slow(0.6)}
      export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '0.3s', gracefulStop: '5s' } } };`);
    expect(metric(r, 'iterations')!.count).toBe(2);
    expect(r.logs).toContainEqual({ interrupted: 0, completed: 2 });
  });

  it('shared-iterations stops at maxDuration + gracefulStop', async () => {
    const r = await runScript(`${slow(0.4)}
      export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 100, maxDuration: '0.5s', gracefulStop: '0s' } } };`);
    const n = metric(r, 'iterations')?.count ?? 0;
    expect(n).toBeGreaterThanOrEqual(0);
    expect(n).toBeLessThanOrEqual(2);
  });
});

describe('graceful ramp-down', () => {
  const ramp = (grd: string) => `${slow(1)}
    export const options = { scenarios: { r: { executor: 'ramping-vus', startVUs: 2, gracefulRampDown: '${grd}', gracefulStop: '0s',
      stages: [{ duration: '0.4s', target: 2 }, { duration: '0s', target: 0 }, { duration: '1.6s', target: 0 }] } } };`;

  it('gracefulRampDown 0s interrupts the VUs a ramp-down removes', async () => {
    const r = await runScript(ramp('0s'));
    expect(metric(r, 'iterations')).toBeUndefined();
    expect(r.logs).toContainEqual({ interrupted: 2, completed: 0 });
  });

  it('a long gracefulRampDown lets their iterations finish, and they start no new one', async () => {
    const r = await runScript(ramp('5s'));
    expect(metric(r, 'iterations')!.count).toBe(2);
    expect(r.logs).toContainEqual({ interrupted: 0, completed: 2 });
  });
});
