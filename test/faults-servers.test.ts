/**
 * redis-stop and postgres-restart under a short write-contention load, on
 * throw-away servers: each fault is injected and lifted, the load recovers,
 * no acknowledged write is lost and no cache entry is stale afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checker, faultRun, violations, type FaultRun } from './helpers/faults-fixture.ts';

let r: FaultRun;
beforeAll(async () => {
  r = await faultRun({
    scenario: 'write-contention',
    seconds: 18,
    vus: 4,
    faults: [
      { kind: 'redis-stop', atSeconds: 2, durationSeconds: 2 },
      { kind: 'postgres-restart', atSeconds: 9, durationSeconds: 2 },
    ],
  });
}, 120_000);
afterAll(() => r?.cleanup());

describe('server faults during the load', () => {
  it("injects and lifts both, on the run's own throw-away servers", () => {
    expect(r.run.environment.services).toMatchObject({ postgres: 'throwaway', redis: 'throwaway' });
    expect(r.faults.map((f) => [f.kind, f.injected, f.error])).toEqual([
      ['redis-stop', true, null],
      ['postgres-restart', true, null],
    ]);
    for (const f of r.faults) expect(f.endedAt! - f.startedAt!).toBeGreaterThanOrEqual(f.durationSeconds * 1000);
  });

  it('PostgreSQL down shows as failed requests (503) during the fault', () => {
    const pgFault = r.faults[1];
    expect(pgFault.windows!.during.failed).toBeGreaterThan(0);
    expect(Object.keys(pgFault.errorsByKind)).toContain('HTTP 503');
  });

  it('the load recovers after each fault', () => {
    for (const f of r.faults) expect(f.recovery, f.label).toMatchObject({ recovered: true });
    expect(r.outcome.reasons.filter((x) => x.includes('recovered'))).toEqual([]);
  });

  it('no acknowledged write is lost and no cache entry is out of sync', () => {
    const ca = checker(r.run, 'concurrent-access');
    expect(ca.checked).toBeGreaterThan(0);
    expect(violations(r.run, 'concurrent-access', ['acked_write_missing'])).toBe(0);
    expect(violations(r.run, 'cache-db-sync')).toBe(0);
    expect(r.run.figures.find((f) => f.id === 'fault.1.redis-stop.lost')).toMatchObject({ value: 0, pass: true });
  });

  it('the report has a section per fault', () => {
    const titles = r.run.tables.map((t) => t.title);
    expect(titles).toContain('Fault 1: redis-stop@2s:2s');
    expect(titles).toContain('Fault 2: postgres-restart@9s:2s');
    expect(r.outcome.markdown).toContain('## Fault 2: postgres-restart@9s:2s');
  });
});
