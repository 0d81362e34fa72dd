/**
 * pool-exhaust and redis-slow under a short user-journey load, on throw-away
 * servers. Pool exhaustion: requests past the acquire timeout get 503 with
 * Retry-After, the target does not crash (GET /healthz 200 afterwards), and
 * the pool is back to normal (nobody waiting, a connection free) once the
 * slow requests end. Redis slowed: the load goes on. Both recover with no
 * acknowledged write lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checker, faultRun, violations, type FaultRun } from './helpers/faults-fixture.ts';

let r: FaultRun;
beforeAll(async () => {
  r = await faultRun({
    scenario: 'user-journey',
    seconds: 18,
    vus: 4,
    pool: { size: 2, overflow: 2, acquireTimeoutMs: 1000 },
    faults: [
      { kind: 'redis-slow', atSeconds: 2, durationSeconds: 2 },
      { kind: 'pool-exhaust', atSeconds: 8, durationSeconds: 3 },
    ],
  });
}, 120_000);
afterAll(() => r?.cleanup());

describe('pool exhaustion', () => {
  it('more slow requests than the pool: 503 with Retry-After past the acquire timeout', () => {
    const p = r.faults[1].pool!;
    expect(p.poolMax).toBe(4);
    expect(p.slowRequests).toBeGreaterThan(p.poolMax);
    expect(p.peakInUse).toBe(p.poolMax);
    expect(p.peakWaiting).toBeGreaterThan(0);
    expect(p.rejected503).toBeGreaterThan(0);
    expect(p.missingRetryAfter).toBe(0);
    expect(p.retryAfter.length).toBeGreaterThan(0);
  });

  it('the target does not crash and the pool returns to normal once the slow requests end', () => {
    const p = r.faults[1].pool!;
    expect(p.healthStatusAfter).toBe(200);
    expect(p.recoverySeconds).not.toBeNull();
    // the held-up updates all answered: one wins, the rest are stale (409) or timed out waiting (503)
    expect(Object.keys(p.statuses).sort()).toEqual(['200', '409', '503'].filter((s) => p.statuses[s]));
    expect(r.run.figures.find((f) => f.id === 'fault.2.pool-exhaust.pool.recovery')!.pass).toBe(true);
  });

  it('the load saw the exhaustion as 503s and recovered', () => {
    const f = r.faults[1];
    expect(f.errorsByKind['HTTP 503']).toBeGreaterThan(0);
    expect(f.recovery.recovered).toBe(true);
  });
});

describe('Redis slowed', () => {
  it('is injected (DEBUG SLEEP, or CLIENT PAUSE where DEBUG is disabled, and says which)', () => {
    const f = r.faults[0];
    expect(f.injected).toBe(true);
    expect(f.method).toMatch(/^(DEBUG SLEEP|CLIENT PAUSE)/);
    if (f.method.startsWith('CLIENT PAUSE')) expect(f.notes.join(' ')).toMatch(/DEBUG is disabled/);
  });

  it('the load recovers; nothing acknowledged is lost; the cache agrees with the database', () => {
    expect(r.faults[0].recovery.recovered).toBe(true);
    expect(violations(r.run, 'concurrent-access', ['acked_write_missing'])).toBe(0);
    expect(checker(r.run, 'concurrent-access').checked).toBeGreaterThan(0);
    expect(violations(r.run, 'cache-db-sync')).toBe(0);
  });
});
