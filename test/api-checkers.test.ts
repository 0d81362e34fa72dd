/**
 * The target and the independent checkers agree on the key scheme: after
 * warming and a round of every read and write, the cache-db-sync, data-types
 * and transaction-isolation checkers find nothing; with the wrongVersion defect
 * on, cache-db-sync does find something. (The checkers' own tests prove each
 * violation kind; this proves the target writes what docs/cache-keys.md says.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../checks/index.ts';
import { startApi, type RunningApi } from '../api/index.ts';
import { clearPrefix, REDIS_URL } from './helpers/services.ts';
import { call, seeded, targetConfig, type Seeded } from './helpers/api-fixture.ts';

let s: Seeded;
beforeAll(async () => {
  s = await seeded('target_checkers');
});
afterAll(async () => {
  await s?.cleanup();
});

async function exercise(t: RunningApi): Promise<void> {
  const ids = (await call(t.url, 'GET', '/api/v1/ids')).json;
  const open = ids.openAmendments.sample as number[];
  for (let id = 1; id <= 5; id++) {
    await call(t.url, 'GET', `/api/v1/principles/${id}`);
    const p = await call(t.url, 'GET', `/api/v1/policies/${id}`);
    await call(t.url, 'GET', `/api/v1/policies/${id}/compliance-report`);
    await call(t.url, 'PUT', `/api/v1/policies/${id}`, {
      expectedVersion: p.json.policy.version,
      updatedBy: 1,
      description: 'checked',
    });
    await call(t.url, 'GET', `/api/v1/policies/${id}`);
    await call(t.url, 'POST', '/api/v1/compliance-checks', { policyId: id, checkedBy: 2 });
    await call(t.url, 'GET', `/api/v1/policies/${id}/compliance-report`);
    const d = await call(t.url, 'POST', '/api/v1/decisions', {
      policyId: id,
      subjectId: 3,
      action: 'read',
      resource: 'document',
    });
    await call(t.url, 'GET', `/api/v1/decisions/${d.json.id}`);
    await call(t.url, 'POST', '/api/v1/synthesis', { policyId: id, requestedBy: 2, principleIds: [1, id + 1] });
  }
  for (const a of open.slice(0, 3)) {
    await call(t.url, 'GET', `/api/v1/amendments/${a}/tally`);
    for (let voter = ids.users.max; voter > ids.users.max - 5; voter--) {
      await call(t.url, 'POST', `/api/v1/amendments/${a}/votes`, { voterId: voter, choice: 'abstain' });
    }
    await call(t.url, 'GET', `/api/v1/amendments/${a}/tally`);
  }
  const l = await call(t.url, 'POST', '/api/v1/sessions', { userId: 4 });
  await call(t.url, 'GET', `/api/v1/sessions/${l.json.sessionId}?token=${l.json.token}`);
  const l2 = await call(t.url, 'POST', '/api/v1/sessions', { userId: 6 });
  await call(t.url, 'DELETE', `/api/v1/sessions/${l2.json.sessionId}`);
  await call(t.url, 'GET', `/api/v1/sessions/${l2.json.sessionId}`);
  for (const key of (ids.configKeys as string[]).slice(0, 5))
    await call(t.url, 'GET', `/api/v1/config/${encodeURIComponent(key)}`);
}

async function check(config: ReturnType<typeof targetConfig>) {
  return runChecks({
    databaseUrl: s.db.url,
    redisUrl: REDIS_URL,
    prefix: s.prefix,
    ttlSeconds: config.cache.ttlSeconds,
    graceSeconds: 0,
    sample: 0,
    examples: 3,
    batchSize: 500,
    only: ['cache-db-sync', 'data-types', 'transaction-isolation'],
  });
}

describe('target x checkers', () => {
  it('warm + every endpoint: no violation', async () => {
    await clearPrefix(s.redis, s.prefix);
    const config = targetConfig(s.prefix, { cache: { warmOnStart: true } });
    const t = await startApi({ config, databaseUrl: s.db.url, redisUrl: REDIS_URL });
    try {
      expect(t.warmed?.keys).toBeGreaterThan(0);
      await exercise(t);
    } finally {
      await t.close();
    }
    const r = await check(config);
    for (const c of r.checkers) {
      expect(c.violations, `${c.name}: ${JSON.stringify(c.examples)}`).toEqual({});
    }
    expect(r.checkers.find((c) => c.name === 'cache-db-sync')!.checked).toBeGreaterThan(20);
  });

  it('wrongVersion fault: cache-db-sync reports it', async () => {
    await clearPrefix(s.redis, s.prefix);
    const config = targetConfig(s.prefix, { api: { defects: { wrongVersionRate: 1 } } });
    const t = await startApi({ config, databaseUrl: s.db.url, redisUrl: REDIS_URL });
    try {
      await call(t.url, 'GET', '/api/v1/principles/2');
    } finally {
      await t.close();
    }
    const r = await check(config);
    const sync = r.checkers.find((c) => c.name === 'cache-db-sync')!;
    expect(Object.values(sync.violations).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
